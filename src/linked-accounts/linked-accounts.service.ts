import { Inject, Injectable } from '@nestjs/common';
import type { LinkedAccount } from '../generated/prisma/client';
import { PrismaService } from '../database/prisma.service';
import { generateSecret, sha256Hex } from '../crypto/secrets';
import { TOKEN_VAULT, type TokenVault } from '../crypto/vault';
import { ApiError } from '../errors/api-error';
import { LinkedAccountCache } from './account-cache';

export const ACCOUNT_TOKEN_PREFIX = 'sba_';

export type LinkedAccountRecord = LinkedAccount;

export interface NewLinkedAccount {
  organizationId: string;
  integration: string;
  isSandbox: boolean;
  apiBaseUrl: string;
  authBaseUrl: string;
  remoteAccountId?: string | null;
  endUserOriginId?: string | null;
  endUserEmailAddress?: string | null;
  endUserOrganizationName?: string | null;
  readMode?: 'stored' | 'live';
  tokens: { accessToken: string; refreshToken?: string | null; expiresAt?: Date | null; scopes?: string | null };
}

/**
 * Linked accounts and their account tokens (stored as SHA-256 only) and encrypted OAuth tokens.
 * Every lookup is scoped by organization: another organization's account token is a 404.
 */
@Injectable()
export class LinkedAccountsService {
  /** Account-token and access-token lookups of the hot path (see LinkedAccountCache). */
  readonly cache = new LinkedAccountCache();

  constructor(
    private readonly prisma: PrismaService,
    @Inject(TOKEN_VAULT) private readonly vault: TokenVault,
  ) {}

  /** Creates a linked account with its credentials; returns the account token (shown once). */
  async create(input: NewLinkedAccount): Promise<{ account: LinkedAccountRecord; accountToken: string }> {
    const accountToken = generateSecret(ACCOUNT_TOKEN_PREFIX);
    const account = await this.prisma.$transaction(async (tx) => {
      const created = await tx.linkedAccount.create({
        data: {
          organizationId: input.organizationId,
          integration: input.integration,
          isSandbox: input.isSandbox,
          apiBaseUrl: input.apiBaseUrl,
          authBaseUrl: input.authBaseUrl,
          remoteAccountId: input.remoteAccountId ?? null,
          endUserOriginId: input.endUserOriginId ?? null,
          endUserEmailAddress: input.endUserEmailAddress ?? null,
          endUserOrganizationName: input.endUserOrganizationName ?? null,
          readMode: input.readMode ?? 'stored',
          accountTokenHash: sha256Hex(accountToken),
        },
      });
      await tx.linkedAccountCredential.create({ data: { linkedAccountId: created.id, ...this.sealTokens(created.id, input.tokens) } });
      return created;
    });
    return { account, accountToken };
  }

  /** Encrypted credential columns for a token set (used by create, refresh and re-link). */
  sealTokens(linkedAccountId: string, tokens: NewLinkedAccount['tokens']) {
    return {
      accessTokenCipher: this.vault.encrypt(tokens.accessToken, `${linkedAccountId}:access`),
      refreshTokenCipher: tokens.refreshToken ? this.vault.encrypt(tokens.refreshToken, `${linkedAccountId}:refresh`) : null,
      keyId: this.vault.currentKeyId,
      expiresAt: tokens.expiresAt ?? null,
      scopes: tokens.scopes ?? null,
    };
  }

  /** The account an account token selects within an organization, or a 404. */
  async resolveAccountToken(organizationId: string, accountToken: string): Promise<LinkedAccountRecord> {
    const hash = sha256Hex(accountToken);
    let account = this.cache.account(hash);
    if (!account) {
      const epoch = this.cache.epoch();
      account = (await this.prisma.linkedAccount.findUnique({ where: { accountTokenHash: hash } })) ?? undefined;
      if (account) this.cache.setAccount(hash, account, epoch);
    }
    if (!account || account.organizationId !== organizationId) {
      throw ApiError.notFound('No linked account for this account token.');
    }
    return account;
  }

  /**
   * Call after any change to a linked account or its credentials (refresh, re-link, status, account
   * token, delete): this process stops serving the cached record and token at once.
   */
  invalidate(linkedAccountId: string): void {
    this.cache.invalidate(linkedAccountId);
  }

  async get(organizationId: string, id: string): Promise<LinkedAccountRecord | null> {
    const account = await this.prisma.linkedAccount.findUnique({ where: { id } });
    return account && account.organizationId === organizationId ? account : null;
  }

  /** Decrypted tokens of an account (never log the result). */
  async readTokens(linkedAccountId: string): Promise<{ accessToken: string; refreshToken: string | null; expiresAt: Date | null; version: number } | null> {
    const c = await this.prisma.linkedAccountCredential.findUnique({ where: { linkedAccountId } });
    if (!c) return null;
    return {
      accessToken: this.vault.decrypt(c.accessTokenCipher, `${linkedAccountId}:access`),
      refreshToken: c.refreshTokenCipher ? this.vault.decrypt(c.refreshTokenCipher, `${linkedAccountId}:refresh`) : null,
      expiresAt: c.expiresAt,
      version: c.version,
    };
  }
}
