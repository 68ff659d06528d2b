import type { ParsedTokenSet, TokenEndpointError, VendorAuthSettings, VendorConnection, VendorEndpoints, VendorResponse } from '../contract';
import { call } from './api';

/**
 * Zoho Accounts OAuth 2.0 (vendor reference C1): multi data-centre. The authorize and token hosts
 * are the accounts server of the user's data centre (the callback's `accounts-server` query
 * parameter); the API base is the token answer's `api_domain`.
 */

/** Zoho accounts servers per data centre (US, EU, IN, AU, CN, JP, CA, SA). */
const ACCOUNTS_HOSTS = new Set([
  'accounts.zoho.com',
  'accounts.zoho.eu',
  'accounts.zoho.in',
  'accounts.zoho.com.au',
  'accounts.zoho.com.cn',
  'accounts.zoho.jp',
  'accounts.zohocloud.ca',
  'accounts.zoho.sa',
]);

/** Zoho CRM API domains per data centre, with the sandbox and developer variants (vendor reference C). */
const API_DOMAIN_SUFFIXES = ['com', 'eu', 'in', 'com.au', 'com.cn', 'jp', 'ca', 'sa'];
const API_HOSTS = new Set(API_DOMAIN_SUFFIXES.flatMap((tld) => ['www', 'sandbox', 'developer'].map((sub) => `${sub}.zohoapis.${tld}`)));

/** True when `url` is one of Zoho's own CRM API hosts over https. */
export function isZohoApiHost(url: URL): boolean {
  if (url.protocol !== 'https:' || url.username || url.password || (url.port !== '' && url.port !== '443')) return false;
  return API_HOSTS.has(url.hostname.toLowerCase());
}

export const DEFAULT_ACCOUNTS_SERVER = 'https://accounts.zoho.com';
export const DEFAULT_API_DOMAIN = 'https://www.zohoapis.com';

/** True when `url` is one of Zoho's own accounts servers over https (never trust another host from a callback query). */
export function isZohoAccountsServer(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && ACCOUNTS_HOSTS.has(u.hostname.toLowerCase()) && (u.port === '' || u.port === '443');
  } catch {
    return false;
  }
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

function endpoints(options: { sandboxBaseUrl?: string; authBaseUrl?: string }): VendorEndpoints {
  let accounts: string;
  let apiBaseUrl: string;
  if (options.sandboxBaseUrl) {
    // The emulator serves Zoho Accounts and the CRM API under one base URL (its README).
    accounts = trimSlash(options.authBaseUrl ?? options.sandboxBaseUrl);
    apiBaseUrl = trimSlash(options.sandboxBaseUrl);
  } else {
    if (options.authBaseUrl !== undefined && !isZohoAccountsServer(options.authBaseUrl)) {
      throw new Error(`not a Zoho accounts server: ${options.authBaseUrl}`);
    }
    accounts = trimSlash(options.authBaseUrl ? new URL(options.authBaseUrl).origin : DEFAULT_ACCOUNTS_SERVER);
    apiBaseUrl = DEFAULT_API_DOMAIN;
  }
  return {
    authorizeUrl: `${accounts}/oauth/v2/auth`,
    tokenUrl: `${accounts}/oauth/v2/token`,
    revokeUrl: `${accounts}/oauth/v2/token/revoke`,
    apiBaseUrl,
  };
}

/** Token errors meaning the code or refresh token is dead for good (re-link needed). */
const INVALID_GRANT_ERRORS = new Set(['invalid_code', 'invalid_grant', 'invalid_token']);

function asObject(body: unknown): Record<string, unknown> | null {
  if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  if (typeof body === 'string' && body.trim().startsWith('{')) {
    try {
      return asObject(JSON.parse(body));
    } catch {
      return null;
    }
  }
  return null;
}

function parseTokenResponse(status: number, body: unknown, context: { callbackParams?: Record<string, string> }): ParsedTokenSet | TokenEndpointError {
  const obj = asObject(body);
  // Zoho answers most token errors with HTTP 200 and {"error":"invalid_code"}.
  if (obj && typeof obj.error === 'string' && obj.error) {
    const error = obj.error;
    const description = typeof obj.error_description === 'string' && obj.error_description ? obj.error_description : error;
    return { error, description, invalidGrant: INVALID_GRANT_ERRORS.has(error) };
  }
  if (status < 200 || status >= 300) {
    const text = typeof body === 'string' ? body.slice(0, 200) : '';
    return { error: `http_${status}`, description: text || `Zoho token endpoint answered HTTP ${status}`, invalidGrant: false };
  }
  if (!obj || typeof obj.access_token !== 'string' || !obj.access_token) {
    return { error: 'invalid_response', description: 'Zoho token endpoint answered without an access_token', invalidGrant: false };
  }
  const out: ParsedTokenSet = { accessToken: obj.access_token };
  if (typeof obj.refresh_token === 'string' && obj.refresh_token) out.refreshToken = obj.refresh_token;
  // expires_in is seconds (3600); some Zoho services add expires_in_sec and then expires_in is ms.
  const sec = Number(obj.expires_in_sec);
  const raw = Number(obj.expires_in);
  if (Number.isFinite(sec) && sec > 0) out.expiresInSeconds = sec;
  else if (Number.isFinite(raw) && raw > 0) out.expiresInSeconds = raw > 100_000 ? Math.round(raw / 1000) : raw;
  else out.expiresInSeconds = null;
  if (typeof obj.api_domain === 'string' && obj.api_domain) out.apiBaseUrl = trimSlash(obj.api_domain);
  if (typeof obj.scope === 'string' && obj.scope) out.scopes = obj.scope;
  const server = context.callbackParams?.['accounts-server'];
  if (server) out.authBaseUrl = trimSlash(server);
  return out;
}

async function identify(conn: VendorConnection, _tokens: ParsedTokenSet): Promise<{ remoteAccountId: string; displayName?: string }> {
  const res = await call<{ org?: { id?: string; company_name?: string; zgid?: string }[] }>(conn, { method: 'GET', path: '/org' });
  const org = res.body?.org?.[0];
  const id = org?.id ?? org?.zgid;
  if (!id) throw new Error('Zoho /crm/v8/org answered without an org id');
  return { remoteAccountId: String(id), displayName: org?.company_name ?? undefined };
}

/**
 * Zoho documents no Retry-After on 429 (the client honours it first anyway). Some answers carry
 * X-RATELIMIT-RESET (epoch ms or s); otherwise wait about a second before retrying a 429, like the
 * official SDK's HTTP client.
 */
function retryDelayMs(res: VendorResponse): number | undefined {
  if (res.status !== 429) return undefined;
  const reset = Number(res.headers['x-ratelimit-reset']);
  if (Number.isFinite(reset) && reset > 0) {
    const ms = reset > 1e12 ? reset - Date.now() : reset > 1e9 ? reset * 1000 - Date.now() : reset * 1000;
    if (ms >= 0) return ms;
  }
  return 1000;
}

export const zohoAuth: VendorAuthSettings = {
  endpoints,
  defaultScopes: [
    'ZohoCRM.modules.ALL',
    'ZohoCRM.settings.fields.READ',
    'ZohoCRM.settings.layouts.READ',
    'ZohoCRM.settings.modules.READ',
    'ZohoCRM.settings.pipeline.READ',
    'ZohoCRM.users.READ',
    'ZohoCRM.org.READ',
    'ZohoCRM.notifications.ALL',
  ],
  scopeSeparator: ',',
  supportsPkce: true,
  extraAuthorizeParams: { access_type: 'offline', prompt: 'consent' },
  authorizationHeader: (accessToken) => `Zoho-oauthtoken ${accessToken}`,
  parseTokenResponse,
  identify,
  retryDelayMs,
  isOwnApiHost: isZohoApiHost,
  // The data centre of the user: only Zoho's own accounts servers are trusted (added by the hosted-link work).
  authBaseUrlFromCallback: (params) => {
    const server = params['accounts-server'];
    return server && isZohoAccountsServer(server) ? new URL(server).origin : undefined;
  },
};
