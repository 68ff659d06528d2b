import { MODEL_NAMES, type ModelName } from '../../models/spec';
import {
  type CrmAdapter,
  type ListPage,
  type ListQuery,
  type Projection,
  type ReadOptions,
  type RemoteFieldClassRef,
  type RemoteRecord,
  type VendorConnection,
  VendorError,
  type VendorPageState,
  type WriteInput,
} from '../contract';
import { DATA_PATH, describe, isSfId, type SfDescribe, type SfRecord, selectableFields, soql, soqlString, toIso, toVendorError } from './api';
import { salesforceAuth } from './auth';
import { salesforceConfiguration } from './config';
import { compileFilter } from './filters';
import { mappedFields } from './projection';
import { refId } from './mappers/common';
import { ENGAGEMENT_TYPE_IDS, engagementTypeRecord } from './mappers/engagement-type';
import { KEY_PREFIX, MODEL_DEFS } from './mappers/index';
import type { ModelDef, SourceDef } from './mappers/types';
import { fieldClass, remoteFieldsOf } from './remote-fields';
import { salesforceWebhooks } from './webhooks';

/**
 * The Salesforce adapter (REST API v62.0, SOQL).
 *
 * Paging: keyset on the record Id, the one immutable, totally ordered key every object has:
 * `SELECT … FROM X WHERE <filters> AND Id > :last ORDER BY Id LIMIT n+1`. The extra row tells
 * whether more exist, so a page is never empty while records remain. Models made of several
 * objects (Engagement: call/email Tasks, then Events) are walked source after source; the state is
 * `{ s: <source index>, a: <last Id or null> }` (under 40 bytes). Ordering by Id does not depend
 * on any field a user can change, so a walk returns each record at most once and skips no record
 * that existed when the walk started, whatever is modified meanwhile (records created during the
 * walk appear when their Id sorts after the position). Salesforce does not cap `Id >` filters the
 * way it caps OFFSET (2,000), and `ORDER BY Id` with an Id bound is an index range scan.
 */

const ENGAGEMENT_TYPE_MODEL: ModelName = 'EngagementType';
const WRITABLE: ModelName[] = ['Account', 'Contact', 'Lead', 'Opportunity', 'Note', 'Task', 'Engagement'];
/** Rows read per query when records are also filtered after mapping. */
const SCAN_BATCH = 200;

function defOf(model: ModelName): ModelDef {
  const def = MODEL_DEFS[model];
  if (!def) throw new VendorError('salesforce', 400, 'UNSUPPORTED_MODEL', `Salesforce does not serve ${model} records`, 'validation');
  return def;
}

/** Longest explicit field list we put in a query URL (Salesforce refuses URIs over 16 KB). */
const MAX_SELECT_CHARS = 8000;

/** SELECT lists per describe (a describe object lives as long as its cache entry). */
const selectCache = new WeakMap<SfDescribe, Map<string, string>>();

async function fieldList(conn: VendorConnection, model: ModelName, object: string, projection?: Projection): Promise<{ d: SfDescribe; select: string }> {
  const d = await describe(conn, object);
  let byKey = selectCache.get(d);
  if (!byKey) selectCache.set(d, (byKey = new Map()));
  const key = `${model}|${projection ?? 'full'}`;
  let select = byKey.get(key);
  if (select === undefined) {
    const mapped = mappedFields(model, object, d, projection);
    const explicit = (mapped ?? selectableFields(d)).join(', ');
    // Objects with hundreds of custom fields: FIELDS(ALL), which needs LIMIT <= 200 (every query here has one).
    select = explicit.length > MAX_SELECT_CHARS ? 'FIELDS(ALL)' : explicit;
    byKey.set(key, select);
  }
  return { d, select };
}

export function toRecord(model: ModelName, source: SourceDef, rec: SfRecord, d: SfDescribe, projection?: Projection): RemoteRecord {
  // Which vendor fields the mappers consumed matters only for remote fields, not computed for 'mapped'.
  const mapped = source.read(rec, projection !== 'mapped');
  const idField = source.idField ?? 'Id';
  return {
    model,
    remoteId: String(rec[idField] ?? rec.Id),
    fields: mapped.fields,
    remoteCreatedAt: toIso(rec.CreatedDate),
    // SystemModstamp moves on every change (deletes included), LastModifiedDate only on user edits.
    remoteUpdatedAt: toIso(rec.SystemModstamp ?? rec.LastModifiedDate),
    remoteWasDeleted: rec.IsDeleted === true,
    remoteData: [{ path: rec.attributes?.url ?? `${DATA_PATH}/sobjects/${source.object}/${rec.Id}`, data: rec }],
    // Not shown with the mapped projection: not computed.
    remoteFields: projection === 'mapped' ? [] : remoteFieldsOf(rec, idField === 'Id' ? (mapped.used ?? []) : [...(mapped.used ?? []), idField], d),
  };
}

function readState(state: VendorPageState | null, sources: number): { s: number; a: string | null } {
  if (!state) return { s: 0, a: null };
  const s = state.s;
  const a = state.a ?? null;
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s >= sources || (a !== null && !isSfId(a))) {
    throw new VendorError('salesforce', 400, 'INVALID_PAGE_STATE', 'the page position is not one this adapter issued', 'validation');
  }
  return { s, a };
}

/** 1999, not 2000: a page reads pageSize + 1 rows (the extra proves more exist), which must fit in one 2000-row query batch. */
const SYNC_PAGE_SIZE = 1999;

async function list(conn: VendorConnection, model: ModelName, query: ListQuery): Promise<ListPage> {
  const pageSize = Math.max(1, Math.min(SYNC_PAGE_SIZE, Math.floor(query.pageSize)));
  if (model === ENGAGEMENT_TYPE_MODEL) return listEngagementTypes(pageSize, query);
  const def = defOf(model);
  const records: RemoteRecord[] = [];
  let { s, a: after } = readState(query.state, def.sources.length);
  for (; s < def.sources.length; s++, after = null) {
    const source = def.sources[s]!;
    const { d, select } = await fieldList(conn, model, source.object, query.projection);
    const filter = compileFilter(model, source, d, query.filters);
    if (filter.none) continue;
    const where = [...(source.where ? [source.where] : []), ...filter.clauses];
    for (;;) {
      const need = pageSize - records.length;
      // need + 1 rows: the extra one proves more exist. Filtering after mapping reads wider batches.
      const limit = filter.client.length ? Math.max(need + 1, SCAN_BATCH) : need + 1;
      const conds = [...where, ...(after ? [`Id > ${soqlString(after)}`] : [])];
      const q = `SELECT ${select} FROM ${source.object}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''} ORDER BY Id LIMIT ${limit}`;
      const rows = await soql(conn, q, filter.all);
      for (const row of rows) {
        const rec = toRecord(model, source, row, d, query.projection);
        if (!filter.client.every((check) => check(rec))) {
          after = row.Id;
          continue;
        }
        // A further match exists: stop before it, it opens the next page.
        if (records.length === pageSize) return { records, nextState: { s, a: after } };
        records.push(rec);
        after = row.Id;
      }
      if (rows.length < limit) break; // this source is exhausted
    }
  }
  return { records, nextState: null };
}

function listEngagementTypes(pageSize: number, query: ListQuery): ListPage {
  const f = query.filters;
  // Synthetic types have no timestamps: a created/modified window matches none of them.
  const timed = f.createdAfter || f.createdBefore || f.modifiedAfter || f.modifiedBefore;
  const ids = ENGAGEMENT_TYPE_IDS.filter((id) => !timed && (f.remoteId === undefined || f.remoteId === id));
  const start = query.state && typeof query.state.a === 'string' ? ids.indexOf(query.state.a) + 1 : 0;
  const page = ids.slice(start, start + pageSize);
  const more = start + pageSize < ids.length;
  return { records: page.map((id) => engagementTypeRecord(id)!), nextState: more ? { s: 0, a: page[page.length - 1]! } : null };
}

/** The sources of a model a remote id can come from (by key prefix; Stage by ApiName). */
function sourcesForId(def: ModelDef, id: string): SourceDef[] {
  return def.sources.filter((src) => (src.idField ? true : isSfId(id) && KEY_PREFIX[src.object] === id.slice(0, 3)));
}

async function fetchByIds(conn: VendorConnection, model: ModelName, ids: string[], opts: { anyRow?: boolean } & ReadOptions = {}): Promise<RemoteRecord[]> {
  if (model === ENGAGEMENT_TYPE_MODEL) return ids.map((id) => engagementTypeRecord(id)).filter((r): r is RemoteRecord => !!r);
  const def = defOf(model);
  const found = new Map<string, RemoteRecord>();
  for (const source of def.sources) {
    const mine = [...new Set(ids.filter((id) => sourcesForId(def, id).includes(source)))];
    if (!mine.length) continue;
    const { d, select } = await fieldList(conn, model, source.object, opts.projection);
    const idField = source.idField ?? 'Id';
    for (let i = 0; i < mine.length; i += 200) {
      const chunk = mine.slice(i, i + 200);
      // Archived activities are only visible to queryAll: read them there, deleted rows excluded.
      const archived = !!source.archivable && d.byName.has('IsDeleted');
      const q = `SELECT ${select} FROM ${source.object} WHERE ${idField} IN (${chunk.map(soqlString).join(', ')})${archived ? ' AND IsDeleted = false' : ''} LIMIT ${chunk.length}`;
      const rows = await soql(conn, q, archived);
      for (const row of rows) {
        if (!opts.anyRow && source.accepts && !source.accepts(row)) continue;
        const rec = toRecord(model, source, row, d, opts.projection);
        found.set(rec.remoteId, rec);
        if (idField === 'Id') found.set(rec.remoteId.slice(0, 15), rec);
      }
    }
  }
  const out: RemoteRecord[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    const rec = found.get(id) ?? (isSfId(id) ? found.get(id.slice(0, 15)) : undefined);
    if (rec && !seen.has(rec.remoteId)) {
      seen.add(rec.remoteId);
      out.push(rec);
    }
  }
  return out;
}

function writeDef(model: ModelName) {
  const def = defOf(model);
  if (!def.write) throw new VendorError('salesforce', 400, 'INVALID_TYPE_FOR_OPERATION', `${model} records cannot be written at Salesforce`, 'validation');
  return def as ModelDef & { write: NonNullable<ModelDef['write']> };
}

/** The body to send: common fields the org has, then remote fields by their vendor names. */
async function bodyFor(conn: VendorConnection, def: ModelDef & { write: NonNullable<ModelDef['write']> }, object: string, input: WriteInput, op: 'create' | 'update') {
  const d = await describe(conn, object);
  const mapped = def.write.toBody(input, op, object);
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(mapped)) if (d.byName.has(k)) body[k] = v;
  for (const rf of input.remoteFields ?? []) body[rf.remote_field_class] = rf.value;
  return body;
}

function errorFieldNamer(def: ModelDef & { write: NonNullable<ModelDef['write']> }) {
  return (vendorField: string) => def.write.commonName(vendorField) ?? vendorField;
}

async function readBack(conn: VendorConnection, model: ModelName, id: string): Promise<RemoteRecord> {
  const [rec] = await fetchByIds(conn, model, [id], { anyRow: true });
  if (!rec) throw new VendorError('salesforce', 404, 'NOT_FOUND', `the ${model} ${id} was written but could not be read back`, 'not_found');
  return rec;
}

function objectOfId(def: ModelDef, model: ModelName, id: string): string {
  const source = isSfId(id) ? def.sources.find((s) => KEY_PREFIX[s.object] === id.slice(0, 3)) : undefined;
  if (!source) throw new VendorError('salesforce', 404, 'NOT_FOUND', `The requested resource does not exist (${id} is not a ${model} id)`, 'not_found');
  return source.object;
}

async function create(conn: VendorConnection, model: ModelName, input: WriteInput): Promise<RemoteRecord> {
  const def = writeDef(model);
  if (model === 'Engagement') {
    const type = refId(input.fields.engagement_type);
    if (!type || !ENGAGEMENT_TYPE_IDS.includes(type)) {
      throw new VendorError('salesforce', 400, 'REQUIRED_FIELD_MISSING', `engagement_type must be one of ${ENGAGEMENT_TYPE_IDS.join(', ')}`, 'validation', ['engagement_type']);
    }
  }
  const object = def.write.objectForCreate(input);
  const body = await bodyFor(conn, def, object, input, 'create');
  // POST is not idempotent: the HTTP client does not retry it after a 5xx or network error.
  const res = await conn.request<{ id?: string }>({ method: 'POST', path: `${DATA_PATH}/sobjects/${object}`, body, idempotent: false });
  if (res.status !== 201 && res.status !== 200) throw toVendorError(res, errorFieldNamer(def));
  const id = res.body?.id;
  if (!id) throw new VendorError('salesforce', res.status, 'NO_ID', 'Salesforce accepted the record but answered no id', 'other');
  return readBack(conn, model, id);
}

async function update(conn: VendorConnection, model: ModelName, remoteId: string, input: WriteInput): Promise<RemoteRecord> {
  const def = writeDef(model);
  const object = objectOfId(def, model, remoteId);
  const body = await bodyFor(conn, def, object, input, 'update');
  if (Object.keys(body).length) {
    // PATCH sets the given fields to the given values: repeating it is harmless.
    const res = await conn.request({ method: 'PATCH', path: `${DATA_PATH}/sobjects/${object}/${remoteId}`, body, idempotent: true });
    if (res.status !== 204 && res.status !== 200) throw toVendorError(res, errorFieldNamer(def));
  }
  return readBack(conn, model, remoteId);
}

async function remove(conn: VendorConnection, model: ModelName, remoteId: string): Promise<void> {
  const def = writeDef(model);
  const object = objectOfId(def, model, remoteId);
  const res = await conn.request({ method: 'DELETE', path: `${DATA_PATH}/sobjects/${object}/${remoteId}` });
  if (res.status !== 204 && res.status !== 200) throw toVendorError(res);
}

async function remoteFieldClasses(conn: VendorConnection, model: ModelName): Promise<RemoteFieldClassRef[]> {
  if (model === ENGAGEMENT_TYPE_MODEL) return [];
  const def = defOf(model);
  const out = new Map<string, RemoteFieldClassRef>();
  for (const source of def.sources) {
    const d = await describe(conn, source.object);
    for (const f of d.fields) if (!out.has(f.name)) out.set(f.name, fieldClass(f));
  }
  return [...out.values()];
}

export const salesforceAdapter: CrmAdapter = {
  vendor: 'salesforce',
  displayName: 'Salesforce',
  auth: salesforceAuth,
  configuration: salesforceConfiguration,
  models: MODEL_NAMES,
  writableModels: WRITABLE,
  syncPageSize: SYNC_PAGE_SIZE,
  list,
  async get(conn, model, remoteId, options) {
    const [rec] = await fetchByIds(conn, model, [remoteId], { projection: options?.projection });
    return rec ?? null;
  },
  getMany: (conn, model, remoteIds, options) => fetchByIds(conn, model, remoteIds, { projection: options?.projection }),
  create,
  update,
  delete: remove,
  remoteFieldClasses,
  webhooks: salesforceWebhooks,
  writableFields(model, op) {
    return MODEL_DEFS[model]?.write?.writable[op] ?? [];
  },
};
