import { ApiError } from '../errors/api-error';

/**
 * SSRF guard of pass-through: the caller names a path (and maybe a base URL and headers); the
 * request must stay on the linked account's vendor API host, carry only our credentials, and
 * leave no room for request smuggling. Everything is checked before any outbound request.
 */

const MAX_PATH_LENGTH = 4096;
const MAX_HEADERS = 50;
const MAX_HEADER_VALUE_LENGTH = 8192;

/** Control characters (CR, LF, NUL, ...), whitespace and DEL: never part of a request line. */
// eslint-disable-next-line no-control-regex
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * Percent-escapes that change how a path is split or resolved once a server (or proxy) decodes
 * them: "." "/" "\\" "%" (double encoding), ":", "?", "#", spaces and control characters. Legitimate
 * CRM paths never need them in the path part; query values may carry anything.
 */
const DANGEROUS_PATH_ESCAPE = /%(2e|2f|5c|25|3a|3f|23|0[0-9a-f]|1[0-9a-f]|7f|20)/i;

/** Header names the caller may not set: our authentication, tenant selection, hop-by-hop and routing headers. */
const FORBIDDEN_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'cookie2',
  'x-account-token',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'forwarded',
  'via',
  'x-real-ip',
]);
/** Any name that looks like a credential or a routing override (x-api-key, x-auth-token, x-forwarded-host, ...). */
const FORBIDDEN_HEADER_PATTERN = /auth|token|cookie|session|api-?key|secret|password|^proxy-|^x-forwarded-|^x-original-|^x-rewrite-|^x-http-method/i;
/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const fail = (pointer: string, detail: string): never => {
  throw ApiError.invalidField(pointer, detail);
};

/** Decodes percent-escapes until stable (bounded), so "%252e%252e" is judged as "..". */
function decodeFully(value: string): string {
  let current = value;
  for (let i = 0; i < 4; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return fail('/body/path', 'contains a malformed percent-escape');
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/**
 * Validates a pass-through path and returns it split into the path part and the raw query string
 * ("" or "?a=b"). The path must be relative to the vendor's API base: it starts with a single "/",
 * has no scheme, host, userinfo, fragment, "." or ".." segment, backslash or control character, in
 * any encoding.
 */
export function validatePassthroughPath(input: unknown): { pathname: string; search: string } {
  const pointer = '/body/path';
  if (typeof input !== 'string' || input.length === 0) return fail(pointer, 'must be a non-empty string');
  if (input.length > MAX_PATH_LENGTH) return fail(pointer, `must be at most ${MAX_PATH_LENGTH} characters`);
  if (CONTROL_OR_SPACE.test(input)) return fail(pointer, 'must not contain spaces or control characters (CR, LF, NUL...)');
  if (input.includes('\\')) return fail(pointer, 'must not contain backslashes');
  if (input.includes('#')) return fail(pointer, 'must not contain a fragment (#)');
  if (/^[a-z][a-z0-9+.-]*:/i.test(input)) return fail(pointer, 'must be a path relative to the vendor API base, not an absolute URL');
  if (!input.startsWith('/')) return fail(pointer, 'must start with "/" (relative to the vendor API base)');
  if (input.startsWith('//')) return fail(pointer, 'must not start with "//" (a scheme-relative URL names another host)');

  const q = input.indexOf('?');
  const pathname = q < 0 ? input : input.slice(0, q);
  const search = q < 0 ? '' : input.slice(q);
  if (DANGEROUS_PATH_ESCAPE.test(pathname)) return fail(pointer, 'must not percent-encode ".", "/", "\\", "%", ":", "?", "#", spaces or control characters in the path');
  const decoded = decodeFully(pathname);
  if (CONTROL_OR_SPACE.test(decoded) || decoded.includes('\\')) return fail(pointer, 'must not contain encoded backslashes, spaces or control characters');
  if (decoded.startsWith('//')) return fail(pointer, 'must not start with "//" in any encoding');
  // "@" stays: after our origin and the leading "/" it is only a path character (HubSpot reads contacts by e-mail).
  const segments = decoded.split('/');
  if (segments.some((s) => s === '.' || s === '..')) return fail(pointer, 'must not contain "." or ".." segments');
  if (search) {
    const decodedQuery = decodeFully(search.slice(1).replace(/\+/g, ' ').replace(/ /g, '%20'));
    if (CONTROL.test(decodedQuery)) return fail(pointer, 'the query string must not contain encoded CR, LF or other control characters');
  }
  return { pathname, search };
}

/**
 * The absolute URL of a validated path on a base, and proof that it stays there: same origin and
 * under the base's path. The pass-through service calls it with the account's real API base.
 */
export function resolveOnBase(base: string, path: { pathname: string; search: string }, pointer = '/body/path'): URL {
  const baseUrl = new URL(base);
  const basePath = baseUrl.pathname.replace(/\/+$/, '');
  const url = new URL(baseUrl.origin + basePath + path.pathname + path.search);
  if (url.origin !== baseUrl.origin || !(url.pathname === basePath || url.pathname.startsWith(`${basePath}/`))) {
    return fail(pointer, "resolves outside the vendor's API base");
  }
  return url;
}

/** A literal IPv4 or IPv6 host (never an API host of ours: they are names). */
function isIpLiteral(hostname: string): boolean {
  return hostname.startsWith('[') || /^\d+(\.\d+){0,3}$/.test(hostname) || /^0x[0-9a-f]+/i.test(hostname);
}

/**
 * Validates `base_url_override`: an absolute https URL (http only for sandbox emulators) with no
 * credentials, query or fragment, on a host the caller is allowed to reach: for sandbox accounts
 * the emulator's base only; otherwise one of the vendor's own API hosts (`isOwnApiHost`).
 */
export function validateBaseUrlOverride(
  input: unknown,
  allowed: { accountBase: string; isSandbox: boolean; isOwnApiHost?: (url: URL) => boolean },
): string {
  const pointer = '/body/base_url_override';
  if (typeof input !== 'string' || input.length === 0) return fail(pointer, 'must be a non-empty string');
  if (input.length > 2048) return fail(pointer, 'must be at most 2048 characters');
  if (CONTROL_OR_SPACE.test(input) || input.includes('\\')) return fail(pointer, 'must not contain spaces, backslashes or control characters');
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return fail(pointer, 'must be an absolute URL such as https://<your vendor API host>');
  }
  const authority = /^[a-z][a-z0-9+.-]*:\/*([^/]*)/i.exec(input)?.[1] ?? '';
  if (url.username || url.password || authority.includes('@')) return fail(pointer, 'must not contain credentials (user@host)');
  if (url.search || url.hash || input.includes('?') || input.includes('#')) return fail(pointer, 'must not contain a query or fragment');
  // Judged on the raw input too: the URL parser already resolved "%2e%2e" and "..".
  if (DANGEROUS_PATH_ESCAPE.test(input) || /\/\.{1,2}(\/|$)/.test(input) || decodeFully(url.pathname).split('/').some((s) => s === '.' || s === '..')) {
    return fail(pointer, 'must not contain encoded or dot segments in its path');
  }
  if (allowed.isSandbox) {
    const base = new URL(allowed.accountBase);
    const basePath = base.pathname.replace(/\/+$/, '');
    const path = url.pathname.replace(/\/+$/, '');
    if (url.origin !== base.origin || !(path === basePath || path.startsWith(`${basePath}/`))) {
      return fail(pointer, "must be on this sandbox account's emulator");
    }
    return url.origin + path;
  }
  if (url.protocol !== 'https:') return fail(pointer, 'must use https');
  if (isIpLiteral(url.hostname)) return fail(pointer, "must name the vendor's API host, not an IP address");
  if (!allowed.isOwnApiHost?.(url)) return fail(pointer, "must be one of this vendor's own API hosts");
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/**
 * Validates caller headers: plain names and single-line values; nothing that touches
 * authentication, tenant selection, framing or routing. Answers lower-cased names.
 */
export function validatePassthroughHeaders(input: unknown): Record<string, string> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) return fail('/body/headers', 'must be an object of header names to values');
  const entries = Object.entries(input as Record<string, unknown>);
  if (entries.length > MAX_HEADERS) return fail('/body/headers', `at most ${MAX_HEADERS} headers`);
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    const pointer = `/body/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!HEADER_NAME.test(name)) fail(pointer, 'is not a valid header name');
    const lower = name.toLowerCase();
    if (FORBIDDEN_HEADERS.has(lower) || FORBIDDEN_HEADER_PATTERN.test(lower)) {
      fail(pointer, 'may not be set: Switchboard sends the linked account\'s credentials and controls authentication, cookies and routing headers');
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') fail(pointer, 'must be a string, number or boolean');
    const text = String(value);
    if (text.length > MAX_HEADER_VALUE_LENGTH) fail(pointer, `must be at most ${MAX_HEADER_VALUE_LENGTH} characters`);
    if (CONTROL.test(text)) fail(pointer, 'must not contain CR, LF or other control characters');
    if (out[lower] !== undefined) fail(pointer, 'is given twice (header names are case-insensitive)');
    out[lower] = text;
  }
  return out;
}
