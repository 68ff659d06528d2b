import { type ParsedTokenSet, type TokenEndpointError, type VendorAuthSettings, type VendorConnection, type VendorEndpoints, VendorError, type VendorResponse } from '../contract';

/**
 * Salesforce OAuth 2.0 web-server flow (vendor-apis.md §A1). The login host is
 * login.salesforce.com (test.salesforce.com for sandboxes, or a My Domain host via `authBaseUrl`);
 * the API host is the token answer's `instance_url`. Access tokens carry no `expires_in` (their
 * lifetime is the org's session timeout), refresh answers carry no `refresh_token` (keep the old one)
 * unless rotation is on, and the org id is the first segment after /id/ of the `id` URL.
 */

export const SALESFORCE_API_VERSION = '62.0';
export const SALESFORCE_LOGIN_URL = 'https://login.salesforce.com';

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export function salesforceEndpoints(options: { sandboxBaseUrl?: string; authBaseUrl?: string }): VendorEndpoints {
  // The emulator serves the login host and the REST API under the same base (README "Routes").
  const login = trimSlash(options.authBaseUrl ?? options.sandboxBaseUrl ?? SALESFORCE_LOGIN_URL);
  return {
    authorizeUrl: `${login}/services/oauth2/authorize`,
    tokenUrl: `${login}/services/oauth2/token`,
    revokeUrl: `${login}/services/oauth2/revoke`,
    // Real Salesforce: the API host is only known from the token answer's instance_url.
    ...(options.sandboxBaseUrl ? { apiBaseUrl: trimSlash(options.sandboxBaseUrl) } : {}),
  };
}

/** The org and user ids of an identity URL `https://login.salesforce.com/id/<orgId>/<userId>`. */
export function parseIdentityUrl(id: unknown): { orgId: string; userId: string } | undefined {
  if (typeof id !== 'string') return undefined;
  const m = /\/id\/([a-zA-Z0-9]{15,18})\/([a-zA-Z0-9]{15,18})\/?$/.exec(id);
  return m ? { orgId: m[1]!, userId: m[2]! } : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function parseSalesforceTokenResponse(status: number, body: unknown): ParsedTokenSet | TokenEndpointError {
  let data: Record<string, unknown> | undefined;
  if (typeof body === 'string') {
    try {
      data = JSON.parse(body) as Record<string, unknown>;
    } catch {
      // Salesforce can answer urlencoded (format=urlencoded); accept it too.
      if (body.includes('=')) data = Object.fromEntries(new URLSearchParams(body));
    }
  } else if (body && typeof body === 'object' && !Array.isArray(body)) {
    data = body as Record<string, unknown>;
  }
  if (!data) {
    return { error: status >= 500 ? 'server_error' : 'invalid_response', description: `token endpoint answered ${status} without a readable body`, invalidGrant: false };
  }
  const error = str(data.error);
  if (error || status < 200 || status >= 300 || !str(data.access_token)) {
    const code = error ?? (status >= 500 ? 'server_error' : 'invalid_response');
    const description = str(data.error_description) ?? (error ? error : `token endpoint answered ${status} without an access token`);
    return { error: code, description, invalidGrant: code === 'invalid_grant' };
  }
  const ident = parseIdentityUrl(data.id);
  const parsed: ParsedTokenSet = {
    accessToken: data.access_token as string,
    // Absent on refresh (no rotation): undefined means "keep the one you have".
    refreshToken: str(data.refresh_token),
    expiresInSeconds: typeof data.expires_in === 'number' ? data.expires_in : str(data.expires_in) ? Number(data.expires_in) : null,
  };
  const instanceUrl = str(data.instance_url);
  if (instanceUrl) parsed.apiBaseUrl = trimSlash(instanceUrl);
  const scope = str(data.scope);
  if (scope) parsed.scopes = scope;
  if (ident) parsed.remoteAccountId = ident.orgId;
  return parsed;
}

/**
 * Who the token belongs to. The token answer's `id` URL names the org (always present at
 * Salesforce, parsed into `remoteAccountId`). Without it: `SELECT Id, Name FROM Organization`
 * (one row per org), and when that object is not queryable (restricted profiles, the emulator),
 * the access token's own prefix `00D…!`, which is the 15-character org id.
 */
export async function identifySalesforce(conn: VendorConnection, tokens: ParsedTokenSet): Promise<{ remoteAccountId: string; displayName?: string }> {
  if (tokens.remoteAccountId) return { remoteAccountId: tokens.remoteAccountId, displayName: displayNameOf(tokens.apiBaseUrl ?? conn.apiBaseUrl) };
  const res = await conn.request<{ records?: { Id?: string; Name?: string }[] }>({
    method: 'GET',
    path: `/services/data/v${SALESFORCE_API_VERSION}/query`,
    query: { q: 'SELECT Id, Name FROM Organization LIMIT 1' },
  });
  if (res.status === 401) throw new VendorError('salesforce', 401, 'INVALID_SESSION_ID', 'Session expired or invalid', 'auth');
  const row = res.status === 200 ? res.body?.records?.[0] : undefined;
  if (row?.Id) return { remoteAccountId: to18(row.Id), displayName: row.Name ?? displayNameOf(conn.apiBaseUrl) };
  const prefix = /^(00D[a-zA-Z0-9]{12})!/.exec(tokens.accessToken);
  if (prefix) return { remoteAccountId: to18(prefix[1]!), displayName: displayNameOf(conn.apiBaseUrl) };
  throw new VendorError('salesforce', res.status, 'UNKNOWN_ORG', 'could not tell which Salesforce org the token belongs to', 'other');
}

function displayNameOf(apiBaseUrl: string): string | undefined {
  try {
    return new URL(apiBaseUrl).host;
  } catch {
    return undefined;
  }
}

/** Salesforce's 15 -> 18 character id (case-safe checksum suffix). */
export function to18(id: string): string {
  if (id.length !== 15) return id;
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let flags = 0;
    for (let i = 0; i < 5; i++) {
      const c = id.charAt(block * 5 + i);
      if (c >= 'A' && c <= 'Z') flags |= 1 << i;
    }
    suffix += chars.charAt(flags);
  }
  return id + suffix;
}

/**
 * Salesforce REST core never answers 429 with Retry-After: the daily limit is a 403
 * REQUEST_LIMIT_EXCEEDED (not worth retrying inside a request: the window is 24 h rolling), and the
 * concurrent-request limit is REQUEST_LIMIT_EXCEEDED too. Hints: honour Retry-After when a proxy sends
 * one; for the concurrent limit wait a second; when `Sforce-Limit-Info` shows the daily budget spent,
 * say "an hour" so the client surfaces rate_limited instead of retrying.
 */
export function salesforceRetryDelayMs(res: VendorResponse): number | undefined {
  const retryAfter = res.headers['retry-after'];
  if (retryAfter !== undefined && Number.isFinite(Number(retryAfter))) return Number(retryAfter) * 1000;
  const usage = /api-usage=(\d+)\/(\d+)/.exec(res.headers['sforce-limit-info'] ?? '');
  if (usage && Number(usage[1]) >= Number(usage[2])) return 60 * 60 * 1000;
  if (res.status === 429 || res.status === 503) return 1000;
  return undefined;
}

/** A successful answer whose Sforce-Limit-Info shows the daily API budget spent: stop (surfaced as rate_limited). */
export function salesforceBudgetDelayMs(res: VendorResponse): number | undefined {
  const usage = /api-usage=(\d+)\/(\d+)/.exec(res.headers['sforce-limit-info'] ?? '');
  return usage && Number(usage[1]) >= Number(usage[2]) ? 60 * 60 * 1000 : undefined;
}

/**
 * Salesforce's own API hosts: My Domain (`*.my.salesforce.com`), legacy instances (`na1.salesforce.com`),
 * Experience Cloud / Visualforce hosts (`*.force.com`, `*.my.site.com`, `*.cloudforce.com`) and
 * Government Cloud (`*.salesforce.mil`), over https on the default port.
 */
export function isSalesforceApiHost(url: URL): boolean {
  if (url.protocol !== 'https:' || url.username || url.password || (url.port !== '' && url.port !== '443')) return false;
  const host = url.hostname.toLowerCase();
  return ['.salesforce.com', '.force.com', '.my.site.com', '.cloudforce.com', '.salesforce.mil'].some((suffix) => host.endsWith(suffix) && host.length > suffix.length);
}

export const salesforceAuth: VendorAuthSettings = {
  endpoints: salesforceEndpoints,
  defaultScopes: ['api', 'refresh_token'],
  scopeSeparator: ' ',
  supportsPkce: true,
  // No offline flag at Salesforce: the refresh_token scope is what grants a refresh token.
  extraAuthorizeParams: {},
  authorizationHeader: (accessToken) => `Bearer ${accessToken}`,
  parseTokenResponse: (status, body) => parseSalesforceTokenResponse(status, body),
  identify: identifySalesforce,
  retryDelayMs: salesforceRetryDelayMs,
  budgetDelayMs: salesforceBudgetDelayMs,
  isOwnApiHost: isSalesforceApiHost,
  // Production orgs log in at login.salesforce.com, sandbox orgs at test.salesforce.com (added by the hosted-link work).
  loginOptions: [
    { key: 'production', label: 'Production org', authBaseUrl: SALESFORCE_LOGIN_URL },
    { key: 'sandbox', label: 'Sandbox org (test.salesforce.com)', authBaseUrl: 'https://test.salesforce.com' },
  ],
};
