import { type VendorConnection, VendorError, type VendorResponse } from '../contract';
import { isUtcDateTimeHead } from '../datetimes';
import { SALESFORCE_API_VERSION } from './auth';

/**
 * Salesforce REST plumbing: paths, SOQL literals, queries (following nextRecordsUrl), describe
 * metadata with a short per-account cache, and the mapping of error answers to VendorError.
 */

export const DATA_PATH = `/services/data/v${SALESFORCE_API_VERSION}`;

export type SfRecord = Record<string, unknown> & { Id: string; attributes?: { type: string; url: string } };

/** An 18- or 15-character Salesforce id (anything else never reaches a SOQL literal). */
export function isSfId(value: unknown): value is string {
  return typeof value === 'string' && /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(value);
}

/** A SOQL string literal: backslash escapes for quote, backslash and control characters. */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

/** A LIKE pattern that matches `value` anywhere (its own % and _ escaped). */
export function soqlContains(value: string): string {
  const inner = soqlString(value).slice(1, -1).replace(/%/g, '\\%').replace(/_/g, '\\_');
  return `'%${inner}%'`;
}

/**
 * An unquoted SOQL datetime literal at second precision (the documented format
 * YYYY-MM-DDThh:mm:ssZ). Callers widen the bound to whole seconds and check the exact bound on
 * the mapped record.
 */
export function soqlDateTime(date: Date, round: 'floor' | 'ceil'): string {
  const ms = date.getTime();
  const s = round === 'floor' ? Math.floor(ms / 1000) * 1000 : Math.ceil(ms / 1000) * 1000;
  return new Date(s).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Salesforce datetime `2024-01-01T00:00:00.000+0000` (or a date `2024-01-01`) to ISO 8601 UTC. */
/** Salesforce's usual UTC form: the ISO string is a rewrite of the offset, no parse needed. */
const SF_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})\+0000$/;

export function toIso(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  if (value.length === 28 && value.endsWith('+0000') && isUtcDateTimeHead(value, true)) return `${value.slice(0, 23)}Z`;
  const utc = SF_UTC.exec(value);
  if (utc && !Number.isNaN(Date.parse(`${utc[1]}Z`))) return `${utc[1]}Z`;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T00:00:00.000Z`;
  const normalized = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const t = Date.parse(normalized);
  return Number.isNaN(t) ? value : new Date(t).toISOString();
}

/** ISO 8601 to a Salesforce date (UTC day). */
export function toSfDate(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  const t = Date.parse(String(value));
  if (Number.isNaN(t)) return String(value);
  return new Date(t).toISOString().slice(0, 10);
}

interface SfErrorItem {
  message?: string;
  errorCode?: string;
  fields?: string[];
}

/** Maps a non-2xx Salesforce answer to a VendorError (message and code verbatim). */
export function toVendorError(res: VendorResponse, fieldNames: (vendorField: string) => string = (f) => f): VendorError {
  const body = res.body;
  let item: SfErrorItem = {};
  if (Array.isArray(body) && body.length > 0 && typeof body[0] === 'object') item = body[0] as SfErrorItem;
  else if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as { error?: string; error_description?: string; message?: string; errorCode?: string };
    item = { errorCode: b.errorCode ?? b.error, message: b.message ?? b.error_description };
  }
  const code = item.errorCode ?? `HTTP_${res.status}`;
  const message = item.message ?? (typeof body === 'string' && body ? body.slice(0, 500) : `Salesforce answered ${res.status}`);
  const fields = (item.fields ?? []).map(fieldNames);
  let kind: VendorError['kind'];
  if (code === 'REQUEST_LIMIT_EXCEEDED' || res.status === 429) kind = 'rate_limited';
  else if (code === 'DUPLICATES_DETECTED' || code === 'DUPLICATE_VALUE') kind = 'duplicate';
  else if (res.status === 404 || code === 'NOT_FOUND' || code === 'ENTITY_IS_DELETED') kind = 'not_found';
  else if (res.status === 401 || code === 'INVALID_SESSION_ID') kind = 'auth';
  else if (res.status >= 500) kind = 'unavailable';
  else if (res.status === 400) kind = 'validation';
  else kind = 'other';
  const retryAfter = Number(res.headers['retry-after']);
  return new VendorError('salesforce', res.status, code, message, kind, fields, Number.isFinite(retryAfter) && res.headers['retry-after'] ? retryAfter : undefined);
}

interface QueryResponse {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: SfRecord[];
}

/** Runs a SOQL query (queryAll when `all`), following nextRecordsUrl until done. */
export async function soql(conn: VendorConnection, query: string, all = false): Promise<SfRecord[]> {
  let res = await conn.request<QueryResponse>({ method: 'GET', path: `${DATA_PATH}/${all ? 'queryAll' : 'query'}`, query: { q: query } });
  if (res.status !== 200) throw toVendorError(res);
  const records = [...res.body.records];
  while (!res.body.done && res.body.nextRecordsUrl) {
    res = await conn.request<QueryResponse>({ method: 'GET', path: res.body.nextRecordsUrl });
    if (res.status !== 200) throw toVendorError(res);
    records.push(...res.body.records);
  }
  return records;
}

export interface SfFieldDescribe {
  name: string;
  label: string;
  type: string;
  custom: boolean;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate: boolean;
  inlineHelpText?: string | null;
  picklistValues?: { active?: boolean; value: string; label?: string }[];
  referenceTo?: string[];
}

export interface SfDescribe {
  name: string;
  fields: SfFieldDescribe[];
  byName: Map<string, SfFieldDescribe>;
}

const DESCRIBE_TTL_MS = 5 * 60_000;
const describeCache = new Map<string, { at: number; value: Promise<SfDescribe> }>();

/** `/sobjects/X/describe`, cached per linked account and object for five minutes (in-flight calls shared). */
export function describe(conn: VendorConnection, object: string): Promise<SfDescribe> {
  const key = `${conn.linkedAccountId}|${conn.apiBaseUrl}|${object}`;
  const hit = describeCache.get(key);
  if (hit && Date.now() - hit.at < DESCRIBE_TTL_MS) return hit.value;
  const value = (async () => {
    const res = await conn.request<{ name: string; fields: SfFieldDescribe[] }>({ method: 'GET', path: `${DATA_PATH}/sobjects/${object}/describe` });
    if (res.status !== 200) throw toVendorError(res);
    return { name: res.body.name, fields: res.body.fields, byName: new Map(res.body.fields.map((f) => [f.name, f])) };
  })();
  value.catch(() => describeCache.delete(key));
  if (describeCache.size > 5000) describeCache.delete(describeCache.keys().next().value as string);
  describeCache.set(key, { at: Date.now(), value });
  return value;
}

/** Forget cached metadata (tests; after a schema change). */
export function clearDescribeCache(): void {
  describeCache.clear();
}

/**
 * Field types a multi-row SOQL SELECT cannot (compound address/location) or should not (base64
 * blobs) name; their parts are separate fields.
 */
const UNSELECTABLE_TYPES = new Set(['address', 'location', 'base64', 'complexvalue']);

export function selectableFields(d: SfDescribe): string[] {
  return d.fields.filter((f) => !UNSELECTABLE_TYPES.has(f.type)).map((f) => f.name);
}
