import { VendorError, type ParsedTokenSet, type RateWindowHint, type TokenEndpointError, type VendorAuthSettings, type VendorConnection, type VendorEndpoints, type VendorResponse } from '../contract';

/**
 * HubSpot OAuth 2.0 (authorization code with PKCE, token endpoint v1, 30-minute access tokens,
 * non-rotating refresh tokens) and rate-limit hints.
 *
 * - Real vendor: consent at https://app.hubspot.com/oauth/authorize (or `authBaseUrl`, e.g. an EU
 *   app host), token at https://api.hubapi.com/oauth/v1/token, API base always https://api.hubapi.com.
 * - Emulator (`sandboxBaseUrl`): the same paths under the mount point.
 */

export const HUBSPOT_API_BASE = 'https://api.hubapi.com';
export const HUBSPOT_APP_BASE = 'https://app.hubspot.com';

/** Scopes every install needs (tasks, notes, calls, meetings and emails ride on the contacts scopes). */
export const HUBSPOT_REQUIRED_SCOPES = [
  'oauth',
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.companies.read',
  'crm.objects.companies.write',
  'crm.objects.deals.read',
  'crm.objects.deals.write',
  'crm.objects.owners.read',
];

/**
 * Scopes asked as `optional_scope`: the leads object exists only on some HubSpot tiers, and the
 * schema scopes widen property metadata; a portal without them can still install the app.
 */
export const HUBSPOT_OPTIONAL_SCOPES = [
  'crm.objects.leads.read',
  'crm.objects.leads.write',
  'crm.schemas.contacts.read',
  'crm.schemas.companies.read',
  'crm.schemas.deals.read',
];

/** Token-endpoint error statuses after which the grant is dead for good (re-link needed). */
const DEAD_GRANT_STATUSES = new Set(['BAD_REFRESH_TOKEN', 'BAD_AUTH_CODE', 'BAD_CODE_VERIFIER', 'BAD_REDIRECT_URI', 'INVALID_GRANT', 'EXPIRED_REFRESH_TOKEN']);

const trimSlash = (s: string) => s.replace(/\/+$/, '');

function endpoints(options: { sandboxBaseUrl?: string; authBaseUrl?: string }): VendorEndpoints {
  if (options.sandboxBaseUrl) {
    const base = trimSlash(options.sandboxBaseUrl);
    return {
      authorizeUrl: `${options.authBaseUrl ? trimSlash(options.authBaseUrl) : base}/oauth/authorize`,
      tokenUrl: `${base}/oauth/v1/token`,
      revokeUrl: `${base}/oauth/v3/token/revoke`,
      apiBaseUrl: base,
    };
  }
  return {
    authorizeUrl: `${options.authBaseUrl ? trimSlash(options.authBaseUrl) : HUBSPOT_APP_BASE}/oauth/authorize`,
    tokenUrl: `${HUBSPOT_API_BASE}/oauth/v1/token`,
    // RFC 7009 style (form: token, client_id, client_secret). v1 also has DELETE /oauth/v1/refresh-tokens/{token}.
    revokeUrl: `${HUBSPOT_API_BASE}/oauth/v3/token/revoke`,
    apiBaseUrl: HUBSPOT_API_BASE,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

function parseTokenResponse(status: number, body: unknown, _context: { callbackParams?: Record<string, string> }): ParsedTokenSet | TokenEndpointError {
  let parsed = body;
  if (typeof parsed === 'string') {
    try {
      parsed = JSON.parse(parsed);
    } catch {
      // not JSON: an HTML error page or plain text
    }
  }
  if (status >= 200 && status < 300 && isObject(parsed) && str(parsed.access_token)) {
    const expires = Number(parsed.expires_in);
    const scopes = Array.isArray(parsed.scopes) ? parsed.scopes.map(String).join(' ') : str(parsed.scope);
    const out: ParsedTokenSet = {
      accessToken: str(parsed.access_token)!,
      expiresInSeconds: Number.isFinite(expires) && expires > 0 ? expires : null,
    };
    // A refresh answer may omit refresh_token: leave it undefined so the stored one is kept.
    const refresh = str(parsed.refresh_token);
    if (refresh) out.refreshToken = refresh;
    if (scopes) out.scopes = scopes;
    const hubId = str(parsed.hub_id);
    if (hubId) out.remoteAccountId = hubId;
    return out;
  }
  if (isObject(parsed)) {
    // HubSpot: {status: "BAD_REFRESH_TOKEN", message, correlationId}; generic errors {status: "error", category, message};
    // OAuth standard (v3 endpoints): {error: "invalid_grant", error_description}.
    const hubStatus = str(parsed.status);
    const code =
      (hubStatus && hubStatus !== 'error' ? hubStatus : undefined) ?? str(parsed.error) ?? str(parsed.category) ?? hubStatus ?? `HTTP_${status}`;
    const description = str(parsed.message) ?? str(parsed.error_description) ?? `HubSpot token endpoint answered ${status}`;
    return { error: code, description, invalidGrant: DEAD_GRANT_STATUSES.has(code.toUpperCase()) };
  }
  const text = typeof parsed === 'string' ? parsed.slice(0, 300) : '';
  return {
    error: status >= 200 && status < 300 ? 'MISSING_ACCESS_TOKEN' : `HTTP_${status}`,
    description: text || `HubSpot token endpoint answered ${status} without an access token`,
    invalidGrant: false,
  };
}

/** GET /oauth/v1/access-tokens/{token}: hub_id (the portal) and hub_domain of the token's account. */
async function identify(conn: VendorConnection, tokens: ParsedTokenSet): Promise<{ remoteAccountId: string; displayName?: string }> {
  const res = await conn.request<Record<string, unknown>>({
    method: 'GET',
    path: `/oauth/v1/access-tokens/${encodeURIComponent(tokens.accessToken)}`,
  });
  if (res.status === 200 && isObject(res.body) && str(res.body.hub_id)) {
    const domain = str(res.body.hub_domain);
    return { remoteAccountId: str(res.body.hub_id)!, ...(domain ? { displayName: domain } : {}) };
  }
  if (tokens.remoteAccountId) return { remoteAccountId: tokens.remoteAccountId };
  const b = isObject(res.body) ? res.body : {};
  throw new VendorError(
    'hubspot',
    res.status,
    str(b.status) ?? str(b.category) ?? `HTTP_${res.status}`,
    str(b.message) ?? 'HubSpot did not describe the access token',
    res.status === 401 || res.status === 403 || res.status === 404 ? 'auth' : res.status >= 500 ? 'unavailable' : 'other',
  );
}

/**
 * How long to wait after a HubSpot 429 (HubSpot sends no Retry-After): the secondly policy clears
 * within a second, the rolling ten-second policy within its interval; a daily limit does not clear
 * soon, so a long value makes the client surface it as rate_limited instead of waiting.
 */
export function hubspotRetryDelayMs(res: VendorResponse): number | undefined {
  if (res.status !== 429) return undefined;
  const h = res.headers;
  const body = isObject(res.body) ? res.body : {};
  const policy = str(body.policyName)?.toUpperCase();
  const interval = Number(h['x-hubspot-ratelimit-interval-milliseconds']);
  if (policy === 'DAILY' || h['x-hubspot-ratelimit-daily-remaining'] === '0') return 3_600_000;
  if (policy === 'SECONDLY' || h['x-hubspot-ratelimit-secondly-remaining'] === '0' || /secondly limit/i.test(str(body.message) ?? '')) return 1_000;
  if (policy === 'TEN_SECONDLY_ROLLING' || h['x-hubspot-ratelimit-remaining'] === '0') return Number.isFinite(interval) && interval > 0 ? Math.min(interval, 10_000) : 10_000;
  return 1_000;
}

/**
 * Budget headers of a successful HubSpot answer: a spent daily allowance is surfaced as
 * rate_limited by the long value. The ten-second and secondly windows are rolling (policy
 * TEN_SECONDLY_ROLLING): they are paced request by request from `hubspotRateWindows`, not by
 * pausing a whole interval once `-Remaining` reaches 0 (that idled most of the next window).
 */
export function hubspotBudgetDelayMs(res: VendorResponse): number | undefined {
  return res.headers['x-hubspot-ratelimit-daily-remaining'] === '0' ? 3_600_000 : undefined;
}

function headerInt(res: VendorResponse, name: string): number | undefined {
  const raw = res.headers[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/**
 * HubSpot's rolling windows from an answer's headers: X-HubSpot-RateLimit-Max / -Remaining over
 * -Interval-Milliseconds (OAuth apps: 110 per 10 s per installed account), and -Secondly /
 * -Secondly-Remaining over one second when HubSpot sends them.
 */
export function hubspotRateWindows(res: VendorResponse): RateWindowHint[] {
  const out: RateWindowHint[] = [];
  const max = headerInt(res, 'x-hubspot-ratelimit-max');
  const remaining = headerInt(res, 'x-hubspot-ratelimit-remaining');
  const interval = headerInt(res, 'x-hubspot-ratelimit-interval-milliseconds') ?? 10_000;
  if (max !== undefined && max > 0 && remaining !== undefined && interval > 0) out.push({ name: 'interval', limit: max, remaining, windowMs: interval });
  const secondly = headerInt(res, 'x-hubspot-ratelimit-secondly');
  const secondlyRemaining = headerInt(res, 'x-hubspot-ratelimit-secondly-remaining');
  if (secondly !== undefined && secondly > 0 && secondlyRemaining !== undefined) out.push({ name: 'secondly', limit: secondly, remaining: secondlyRemaining, windowMs: 1_000 });
  return out;
}

/** HubSpot's API hosts (the EU data centre has its own), https on the default port. */
const HUBSPOT_API_HOSTS = new Set(['api.hubapi.com', 'api.hubspot.com', 'api-eu1.hubapi.com']);

export function isHubspotApiHost(url: URL): boolean {
  if (url.protocol !== 'https:' || url.username || url.password || (url.port !== '' && url.port !== '443')) return false;
  return HUBSPOT_API_HOSTS.has(url.hostname.toLowerCase());
}

export const hubspotAuth: VendorAuthSettings = {
  endpoints,
  defaultScopes: HUBSPOT_REQUIRED_SCOPES,
  scopeSeparator: ' ',
  supportsPkce: true,
  extraAuthorizeParams: { optional_scope: HUBSPOT_OPTIONAL_SCOPES.join(' ') },
  authorizationHeader: (accessToken: string) => `Bearer ${accessToken}`,
  parseTokenResponse,
  identify,
  retryDelayMs: hubspotRetryDelayMs,
  budgetDelayMs: hubspotBudgetDelayMs,
  rateWindows: hubspotRateWindows,
  isOwnApiHost: isHubspotApiHost,
};
