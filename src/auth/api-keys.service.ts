import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { generateSecret, sha256Hex } from '../crypto/secrets';
import type { AuthContext } from './auth-context';

export const API_KEY_PREFIX = 'sbk_';

interface CachedKey {
  context: AuthContext | null;
  expiresAt: number;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  /** The key itself: shown once, never stored. */
  key: string;
  keyPrefix: string;
}

/**
 * API keys: random, shown once, stored as SHA-256 only, named and revocable. Verification is on
 * every request, so verified digests are cached in memory for a few seconds (revocation in this
 * process takes effect at once; in other processes within CACHE_TTL_MS) and last_used_at is
 * written at most once a minute per key.
 */
@Injectable()
export class ApiKeysService {
  static readonly CACHE_TTL_MS = 10_000;
  static readonly NEGATIVE_TTL_MS = 2_000;
  static readonly TOUCH_INTERVAL_MS = 60_000;
  private static readonly MAX_CACHE = 10_000;

  private readonly cache = new Map<string, CachedKey>();
  private readonly lastTouched = new Map<string, number>();

  constructor(private readonly prisma: PrismaService) {}

  async create(organizationId: string, name: string): Promise<CreatedApiKey> {
    const key = generateSecret(API_KEY_PREFIX);
    const row = await this.prisma.apiKey.create({
      data: { organizationId, name, keyHash: sha256Hex(key), keyPrefix: key.slice(0, 8) },
    });
    return { id: row.id, name: row.name, key, keyPrefix: row.keyPrefix };
  }

  async verify(key: string): Promise<AuthContext | null> {
    if (!key.startsWith(API_KEY_PREFIX) || key.length > 200) return null;
    const hash = sha256Hex(key);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.expiresAt > now) {
      if (cached.context) this.touch(cached.context.apiKeyId, now);
      return cached.context;
    }
    const row = await this.prisma.apiKey.findUnique({ where: { keyHash: hash }, select: { id: true, organizationId: true, revokedAt: true } });
    const context = row && !row.revokedAt ? { organizationId: row.organizationId, apiKeyId: row.id } : null;
    if (this.cache.size >= ApiKeysService.MAX_CACHE) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(hash, { context, expiresAt: now + (context ? ApiKeysService.CACHE_TTL_MS : ApiKeysService.NEGATIVE_TTL_MS) });
    if (context) this.touch(context.apiKeyId, now);
    return context;
  }

  /**
   * Synchronous look-up of a key verified within the last few seconds (the hot path of every
   * request); undefined when it must go through full verification.
   */
  peekVerified(key: string): AuthContext | undefined {
    if (!key.startsWith(API_KEY_PREFIX) || key.length > 200) return undefined;
    const now = Date.now();
    const cached = this.cache.get(sha256Hex(key));
    if (!cached?.context || cached.expiresAt <= now) return undefined;
    this.touch(cached.context.apiKeyId, now);
    return cached.context;
  }

  /** Revokes by id within an organization; returns false when there is no such active key. */
  async revoke(organizationId: string, keyId: string): Promise<boolean> {
    const result = await this.prisma.apiKey.updateMany({ where: { id: keyId, organizationId, revokedAt: null }, data: { revokedAt: new Date() } });
    this.forgetKeyId(keyId);
    return result.count > 0;
  }

  async list(organizationId: string) {
    return this.prisma.apiKey.findMany({
      where: { organizationId },
      orderBy: { createdAt: 'asc' },
      select: { id: true, name: true, keyPrefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
    });
  }

  private forgetKeyId(keyId: string): void {
    for (const [hash, entry] of this.cache) if (entry.context?.apiKeyId === keyId) this.cache.delete(hash);
  }

  private touch(keyId: string, now: number): void {
    const last = this.lastTouched.get(keyId) ?? 0;
    if (now - last < ApiKeysService.TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(keyId, now);
    // Best effort and off the request path: a lost update only makes last_used_at a minute older.
    this.prisma.apiKey.update({ where: { id: keyId }, data: { lastUsedAt: new Date(now) } }).catch(() => this.lastTouched.delete(keyId));
  }
}
