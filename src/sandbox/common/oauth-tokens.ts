import { createHash, randomBytes } from 'node:crypto';

/**
 * The authorization server state of one emulator: authorization codes, access and refresh
 * tokens. Vendors differ in token formats, lifetimes and rotation; those are options here and the
 * vendor module renders the responses.
 */

export interface TokenGrant {
  /** Which sandbox org / portal / Zoho org the user picked on the consent page. */
  tenantKey: string;
  clientId: string;
  scope: string;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds, as the vendor would report it. */
  expiresIn: number;
  issuedAt: number;
  grant: TokenGrant;
}

export type AccessCheck =
  | { status: 'valid'; grant: TokenGrant; expiresAt: number }
  | { status: 'expired' | 'invalid' | 'revoked' };

export type TokenError = { error: 'invalid_grant' | 'invalid_client' | 'invalid_request'; description: string };

interface CodeEntry {
  grant: TokenGrant;
  redirectUri: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
  used: boolean;
}

interface AccessEntry {
  grant: TokenGrant;
  expiresAt: number;
  refreshToken: string;
  revoked: boolean;
}

interface RefreshEntry {
  grant: TokenGrant;
  revoked: boolean;
}

export interface TokenStoreOptions {
  /** Access-token lifetime in seconds (configurable so tests can expire tokens mid-read). */
  accessTtlSeconds: number;
  /** Whether a refresh returns a new refresh token (and invalidates the old one). */
  rotateRefreshTokens: boolean;
  /** Token text, e.g. Salesforce's "00D…!…". */
  formatAccessToken?: (random: string, grant: TokenGrant) => string;
  formatRefreshToken?: (random: string, grant: TokenGrant) => string;
  formatCode?: (random: string) => string;
  codeTtlSeconds?: number;
}

function rand(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export function pkceS256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export class OAuthTokenStore {
  private readonly codes = new Map<string, CodeEntry>();
  private readonly access = new Map<string, AccessEntry>();
  private readonly refresh = new Map<string, RefreshEntry>();
  /** Counters for tests: how many token requests of each grant were served. */
  readonly stats = { codeExchanges: 0, refreshes: 0, revocations: 0 };

  constructor(public options: TokenStoreOptions) {}

  setAccessTtl(seconds: number): void {
    this.options = { ...this.options, accessTtlSeconds: seconds };
  }

  issueCode(input: { grant: TokenGrant; redirectUri: string; codeChallenge?: string; codeChallengeMethod?: string }): string {
    const code = (this.options.formatCode ?? ((r) => r))(rand(18));
    this.codes.set(code, {
      grant: input.grant,
      redirectUri: input.redirectUri,
      codeChallenge: input.codeChallenge,
      codeChallengeMethod: input.codeChallengeMethod,
      expiresAt: Date.now() + (this.options.codeTtlSeconds ?? 600) * 1000,
      used: false,
    });
    return code;
  }

  redeemCode(code: string, input: { clientId: string; redirectUri?: string; codeVerifier?: string }): IssuedTokens | TokenError {
    const entry = this.codes.get(code);
    if (!entry) return { error: 'invalid_grant', description: 'invalid authorization code' };
    if (entry.used) return { error: 'invalid_grant', description: 'authorization code has already been used' };
    if (entry.expiresAt < Date.now()) return { error: 'invalid_grant', description: 'authorization code expired' };
    if (entry.grant.clientId !== input.clientId) return { error: 'invalid_client', description: 'client id does not match the authorization code' };
    if (input.redirectUri !== undefined && input.redirectUri !== entry.redirectUri) {
      return { error: 'invalid_grant', description: 'redirect_uri mismatch' };
    }
    if (entry.codeChallenge) {
      if (!input.codeVerifier) return { error: 'invalid_grant', description: 'code_verifier is required' };
      const expected = entry.codeChallengeMethod === 'plain' ? input.codeVerifier : pkceS256(input.codeVerifier);
      if (expected !== entry.codeChallenge) return { error: 'invalid_grant', description: 'invalid code verifier' };
    }
    entry.used = true;
    this.stats.codeExchanges++;
    const refreshToken = (this.options.formatRefreshToken ?? ((r) => r))(rand(), entry.grant);
    this.refresh.set(refreshToken, { grant: entry.grant, revoked: false });
    return this.issueAccess(entry.grant, refreshToken);
  }

  /** Refresh grant. With rotation the old refresh token stops working. */
  refreshTokens(refreshToken: string, clientId: string): (IssuedTokens & { rotated: boolean }) | TokenError {
    const entry = this.refresh.get(refreshToken);
    if (!entry || entry.revoked) return { error: 'invalid_grant', description: 'expired access/refresh token' };
    if (entry.grant.clientId !== clientId) return { error: 'invalid_client', description: 'client id does not match the refresh token' };
    this.stats.refreshes++;
    let current = refreshToken;
    if (this.options.rotateRefreshTokens) {
      entry.revoked = true;
      current = (this.options.formatRefreshToken ?? ((r) => r))(rand(), entry.grant);
      this.refresh.set(current, { grant: entry.grant, revoked: false });
    }
    return { ...this.issueAccess(entry.grant, current), rotated: current !== refreshToken };
  }

  checkAccess(token: string): AccessCheck {
    const entry = this.access.get(token);
    if (!entry) return { status: 'invalid' };
    if (entry.revoked) return { status: 'revoked' };
    if (entry.expiresAt <= Date.now()) return { status: 'expired' };
    return { status: 'valid', grant: entry.grant, expiresAt: entry.expiresAt };
  }

  /** Revokes an access or refresh token; revoking a refresh token also kills its access tokens. */
  revoke(token: string): boolean {
    const a = this.access.get(token);
    if (a) {
      a.revoked = true;
      this.stats.revocations++;
      return true;
    }
    const r = this.refresh.get(token);
    if (r) {
      r.revoked = true;
      for (const e of this.access.values()) if (e.refreshToken === token) e.revoked = true;
      this.stats.revocations++;
      return true;
    }
    return false;
  }

  /** Forced expiry (fault injection): every access token issued so far is now expired. */
  expireAllAccessTokens(): number {
    const now = Date.now();
    let n = 0;
    for (const e of this.access.values()) {
      if (e.expiresAt > now) {
        e.expiresAt = now;
        n++;
      }
    }
    return n;
  }

  /** Issues a token pair directly (sandbox seeding and tests; real clients use the OAuth flow). */
  issueDirect(grant: TokenGrant): IssuedTokens {
    const refreshToken = (this.options.formatRefreshToken ?? ((r) => r))(rand(), grant);
    this.refresh.set(refreshToken, { grant, revoked: false });
    return this.issueAccess(grant, refreshToken);
  }

  private issueAccess(grant: TokenGrant, refreshToken: string): IssuedTokens {
    const accessToken = (this.options.formatAccessToken ?? ((r) => r))(rand(), grant);
    const issuedAt = Date.now();
    this.access.set(accessToken, { grant, expiresAt: issuedAt + this.options.accessTtlSeconds * 1000, refreshToken, revoked: false });
    return { accessToken, refreshToken, expiresIn: this.options.accessTtlSeconds, issuedAt, grant };
  }
}
