import { MODELS, type ModelName } from '../../models/spec';
import type { CommonValue, ListFilters, RemoteRecord, RemoteRef } from '../contract';
import { criteriaValue, zohoDateTime } from './api';
import type { StageInfo, ZohoField } from './metadata';
import type { ModuleMapper } from './mappers';
import { stageValuesOf } from './mappers/opportunity';

/**
 * List filters: server-side as Zoho search criteria where Zoho can express them, and always
 * re-checked client-side on the mapped record (so the answer is exact whatever the vendor matched).
 */

/** Filters that need a field value of the record (deleted recycle-bin entries have none). */
export function hasFieldFilters(f: ListFilters): boolean {
  return Boolean(
    f.createdAfter || f.createdBefore || Object.keys(f.relations ?? {}).length || Object.keys(f.strings ?? {}).length || f.email || f.phone || Object.keys(f.enums ?? {}).length || Object.keys(f.datetimes ?? {}).length,
  );
}

const digits = (s: string) => s.replace(/\D/g, '');

function refIds(v: CommonValue | undefined): string[] {
  if (!v || typeof v !== 'object') return [];
  if (Array.isArray(v)) return (v as RemoteRef[]).map((r) => r?.remoteId).filter(Boolean);
  return 'remoteId' in v ? [v.remoteId] : [];
}

function stringMatch(model: ModelName, field: string): 'exact' | 'contains' {
  const spec = MODELS[model].filters.find((x) => x.kind === 'string' && x.field === field);
  return spec && spec.kind === 'string' ? spec.match : 'exact';
}

function iso(d: Date): string {
  return d.toISOString();
}

/** The exact client-side check of every filter. */
export function matchesFilters(rec: RemoteRecord, f: ListFilters): boolean {
  if (f.remoteId !== undefined && rec.remoteId !== f.remoteId) return false;
  if (rec.remoteWasDeleted && !f.includeDeleted) return false;
  const created = rec.remoteCreatedAt;
  const updated = rec.remoteUpdatedAt;
  if (f.createdAfter && !(created && created > iso(f.createdAfter))) return false;
  if (f.createdBefore && !(created && created < iso(f.createdBefore))) return false;
  if (f.modifiedAfter && !(updated && updated > iso(f.modifiedAfter))) return false;
  if (f.modifiedBefore && !(updated && updated < iso(f.modifiedBefore))) return false;
  for (const [field, id] of Object.entries(f.relations ?? {})) {
    if (!refIds(rec.fields[field]).includes(id)) return false;
  }
  for (const [field, want] of Object.entries(f.strings ?? {})) {
    const v = rec.fields[field];
    if (typeof v !== 'string') return false;
    const a = v.toLowerCase();
    const b = want.toLowerCase();
    if (stringMatch(rec.model, field) === 'contains' ? !a.includes(b) : a !== b) return false;
  }
  if (f.email) {
    const want = f.email.toLowerCase();
    const list = (rec.fields.email_addresses ?? []) as { email_address: string }[];
    if (!list.some((e) => e.email_address.toLowerCase() === want)) return false;
  }
  if (f.phone) {
    const want = digits(f.phone);
    const list = (rec.fields.phone_numbers ?? []) as { phone_number: string }[];
    if (!list.some((p) => (want ? digits(p.phone_number) === want : p.phone_number === f.phone))) return false;
  }
  for (const [field, want] of Object.entries(f.enums ?? {})) {
    if (rec.fields[field] !== want) return false;
  }
  for (const [field, range] of Object.entries(f.datetimes ?? {})) {
    const v = field === 'remote_created_at' ? created : rec.fields[field];
    if (typeof v !== 'string') return false;
    if (range.gt && !(v > iso(range.gt))) return false;
    if (range.lt && !(v < iso(range.lt))) return false;
  }
  return true;
}

export interface Criteria {
  /** Conditions, each already parenthesized; empty = list API (no search). */
  conditions: string[];
  /** A filter no record can match (e.g. an unknown stage id): answer nothing. */
  none: boolean;
}

/** Upper bounds round up to the next second (Zoho criteria have second precision; the client check is exact). */
const ceilSec = (d: Date) => new Date(Math.ceil(d.getTime() / 1000) * 1000);

const MAX_CONDITIONS = 9; // Zoho allows 10; one is kept for the Created_Time keyset.

/** Zoho search criteria for the filters this module can match server-side. */
export function criteriaFor(mapper: ModuleMapper, f: ListFilters, meta: ZohoField[], stages: StageInfo[]): Criteria {
  const conds: string[] = [];
  let none = false;
  const cond = (field: string, op: string, value: string) => `(${field}:${op}:${criteriaValue(value)})`;
  for (const [field, id] of Object.entries(f.relations ?? {})) {
    if (mapper.model === 'Opportunity' && field === 'stage') {
      const s = stages.find((x) => x.id === id);
      if (!s) none = true;
      else conds.push(cond('Stage', 'equals', s.value));
      continue;
    }
    const vf = mapper.relationField?.[field];
    if (vf) conds.push(cond(vf, 'equals', id));
  }
  if (f.email) {
    const emailFields = meta.length ? meta.filter((x) => x.data_type === 'email').map((x) => x.api_name) : ['Email'];
    if (emailFields.length === 1) conds.push(cond(emailFields[0], 'equals', f.email));
    else if (emailFields.length > 1) conds.push(`(${emailFields.map((x) => cond(x, 'equals', f.email as string)).join('or')})`);
  }
  for (const [field, want] of Object.entries(f.enums ?? {})) {
    if (mapper.model === 'Opportunity' && field === 'status') {
      const values = stageValuesOf(want, stages);
      if (values.length === 0) none = true;
      else conds.push(`(Stage:in:${values.map(criteriaValue).join(',')})`);
    }
  }
  if (f.createdAfter) conds.push(cond('Created_Time', 'greater_than', zohoDateTime(f.createdAfter)));
  if (f.createdBefore) conds.push(cond('Created_Time', 'less_than', zohoDateTime(ceilSec(f.createdBefore))));
  for (const [field, range] of Object.entries(f.datetimes ?? {})) {
    const vf = field === 'remote_created_at' ? 'Created_Time' : mapper.datetimeField?.[field];
    if (!vf) continue;
    if (range.gt) conds.push(cond(vf, 'greater_than', zohoDateTime(range.gt)));
    if (range.lt) conds.push(cond(vf, 'less_than', zohoDateTime(ceilSec(range.lt))));
  }
  // Modified bounds join a search (the list API takes modified-after as If-Modified-Since instead).
  if (conds.length) {
    if (f.modifiedAfter) conds.push(cond('Modified_Time', 'greater_than', zohoDateTime(f.modifiedAfter)));
    if (f.modifiedBefore) conds.push(cond('Modified_Time', 'less_than', zohoDateTime(ceilSec(f.modifiedBefore))));
  }
  return { conditions: conds.slice(0, MAX_CONDITIONS), none };
}

export function joinCriteria(conditions: string[]): string {
  return conditions.length === 1 ? conditions[0] : `(${conditions.join('and')})`;
}
