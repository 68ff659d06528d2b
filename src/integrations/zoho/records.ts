import type { Projection, RemoteFieldClassRef, RemoteFieldValue, RemoteRecord } from '../contract';
import { isoUtc } from './api';
import { fieldClass, syntheticClass, type ZohoField } from './metadata';
import type { MapContext, ModuleMapper, Raw } from './mappers';

/** Remote-field classes by field name, built once per metadata answer (the metadata is cached). */
const classesCache = new WeakMap<ZohoField[], Map<string, RemoteFieldClassRef>>();
const mappedCache = new WeakMap<ModuleMapper, Set<string>>();

function classesOf(meta: ZohoField[]): Map<string, RemoteFieldClassRef> {
  let m = classesCache.get(meta);
  if (!m) classesCache.set(meta, (m = new Map(meta.map((f) => [f.api_name, fieldClass(f)]))));
  return m;
}

function mappedOf(mapper: ModuleMapper): Set<string> {
  let m = mappedCache.get(mapper);
  if (!m) mappedCache.set(mapper, (m = new Set(mapper.mapped)));
  return m;
}

/** One Zoho record as a RemoteRecord: common fields, remote fields (custom and unmapped), raw data. */
export function toRecord(raw: Raw, mapper: ModuleMapper, ctx: MapContext, meta: ZohoField[], path: string, projection?: Projection): RemoteRecord {
  const mapped = mappedOf(mapper);
  const classes = classesOf(meta);
  const remoteFields: RemoteFieldValue[] = [];
  // Not shown with the mapped projection: not computed.
  if (projection !== 'mapped') for (const key in raw) {
    if (key === 'id' || key.startsWith('$') || mapped.has(key)) continue;
    const value = raw[key];
    remoteFields.push({ remote_field_class: classes.get(key) ?? syntheticClass(key, value), value });
  }
  return {
    model: mapper.model,
    remoteId: String(raw.id),
    fields: mapper.read(raw, ctx),
    remoteUpdatedAt: isoUtc(raw.Modified_Time),
    remoteCreatedAt: isoUtc(raw.Created_Time),
    remoteWasDeleted: false,
    remoteData: [{ path, data: raw }],
    remoteFields,
  };
}

/** A recycle-bin entry ({id, display_name, deleted_time, ...}) as a deleted record. */
export function deletedRecord(entry: Raw, mapper: ModuleMapper, path: string): RemoteRecord {
  return {
    model: mapper.model,
    remoteId: String(entry.id),
    fields: {},
    remoteUpdatedAt: isoUtc(entry.deleted_time),
    remoteCreatedAt: null,
    remoteWasDeleted: true,
    remoteData: [{ path, data: entry }],
    remoteFields: [],
  };
}

const fieldsCache = new WeakMap<ZohoField[], Map<string, string>>();

/**
 * Vendor fields to request on lists, comma-joined (Zoho requires `fields`, at most 50): mapped
 * first, then custom, then the rest ('full'); only the mapped ones and the timestamps ('mapped').
 */
export function listFields(mapper: ModuleMapper, meta: ZohoField[], projection: Projection = 'full'): string {
  let byMapper = fieldsCache.get(meta);
  if (!byMapper) fieldsCache.set(meta, (byMapper = new Map()));
  const key = `${mapper.model}|${mapper.module}|${projection}`;
  const hit = byMapper.get(key);
  if (hit !== undefined) return hit;
  const known = new Set(meta.map((f) => f.api_name));
  const mapped = mapper.mapped.filter((f) => !f.startsWith('$') && (known.size === 0 || known.has(f)));
  const custom = projection === 'mapped' ? [] : meta.filter((f) => f.custom_field).map((f) => f.api_name);
  const rest = projection === 'mapped' ? [] : meta.map((f) => f.api_name);
  const out: string[] = [];
  for (const f of [...mapped, 'Created_Time', 'Modified_Time', ...custom, ...rest]) {
    if (out.length >= 50) break;
    if (!out.includes(f) && (known.size === 0 || known.has(f))) out.push(f);
  }
  const joined = out.join(',');
  byMapper.set(key, joined);
  return joined;
}
