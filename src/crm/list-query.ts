import { createHash } from 'node:crypto';
import { ApiError } from '../errors/api-error';
import { type ModelName, MODELS, relationFields } from '../models/spec';

/**
 * The query string of list and retrieve routes, validated: a malformed value is a 400 naming the
 * parameter; unknown parameters are ignored (Merge SDKs send extras).
 */

export interface ParsedListQuery {
  pageSize: number;
  cursor?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  modifiedAfter?: Date;
  modifiedBefore?: Date;
  remoteId?: string;
  includeDeleted: boolean;
  includeRemoteData: boolean;
  includeRemoteFields: boolean;
  expand: string[];
  /** Model-specific filters: relation param -> our UUID; others -> value. */
  relations: Record<string, string>;
  strings: Record<string, string>;
  enums: Record<string, string>;
  email?: string;
  phone?: string;
  datetimes: Record<string, { gt?: Date; lt?: Date }>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

type Raw = Record<string, unknown>;

function one(raw: Raw, name: string): string | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return one({ [name]: v[v.length - 1] }, name);
  return String(v);
}

export function parseDate(value: string, pointer: string): Date {
  const date = ISO.test(value) ? new Date(value.replace(' ', 'T')) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw ApiError.invalidField(pointer, `must be an ISO 8601 datetime such as 2024-01-31T12:00:00Z (got "${value}")`);
  return date;
}

export function parseBool(value: string | undefined, pointer: string): boolean {
  if (value === undefined || value === '') return false;
  if (value === 'true' || value === '1' || value === 'True') return true;
  if (value === 'false' || value === '0' || value === 'False') return false;
  throw ApiError.invalidField(pointer, `must be true or false (got "${value}")`);
}

export function parseUuid(value: string, pointer: string): string {
  if (!UUID.test(value)) throw ApiError.invalidField(pointer, `must be a UUID (got "${value}")`);
  return value.toLowerCase();
}

/** `expand` may come comma-separated or repeated (SDKs serialize lists both ways). */
function expandParam(raw: Raw): string | undefined {
  const v = raw.expand;
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.map(String).join(',') : String(v);
}

export function parseExpand(model: ModelName, raw: string | undefined): string[] {
  if (!raw) return [];
  const allowed = relationFields(model).map((r) => r.field);
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!allowed.includes(name)) {
      throw ApiError.invalidField('/query/expand', `"${name}" cannot be expanded on ${model}; expandable: ${allowed.join(', ') || 'none'}`);
    }
  }
  return [...new Set(names)];
}

export function parseListQuery(model: ModelName, raw: Raw): ParsedListQuery {
  const pageSizeRaw = one(raw, 'page_size');
  let pageSize = 100;
  if (pageSizeRaw !== undefined) {
    if (!/^\d+$/.test(pageSizeRaw) || Number(pageSizeRaw) < 1 || Number(pageSizeRaw) > 100) {
      throw ApiError.invalidField('/query/page_size', `must be an integer between 1 and 100 (got "${pageSizeRaw}")`);
    }
    pageSize = Number(pageSizeRaw);
  }
  const date = (name: string) => {
    const v = one(raw, name);
    return v === undefined || v === '' ? undefined : parseDate(v, `/query/${name}`);
  };
  const q: ParsedListQuery = {
    pageSize,
    cursor: one(raw, 'cursor') || undefined,
    createdAfter: date('created_after'),
    createdBefore: date('created_before'),
    modifiedAfter: date('modified_after'),
    modifiedBefore: date('modified_before'),
    remoteId: one(raw, 'remote_id') || undefined,
    includeDeleted: parseBool(one(raw, 'include_deleted_data'), '/query/include_deleted_data'),
    includeRemoteData: parseBool(one(raw, 'include_remote_data'), '/query/include_remote_data'),
    includeRemoteFields: parseBool(one(raw, 'include_remote_fields'), '/query/include_remote_fields'),
    expand: parseExpand(model, expandParam(raw)),
    relations: {},
    strings: {},
    enums: {},
    datetimes: {},
  };
  for (const f of MODELS[model].filters) {
    const v = one(raw, f.param);
    if (v === undefined || v === '') continue;
    const pointer = `/query/${f.param}`;
    switch (f.kind) {
      case 'relation':
        q.relations[f.field] = parseUuid(v, pointer);
        break;
      case 'enum':
        if (!f.values.includes(v)) throw ApiError.invalidField(pointer, `must be one of ${f.values.join(', ')} (got "${v}")`);
        q.enums[f.field] = v;
        break;
      case 'string':
        q.strings[f.field] = v;
        break;
      case 'email':
        q.email = v;
        break;
      case 'phone':
        q.phone = v;
        break;
      case 'datetime': {
        const d = parseDate(v, pointer);
        q.datetimes[f.field] = { ...q.datetimes[f.field], [f.op]: d };
        break;
      }
    }
  }
  return q;
}

/** What a cursor is bound to: every filter, so a cursor cannot be reused with other filters. */
export function filterFingerprint(q: ParsedListQuery): string {
  const material = JSON.stringify([
    q.createdAfter?.toISOString(),
    q.createdBefore?.toISOString(),
    q.modifiedAfter?.toISOString(),
    q.modifiedBefore?.toISOString(),
    q.remoteId,
    q.includeDeleted,
    q.relations,
    q.strings,
    q.enums,
    q.email,
    q.phone,
    Object.fromEntries(Object.entries(q.datetimes).map(([k, v]) => [k, [v.gt?.toISOString(), v.lt?.toISOString()]])),
  ]);
  return createHash('sha256').update(material).digest('base64url').slice(0, 16);
}

export function parseRetrieveQuery(model: ModelName, raw: Raw) {
  return {
    expand: parseExpand(model, expandParam(raw)),
    includeRemoteData: parseBool(one(raw, 'include_remote_data'), '/query/include_remote_data'),
    includeRemoteFields: parseBool(one(raw, 'include_remote_fields'), '/query/include_remote_fields'),
  };
}
