import { VendorError, type VendorConnection, type VendorRequest, type VendorResponse } from '../contract';
import { isUtcDateTimeHead } from '../datetimes';

/**
 * Zoho CRM API v8 plumbing shared by the adapter: paths, error mapping (section C5 of the vendor
 * reference: a top-level `{code, details, message, status:"error"}` object, per-record errors inside
 * `data[i]` of write answers) and small helpers.
 */

export const API_PREFIX = '/crm/v8';

export interface ZohoErrorBody {
  code?: string;
  message?: string;
  status?: string;
  details?: Record<string, unknown>;
}

/** Which VendorError kind a Zoho error code / HTTP status is. */
export function kindOf(status: number, code: string): VendorError['kind'] {
  switch (code) {
    case 'DUPLICATE_DATA':
      return 'duplicate';
    case 'INVALID_TOKEN':
    case 'AUTHENTICATION_FAILURE':
    case 'OAUTH_SCOPE_MISMATCH':
    case 'NO_PERMISSION':
      return 'auth';
    case 'TOO_MANY_REQUESTS':
      return 'rate_limited';
    case 'INTERNAL_ERROR':
      return 'unavailable';
    case 'MANDATORY_NOT_FOUND':
    case 'INVALID_DATA':
    case 'REQUIRED_PARAM_MISSING':
    case 'LIMIT_EXCEEDED':
    case 'INVALID_QUERY':
    case 'DISCRETE_PAGINATION_LIMIT_EXCEEDED':
    case 'LIMIT_REACHED':
    case 'INVALID_MODULE':
    case 'INVALID_REQUEST':
    case 'DEPENDENT_FIELD_MISSING':
    case 'DEPENDENT_MISMATCH':
    case 'MULTIPLE_OR_MULTI_ERRORS':
    case 'RECORD_LOCKED':
    case 'CANNOT_PERFORM_ACTION':
    case 'AMBIGUITY_DURING_PROCESSING':
      return 'validation';
    case 'INVALID_URL_PATTERN':
    case 'NOT_FOUND':
      return 'not_found';
  }
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  if (status >= 400) return 'validation';
  return 'other';
}

/** The vendor field API name an error is about, when Zoho says (details.api_name / json_path). */
export function errorField(details: Record<string, unknown> | undefined): string | undefined {
  if (!details) return undefined;
  if (typeof details.api_name === 'string') return details.api_name;
  if (typeof details.json_path === 'string') {
    const m = /\.([A-Za-z0-9_$]+)$/.exec(details.json_path);
    if (m) return m[1];
  }
  return undefined;
}

/** A Zoho error object (top level or one `data[i]`) as a VendorError. */
export function vendorError(status: number, body: ZohoErrorBody | null | undefined, fieldNames: (vendorField: string) => string[] = (f) => [f], headers?: Record<string, string>): VendorError {
  let code = body && typeof body === 'object' && typeof body.code === 'string' ? body.code : '';
  let message = body && typeof body === 'object' && typeof body.message === 'string' ? body.message : '';
  if (!code) code = status === 0 ? 'NETWORK_ERROR' : `HTTP_${status}`;
  if (!message) message = typeof body === 'string' && body ? String(body).slice(0, 300) : `Zoho answered HTTP ${status}`;
  const vf = errorField(body?.details);
  let kind = kindOf(status, code);
  // "the id given seems to be invalid" about the record id itself (not a lookup field) is a missing record.
  if (code === 'INVALID_DATA' && /id given seems to be invalid/i.test(message) && (vf === undefined || vf === 'id')) kind = 'not_found';
  const retryAfter = headers?.['retry-after'] ? Number(headers['retry-after']) : undefined;
  return new VendorError('zoho', status, code, message, kind, vf && vf !== 'id' ? fieldNames(vf) : [], Number.isFinite(retryAfter) ? retryAfter : undefined);
}

/** Throws the VendorError of a non-2xx answer (204/304 are success without data). */
export function ensureOk<T>(res: VendorResponse<T>): VendorResponse<T> {
  if (res.status >= 200 && res.status < 300) return res;
  if (res.status === 304) return res;
  throw vendorError(res.status, res.body as ZohoErrorBody, undefined, res.headers);
}

/** GET/PUT/... under /crm/v8, throwing VendorError on failure. */
export async function call<T>(conn: VendorConnection, req: VendorRequest): Promise<VendorResponse<T>> {
  const res = await conn.request<T>({ ...req, path: `${API_PREFIX}${req.path}` });
  return ensureOk(res);
}

/** Zoho datetimes carry an offset (2024-01-01T10:00:00+05:30): normalize to ISO 8601 UTC. */
/** Zoho's UTC form (2024-01-01T10:00:00+00:00): the ISO string is a rewrite, no parse and format. */
const ZOHO_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\+00:00$/;

export function isoUtc(value: unknown): string | null {
  if (typeof value !== 'string' || !value) return null;
  if (value.length === 25 && value.endsWith('+00:00') && isUtcDateTimeHead(value, false)) return `${value.slice(0, 19)}.000Z`;
  const utc = ZOHO_UTC.exec(value);
  if (utc && !Number.isNaN(Date.parse(`${utc[1]}Z`))) return `${utc[1]}.000Z`;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** A Date as Zoho's datetime (second precision, explicit offset): 2024-01-01T10:00:00+00:00. */
export function zohoDateTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** A common datetime as a Zoho date (YYYY-MM-DD). */
export function zohoDate(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  const s = String(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? s : new Date(ms).toISOString().slice(0, 10);
}

/** Escapes a value for Zoho search criteria (parentheses and commas are special). */
export function criteriaValue(value: string): string {
  return value.replace(/([(),])/g, '\\$1');
}
