import { LRUCache } from 'lru-cache';
import type { LinkedAccount } from '../generated/prisma/client';

/** How long an entry may serve without the database; bounds staleness across processes. */
export const ACCOUNT_CACHE_TTL_MS = 3_000;
const MAX_ENTRIES = 10_000;

/** A decrypted access token as last read from the credential row. */
export interface CachedAccessToken {
  accessToken: string;
  expiresAt: Date | null;
  hasRefreshToken: boolean;
  version: number;
}

/**
 * The hot path's two database reads, kept for a few seconds: account-token digest -> linked
 * account, and linked account -> decrypted access token.
 *
 * In this process a change is visible at once: every write that matters (refresh, re-link, status
 * change, token regeneration, delete) calls `invalidate(accountId)`. Reads that started before an
 * invalidation never store their (possibly stale) answer: each write of the cache carries the
 * epoch seen when its database read began, and any invalidation moves the epoch. Other processes
 * see the change when their entry expires (ACCOUNT_CACHE_TTL_MS).
 */
export class LinkedAccountCache {
  private readonly accounts: LRUCache<string, LinkedAccount>;
  private readonly tokens: LRUCache<string, CachedAccessToken>;
  private epochValue = 0;

  /** `now` replaces the clock (tests). */
  constructor(options: { ttlMs?: number; max?: number; now?: () => number } = {}) {
    const base = { max: options.max ?? MAX_ENTRIES, ttl: options.ttlMs ?? ACCOUNT_CACHE_TTL_MS, ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}) };
    this.accounts = new LRUCache<string, LinkedAccount>(base);
    this.tokens = new LRUCache<string, CachedAccessToken>(base);
  }

  /** Take before a database read whose answer is to be cached; pass it to the `set…` call. */
  epoch(): number {
    return this.epochValue;
  }

  account(tokenHash: string): LinkedAccount | undefined {
    return this.accounts.get(tokenHash);
  }

  setAccount(tokenHash: string, account: LinkedAccount, epoch: number): void {
    if (epoch === this.epochValue) this.accounts.set(tokenHash, account);
  }

  token(linkedAccountId: string): CachedAccessToken | undefined {
    return this.tokens.get(linkedAccountId);
  }

  setToken(linkedAccountId: string, token: CachedAccessToken, epoch: number): void {
    if (epoch === this.epochValue) this.tokens.set(linkedAccountId, token);
  }

  /** Forget everything about one linked account (all of its account-token digests, old ones included). */
  invalidate(linkedAccountId: string): void {
    this.epochValue++;
    this.tokens.delete(linkedAccountId);
    const stale: string[] = [];
    for (const [hash, account] of this.accounts.entries()) if (account.id === linkedAccountId) stale.push(hash);
    for (const hash of stale) this.accounts.delete(hash);
  }

  clear(): void {
    this.epochValue++;
    this.accounts.clear();
    this.tokens.clear();
  }
}
