import type { RemoteFieldValue, RemoteRecord } from '../contract';
import { isoUtc } from './api';
import { fieldClass, syntheticClass, type ZohoField } from './metadata';
import type { MapContext, ModuleMapper, Raw } from './mappers';

/** One Zoho record as a RemoteRecord: common fields, remote fields (custom and unmapped), raw data. */
export function toRecord(raw: Raw, mapper: ModuleMapper, ctx: MapContext, meta: ZohoField[], path: string): RemoteRecord {
  const mapped = new Set(mapper.mapped);
  const byName = new Map(meta.map((f) => [f.api_name, f]));
  const remoteFields: RemoteFieldValue[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'id' || key.startsWith('$') || mapped.has(key)) continue;
    const f = byName.get(key);
    remoteFields.push({ remote_field_class: f ? fieldClass(f) : syntheticClass(key, value), value });
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

/** Vendor fields to request on lists (Zoho requires `fields`, at most 50): mapped first, then custom, then the rest. */
export function listFields(mapper: ModuleMapper, meta: ZohoField[]): string[] {
  const known = new Set(meta.map((f) => f.api_name));
  const mapped = mapper.mapped.filter((f) => !f.startsWith('$') && (known.size === 0 || known.has(f)));
  const custom = meta.filter((f) => f.custom_field).map((f) => f.api_name);
  const rest = meta.map((f) => f.api_name);
  const out: string[] = [];
  for (const f of [...mapped, 'Created_Time', 'Modified_Time', ...custom, ...rest]) {
    if (out.length >= 50) break;
    if (!out.includes(f) && (known.size === 0 || known.has(f))) out.push(f);
  }
  return out;
}
