import { createHmac } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { resolveEncryptionKey } from '../crypto/encryption-key';
import { TOKEN_VAULT, type TokenVault } from '../crypto/vault';
import { PrismaService } from '../database/prisma.service';
import { EventBus } from '../events/event-bus';
import type { LinkedAccountCredential } from '../generated/prisma/client';
import { type ParsedTokenSet, type TokenEndpointError, type VendorEndpoints, VendorError, type VendorSlug } from '../integrations/contract';
import type { AccessTokenSource } from '../integrations/http/vendor-http-client';
import { adapterFor } from '../integrations/registry';
import { type MountedSandbox, SANDBOX_EMULATORS } from '../sandbox/sandbox.module';
import { IssuesService } from './issues.service';
import { type LinkedAccountRecord, LinkedAccountsService } from './linked-accounts.service';

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  endpoints: VendorEndpoints;
  sandbox: boolean;
}

/** Refresh this long before the vendor's expiry, so a token never dies in the middle of a call. */
export const REFRESH_MARGIN_MS = 120_000;
/** The sweep refreshes tokens expiring within this window (so idle accounts stay fresh). */
export const SWEEP_WINDOW_MS = 10 * 60_000;

/**
 * Process-wide single flight for databases with one process per data directory (PGlite): every
 * CredentialsService of this process shares it, so two refreshes of one account never overlap.
 */
const PROCESS_REFRESHES = new Map<string, Promise<string>>();

type DbClient = Pick<PrismaService, 'linkedAccountCredential' | 'linkedAccount'>;

interface RefreshReason {
  /** The access token a vendor just rejected (401 path). */
  failedToken?: string;
  /** The credential version the caller saw as "about to expire" (ahead-of-expiry path). */
  seenVersion?: number;
  /** Refresh even when the stored token looks fresh (admin). */
  force?: boolean;
  /** Refresh when the token expires within this many ms (default REFRESH_MARGIN_MS; the sweep looks further ahead). */
  marginMs?: number;
}

type RefreshOutcome = { token: string; refreshed: boolean } | { error: TokenEndpointError; status: number };

/**
 * Access tokens of linked accounts: decrypted on use, refreshed ahead of expiry (margin) and
 * once after a 401, and by a periodic sweep.
 *
 * Single flight per linked account, also across processes:
 * - in this process, concurrent callers share one pending refresh (a map of promises);
 * - on PostgreSQL the refresh runs inside a transaction holding the credential row lock
 *   (SELECT … FOR UPDATE), so refreshers in other processes queue behind it; after acquiring the
 *   lock the row is re-read and, when another process already refreshed (the failed token was
 *   replaced, or the version moved and the token is fresh), its token is used: no second token
 *   request. On PGlite (one process owns the directory) the process-wide map is the lock.
 * - the new tokens (a rotated refresh token included) are committed before the access token is
 *   handed out; an answer without a refresh token keeps the stored one.
 * - `invalid_grant` (the adapter's verdict) marks the account RELINK_NEEDED, opens an issue and
 *   publishes `LinkedAccount.relink_needed`.
 */
@Injectable()
export class CredentialsService {
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly logger = new Logger('Credentials');
  /** Token-endpoint requests made by this service (refresh grants), for metrics and tests. */
  readonly stats = { refreshRequests: 0, refreshFailures: 0 };
  private sweeping = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly accounts: LinkedAccountsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SANDBOX_EMULATORS) private readonly sandboxes: MountedSandbox[],
    @Inject(TOKEN_VAULT) private readonly vault: TokenVault,
    private readonly issues: IssuesService,
    @Optional() private readonly events?: EventBus,
  ) {}

  /** The OAuth client Switchboard uses for a vendor: configured credentials, or the sandbox's. */
  oauthClient(vendor: VendorSlug, authBaseUrl?: string): OAuthClient {
    const adapter = adapterFor(vendor);
    if (!adapter) throw new VendorError(vendor, 0, 'UNKNOWN_VENDOR', `no integration for ${vendor}`, 'other');
    const real = this.config.vendors[vendor];
    if (real) return { ...real, endpoints: adapter.auth.endpoints({ authBaseUrl }), sandbox: false };
    const sandbox = this.sandboxes.find((s) => s.vendor === vendor);
    if (!sandbox) throw new VendorError(vendor, 0, 'NOT_CONFIGURED', `${vendor} has no client credentials and no sandbox`, 'other');
    const secret = createHmac('sha256', resolveEncryptionKey(this.config).key).update(`sandbox-client-secret:${vendor}`).digest('base64url');
    return {
      clientId: `switchboard-sandbox-${vendor}`,
      clientSecret: secret,
      endpoints: adapter.auth.endpoints({ sandboxBaseUrl: sandbox.baseUrl, authBaseUrl: authBaseUrl ?? sandbox.baseUrl }),
      sandbox: true,
    };
  }

  /** True when the vendor can be linked on this server (credentials or a mounted sandbox). */
  isAvailable(vendor: string): boolean {
    if (!adapterFor(vendor)) return false;
    return Boolean(this.config.vendors[vendor as VendorSlug]) || this.sandboxes.some((s) => s.vendor === vendor);
  }

  /** POSTs a token-endpoint form (code exchange or refresh) and parses the answer with the adapter. */
  async tokenRequest(vendor: VendorSlug, tokenUrl: string, form: Record<string, string>, callbackParams?: Record<string, string>): Promise<{ status: number; parsed: ParsedTokenSet | TokenEndpointError }> {
    const adapter = adapterFor(vendor);
    if (!adapter) throw new VendorError(vendor, 0, 'UNKNOWN_VENDOR', `no integration for ${vendor}`, 'other');
    let res: Response;
    try {
      res = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(form),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      throw new VendorError(vendor, 0, timedOut ? 'TIMEOUT' : 'NETWORK_ERROR', `${vendor} token endpoint ${timedOut ? 'did not answer in time' : 'could not be reached'}`, timedOut ? 'timeout' : 'unavailable');
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep the text (urlencoded or HTML answers); the adapter decides
    }
    return { status: res.status, parsed: adapter.auth.parseTokenResponse(res.status, body, { callbackParams }) };
  }

  tokenSource(account: LinkedAccountRecord): AccessTokenSource {
    return {
      getAccessToken: async () => {
        // A token read moments ago, unless it is now due for refresh (then the row decides, below).
        const cached = this.accounts.cache.token(account.id);
        if (cached && !(cached.hasRefreshToken && expiringSoon(cached, REFRESH_MARGIN_MS))) return cached.accessToken;
        const epoch = this.accounts.cache.epoch();
        const row = await this.prisma.linkedAccountCredential.findUnique({ where: { linkedAccountId: account.id } });
        if (!row) throw new VendorError(account.integration as VendorSlug, 401, 'NO_CREDENTIALS', 'this linked account has no credentials; link it again', 'auth');
        if (row.refreshTokenCipher && expiringSoon(row, REFRESH_MARGIN_MS)) return this.refresh(account, { seenVersion: row.version });
        const accessToken = this.decryptAccess(row);
        this.accounts.cache.setToken(account.id, { accessToken, expiresAt: row.expiresAt, hasRefreshToken: row.refreshTokenCipher !== null, version: row.version }, epoch);
        return accessToken;
      },
      refreshAfterUnauthorized: async (failedToken: string) => {
        // The vendor refused the token: never answer from the cache again for it.
        this.accounts.invalidate(account.id);
        const row = await this.prisma.linkedAccountCredential.findUnique({ where: { linkedAccountId: account.id } });
        // Someone refreshed since this request started: use their token.
        if (row) {
          const current = this.decryptAccess(row);
          if (current !== failedToken) return current;
        }
        return this.refresh(account, { failedToken });
      },
    };
  }

  /** Refreshes one account's access token (single flight, see the class comment) and returns it. */
  refresh(account: LinkedAccountRecord, reason: RefreshReason = {}): Promise<string> {
    const shared = this.prisma.kind === 'pglite' ? PROCESS_REFRESHES : this.inFlight;
    let pending = shared.get(account.id);
    if (!pending) {
      pending = this.lockedRefresh(account, reason).finally(() => {
        shared.delete(account.id);
        // New tokens (and possibly a new API base) are stored: drop what this process cached.
        this.accounts.invalidate(account.id);
      });
      shared.set(account.id, pending);
    }
    return pending;
  }

  private async lockedRefresh(account: LinkedAccountRecord, reason: RefreshReason): Promise<string> {
    let outcome: RefreshOutcome;
    if (this.prisma.kind === 'postgres') {
      outcome = await this.prisma.$transaction(
        async (tx) => {
          // Row lock: refreshers in other processes wait here until this transaction commits.
          await tx.$queryRaw`SELECT linked_account_id FROM linked_account_credentials WHERE linked_account_id = ${account.id}::uuid FOR UPDATE`;
          return this.refreshUnderLock(tx, account, reason);
        },
        { maxWait: 30_000, timeout: 60_000 },
      );
    } else {
      outcome = await this.refreshUnderLock(this.prisma, account, reason);
    }
    if ('error' in outcome) return this.failRefresh(account, outcome.error, outcome.status);
    return outcome.token;
  }

  private async refreshUnderLock(db: DbClient, account: LinkedAccountRecord, reason: RefreshReason): Promise<RefreshOutcome> {
    const vendor = account.integration as VendorSlug;
    // Re-read after acquiring the lock: another process may have refreshed meanwhile.
    const row = await db.linkedAccountCredential.findUnique({ where: { linkedAccountId: account.id } });
    if (!row) throw new VendorError(vendor, 401, 'NO_CREDENTIALS', 'this linked account has no credentials; link it again', 'auth');
    const current = this.decryptAccess(row);
    if (!reason.force) {
      if (reason.failedToken !== undefined && current !== reason.failedToken) return { token: current, refreshed: false };
      if (reason.failedToken === undefined && !expiringSoon(row, reason.marginMs ?? REFRESH_MARGIN_MS)) return { token: current, refreshed: false };
      if (reason.failedToken === undefined && reason.seenVersion !== undefined && row.version !== reason.seenVersion && !expiringSoon(row, 5_000)) {
        return { token: current, refreshed: false };
      }
    }
    if (!row.refreshTokenCipher) {
      return { status: 401, error: { error: 'no_refresh_token', description: 'the access token expired or was rejected and there is no refresh token', invalidGrant: true } };
    }
    const refreshToken = this.vault.decrypt(row.refreshTokenCipher, `${account.id}:refresh`);
    const fresh = await db.linkedAccount.findUnique({ where: { id: account.id }, select: { authBaseUrl: true, apiBaseUrl: true } });
    const client = this.oauthClient(vendor, fresh?.authBaseUrl || undefined);
    this.stats.refreshRequests++;
    const { status, parsed } = await this.tokenRequest(vendor, client.endpoints.tokenUrl, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: client.clientId,
      client_secret: client.clientSecret,
    });
    if ('error' in parsed) return { error: parsed, status };
    const sealed = this.accounts.sealTokens(account.id, {
      accessToken: parsed.accessToken,
      // A rotated refresh token replaces the old one; an answer without one keeps it.
      refreshToken: parsed.refreshToken ?? refreshToken,
      expiresAt: parsed.expiresInSeconds ? new Date(Date.now() + parsed.expiresInSeconds * 1000) : null,
      scopes: parsed.scopes ?? row.scopes,
    });
    // Optimistic on version: a writer that slipped past the lock (key rotation) makes this a no-op retry.
    const saved = await db.linkedAccountCredential.updateMany({
      where: { linkedAccountId: account.id, version: row.version },
      data: { ...sealed, version: { increment: 1 }, lastRefreshedAt: new Date() },
    });
    if (saved.count !== 1) {
      // Only key rotation touches the row without the lock, and it keeps the same tokens: retry the write once.
      const again = await db.linkedAccountCredential.findUnique({ where: { linkedAccountId: account.id } });
      if (!again) throw new VendorError(vendor, 401, 'NO_CREDENTIALS', 'this linked account was deleted during the refresh', 'auth');
      await db.linkedAccountCredential.updateMany({
        where: { linkedAccountId: account.id, version: again.version },
        data: { ...sealed, version: { increment: 1 }, lastRefreshedAt: new Date() },
      });
    }
    const accountUpdate: { apiBaseUrl?: string; authBaseUrl?: string } = {};
    if (parsed.apiBaseUrl && parsed.apiBaseUrl !== fresh?.apiBaseUrl && !client.sandbox) accountUpdate.apiBaseUrl = parsed.apiBaseUrl;
    // Only a host the adapter vouches for (the refresh answer itself never moves the auth server otherwise).
    const adapterAuth = adapterFor(vendor)?.auth;
    const authBase = adapterAuth?.authBaseUrlFromCallback ? undefined : parsed.authBaseUrl;
    if (authBase && authBase !== fresh?.authBaseUrl && !client.sandbox) accountUpdate.authBaseUrl = authBase;
    if (Object.keys(accountUpdate).length) await db.linkedAccount.update({ where: { id: account.id }, data: accountUpdate });
    return { token: parsed.accessToken, refreshed: true };
  }

  private async failRefresh(account: LinkedAccountRecord, error: TokenEndpointError, status: number): Promise<never> {
    const vendor = account.integration as VendorSlug;
    this.stats.refreshFailures++;
    // Only the vendor's error code goes to logs: never tokens.
    this.logger.warn(`refresh failed for linked account ${account.id} (${vendor}): ${error.error}${error.invalidGrant ? ' (relink needed)' : ''}`);
    if (error.invalidGrant) await this.markRelinkNeeded(account, error);
    throw new VendorError(vendor, status === 200 ? 401 : status, error.error, error.description, 'auth');
  }

  /** RELINK_NEEDED + an ONGOING issue + the LinkedAccount.relink_needed event (once per transition). */
  async markRelinkNeeded(account: LinkedAccountRecord, error: TokenEndpointError): Promise<void> {
    const changed = await this.prisma.linkedAccount.updateMany({ where: { id: account.id, status: { not: 'RELINK_NEEDED' } }, data: { status: 'RELINK_NEEDED' } });
    this.accounts.invalidate(account.id);
    const issue = await this.issues.open({
      organizationId: account.organizationId,
      linkedAccountId: account.id,
      kind: 'REFRESH_FAILED',
      description: `The ${account.integration} authorization of this account is no longer valid; the end user must link it again.`,
      details: [`${error.error}: ${error.description}`],
    });
    if (changed.count === 1) {
      this.events?.publish({
        event: 'LinkedAccount.relink_needed',
        organizationId: account.organizationId,
        linkedAccountId: account.id,
        data: { linked_account_id: account.id, integration: account.integration, status: 'RELINK_NEEDED', issue_id: issue.id, error: error.error },
      });
    }
  }

  /** Revokes the account's tokens at the vendor (best effort: the vendor may already have dropped them). */
  async revokeAtVendor(account: LinkedAccountRecord): Promise<boolean> {
    const vendor = account.integration as VendorSlug;
    if (!this.isAvailable(vendor)) return false;
    const row = await this.prisma.linkedAccountCredential.findUnique({ where: { linkedAccountId: account.id } });
    if (!row) return false;
    let client: OAuthClient;
    try {
      client = this.oauthClient(vendor, account.authBaseUrl || undefined);
    } catch {
      return false;
    }
    if (!client.endpoints.revokeUrl) return false;
    const token = row.refreshTokenCipher ? this.vault.decrypt(row.refreshTokenCipher, `${account.id}:refresh`) : this.decryptAccess(row);
    try {
      const res = await fetch(client.endpoints.revokeUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token, client_id: client.clientId, client_secret: client.clientSecret }),
        signal: AbortSignal.timeout(15_000),
      });
      await res.text();
      return res.ok;
    } catch {
      return false;
    }
  }

  /** Refreshes every COMPLETE account whose token expires within SWEEP_WINDOW_MS. */
  @Interval('linked-account-token-sweep', 60_000)
  async sweep(windowMs = SWEEP_WINDOW_MS): Promise<{ refreshed: number; failed: number }> {
    if (this.sweeping) return { refreshed: 0, failed: 0 };
    this.sweeping = true;
    let refreshed = 0;
    let failed = 0;
    try {
      const due = await this.prisma.linkedAccountCredential.findMany({
        where: { expiresAt: { lt: new Date(Date.now() + windowMs) }, refreshTokenCipher: { not: null }, linkedAccount: { status: 'COMPLETE' } },
        include: { linkedAccount: true },
        take: 200,
        orderBy: { expiresAt: 'asc' },
      });
      for (const row of due) {
        try {
          await this.refresh(row.linkedAccount, { seenVersion: row.version, marginMs: windowMs });
          refreshed++;
        } catch {
          failed++;
        }
      }
    } catch (err) {
      this.logger.warn(`token sweep failed: ${(err as Error).message}`);
    } finally {
      this.sweeping = false;
    }
    return { refreshed, failed };
  }

  private decryptAccess(row: LinkedAccountCredential): string {
    return this.vault.decrypt(row.accessTokenCipher, `${row.linkedAccountId}:access`);
  }
}

function expiringSoon(row: { expiresAt: Date | null }, marginMs: number): boolean {
  return row.expiresAt !== null && row.expiresAt.getTime() - Date.now() < marginMs;
}
