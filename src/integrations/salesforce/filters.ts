import { MODELS, type ModelName } from '../../models/spec';
import type { CommonValue, EmailAddress, ListFilters, PhoneNumber, RemoteRecord } from '../contract';
import { isSfId, type SfDescribe, soqlContains, soqlDateTime, soqlString } from './api';
import { refIds } from './mappers/common';
import type { SourceDef } from './mappers/types';

/**
 * ListFilters -> a SOQL WHERE for one source, plus the checks done on the mapped records where
 * Salesforce cannot filter (derived fields) or where the server bound is widened (datetimes are
 * sent at second precision and checked exactly here).
 */
export interface CompiledFilter {
  clauses: string[];
  client: ((r: RemoteRecord) => boolean)[];
  /** The filter can match nothing (e.g. a malformed id): skip the source. */
  none: boolean;
  /** Use queryAll (deleted rows too). */
  all: boolean;
}

function matchMode(model: ModelName, field: string): 'exact' | 'contains' {
  const f = MODELS[model].filters.find((x) => x.kind === 'string' && x.field === field);
  return f && f.kind === 'string' ? f.match : 'exact';
}

function timeOf(v: CommonValue | null | undefined): number | null {
  return typeof v === 'string' ? Date.parse(v) : null;
}

function inRange(t: number | null, range: { gt?: Date; lt?: Date }): boolean {
  if (t === null || Number.isNaN(t)) return false;
  if (range.gt && !(t > range.gt.getTime())) return false;
  if (range.lt && !(t < range.lt.getTime())) return false;
  return true;
}

function rangeClauses(field: string, range: { gt?: Date; lt?: Date }): string[] {
  const out: string[] = [];
  if (range.gt) out.push(`${field} >= ${soqlDateTime(range.gt, 'floor')}`);
  if (range.lt) out.push(`${field} <= ${soqlDateTime(range.lt, 'ceil')}`);
  return out;
}

const lower = (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : '');

export function compileFilter(model: ModelName, source: SourceDef, d: SfDescribe, filters: ListFilters): CompiledFilter {
  const out: CompiledFilter = { clauses: [], client: [], none: false, all: false };
  const has = (f: string) => d.byName.has(f);
  out.all = !!filters.includeDeleted && has('IsDeleted');
  if (source.archivable && has('IsDeleted') && !filters.includeDeleted) {
    out.all = true;
    out.clauses.push('IsDeleted = false');
  }

  const created = { gt: filters.createdAfter, lt: filters.createdBefore };
  if (created.gt || created.lt) {
    if (has('CreatedDate')) out.clauses.push(...rangeClauses('CreatedDate', created));
    out.client.push((r) => inRange(timeOf(r.remoteCreatedAt), created));
  }
  const modified = { gt: filters.modifiedAfter, lt: filters.modifiedBefore };
  if (modified.gt || modified.lt) {
    const field = has('SystemModstamp') ? 'SystemModstamp' : 'LastModifiedDate';
    if (has(field)) out.clauses.push(...rangeClauses(field, modified));
    out.client.push((r) => inRange(timeOf(r.remoteUpdatedAt), modified));
  }
  if (filters.remoteId !== undefined) {
    const idField = source.idField ?? 'Id';
    if (idField === 'Id' && !isSfId(filters.remoteId)) out.none = true;
    else out.clauses.push(`${idField} = ${soqlString(filters.remoteId)}`);
  }
  for (const [field, id] of Object.entries(filters.relations ?? {})) {
    const vendor = source.relationFields?.[field];
    const byId = vendor && vendor !== 'StageName';
    if (vendor && has(vendor)) {
      if (byId && !isSfId(id)) {
        out.none = true;
        continue;
      }
      out.clauses.push(`${vendor} = ${soqlString(id)}`);
    }
    // Checked on the mapped record too: polymorphic lookups (ParentId, WhatId) must point at the right model.
    out.client.push((r) => refIds(r.fields[field]).some((x) => x === id || (isSfId(x) && isSfId(id) && x.slice(0, 15) === id.slice(0, 15))));
  }
  for (const [field, value] of Object.entries(filters.strings ?? {})) {
    const mode = matchMode(model, field);
    const vendor = source.stringFields?.[field];
    if (vendor && has(vendor)) out.clauses.push(mode === 'contains' ? `${vendor} LIKE ${soqlContains(value)}` : `${vendor} = ${soqlString(value)}`);
    else out.client.push((r) => (mode === 'contains' ? lower(r.fields[field]).includes(value.toLowerCase()) : lower(r.fields[field]) === value.toLowerCase()));
  }
  if (filters.email !== undefined) {
    const email = filters.email;
    const fields = (source.emailFields ?? []).filter(has);
    if (fields.length) out.clauses.push(`(${fields.map((f) => `${f} = ${soqlString(email)}`).join(' OR ')})`);
    else out.client.push((r) => ((r.fields.email_addresses ?? []) as EmailAddress[]).some((e) => lower(e.email_address) === email.toLowerCase()));
  }
  if (filters.phone !== undefined) {
    const phone = filters.phone;
    const fields = (source.phoneFields ?? []).filter(has);
    if (fields.length) out.clauses.push(`(${fields.map((f) => `${f} = ${soqlString(phone)}`).join(' OR ')})`);
    else out.client.push((r) => ((r.fields.phone_numbers ?? []) as PhoneNumber[]).some((p) => p.phone_number === phone));
  }
  for (const [field, value] of Object.entries(filters.enums ?? {})) {
    const clause = source.enumClause?.(field, value);
    if (clause) out.clauses.push(clause);
    else out.client.push((r) => r.fields[field] === value);
  }
  for (const [field, range] of Object.entries(filters.datetimes ?? {})) {
    const vendor = source.datetimeFields?.[field];
    if (vendor && has(vendor)) out.clauses.push(...rangeClauses(vendor, range));
    else if (source.datetimePrefilter) out.clauses.push(...source.datetimePrefilter(field, range));
    out.client.push((r) => inRange(timeOf(r.fields[field] as CommonValue), range));
  }
  return out;
}
