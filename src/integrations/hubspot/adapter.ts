import type { ModelName } from '../../models/spec';
import {
  VendorError,
  type CrmAdapter,
  type ListPage,
  type ListQuery,
  type Projection,
  type ReadOptions,
  type RemoteFieldClassRef,
  type RemoteFieldValue,
  type RemoteRecord,
  type VendorConnection,
  type VendorPageState,
  type WriteInput,
} from '../contract';
import { HubspotApi, type HubObject, type SearchFilter } from './api';
import { hubspotAuth } from './auth';
import { hubspotConfiguration } from './config';
import { compareIds, matches } from './filters';
import { dealStages, fieldClass, properties, type HubProperty, type PipelineStage } from './metadata';
import { iso } from './mappers/common';
import { OBJECT_MAPPERS } from './mappers';
import { LEAD_CONTACT_PROPS } from './mappers/lead';
import type { MapContext, ModelMapper, SourceSpec } from './mappers/types';
import { getEngagementTypes, getStages, getUsers, listEngagementTypes, listStages, listUsers, ownerFieldClasses } from './special';
import { hubspotWebhooks } from './webhooks';

/**
 * The HubSpot CrmAdapter.
 *
 * Paging (see README.md in this folder): every model is walked in ascending record-id order, which
 * HubSpot ids never leave, so a record is returned at most once whatever is modified meanwhile.
 * - No filters: the object list API (GET /crm/v3/objects/{type}, `after` is HubSpot's cursor);
 *   state {s, d, a}.
 * - Filters: the search API sorted by hs_object_id with a keyset filter hs_object_id > last id and
 *   `after` always 0, so the 10,000-result cap of search paging never applies; state {s, d, k}.
 * - Relation filters (and remoteId, and lead email/phone): the candidate ids from the parent's side
 *   (associations v4), read in id order with batch/read; state {s, d, k}.
 * Every page requests exactly the records it still needs (limit = pageSize - found), so each
 * vendor page is consumed whole and the cursor never points inside it. Filters HubSpot cannot
 * express exactly are checked again on the mapped record; such pages are filled by further
 * vendor calls. `s` is the source (calls, meetings, emails for Engagement), `d` 1 the archived list
 * (includeDeleted).
 */

const ALL_MODELS: readonly ModelName[] = ['Account', 'Contact', 'Lead', 'Opportunity', 'Note', 'Task', 'Engagement', 'EngagementType', 'User', 'Stage'];
const WRITABLE: readonly ModelName[] = ['Account', 'Contact', 'Lead', 'Opportunity', 'Note', 'Task', 'Engagement'];

/** Beyond this many characters of property names, object lists go through search (POST body) instead of a long URL. */
const MAX_PROPERTY_QUERY = 4_000;
/** A list() call stops after this many vendor calls once it has at least one record. */
const MAX_CALLS_PER_PAGE = 8;
const SYSTEM_PROPS = new Set(['hs_object_id', 'createdate', 'lastmodifieddate', 'hs_createdate', 'hs_lastmodifieddate']);

function mapperOf(model: ModelName): ModelMapper {
  const m = OBJECT_MAPPERS[model];
  if (!m) throw new VendorError('hubspot', 400, 'UNSUPPORTED_MODEL', `${model} is not a HubSpot CRM object`, 'validation');
  return m;
}

interface SourceMeta {
  /** Properties to request. */
  names: string[];
  /** Properties that become remote fields, with their classes (computed once per metadata). */
  remote: { name: string; cls: RemoteFieldClassRef }[];
}

/** Per property list (the metadata cache entry) and source: what to request and the remote-field classes. */
const metaCache = new WeakMap<HubProperty[], Map<string, SourceMeta>>();

/**
 * What to request from a source: every property ('full'), or the mapped ones plus ids and
 * timestamps ('mapped'); remote fields are the requested properties the mappers do not take.
 */
async function sourceMeta(conn: VendorConnection, source: SourceSpec, projection: Projection = 'full'): Promise<SourceMeta> {
  const props = await properties(conn, source.type);
  let bySource = metaCache.get(props);
  if (!bySource) metaCache.set(props, (bySource = new Map()));
  const key = `${source.type}|${projection}`;
  let meta = bySource.get(key);
  if (!meta) {
    const wanted = projection === 'mapped' ? new Set([...source.mapped, source.created, source.modified, 'hs_object_id']) : undefined;
    const requested = wanted ? props.filter((p) => wanted.has(p.name)) : props;
    const mapped = new Set(source.mapped);
    meta = {
      names: requested.map((p) => p.name),
      // Not shown with the mapped projection: not computed.
      remote: (wanted ? [] : requested)
        .filter((prop) => !mapped.has(prop.name) && !SYSTEM_PROPS.has(prop.name) && prop.name !== source.created && prop.name !== source.modified)
        .map((prop) => ({ name: prop.name, cls: fieldClass(prop, source.required) })),
    };
    bySource.set(key, meta);
  }
  return meta;
}

async function stageMap(conn: VendorConnection, model: ModelName): Promise<Map<string, PipelineStage>> {
  if (model !== 'Opportunity') return new Map();
  return new Map((await dealStages(conn)).map((s) => [s.id, s]));
}

/**
 * The associations a list answer carried inline (v3 `associations=`), primary first like the v4
 * read; undefined when some record has more than fit inline (then v4 is asked).
 */
function inlineAssociations(objs: HubObject[], to: string): Map<string, string[]> | undefined {
  const out = new Map<string, string[]>();
  for (const o of objs) {
    const inline = o.associations?.[to];
    if (inline?.paging?.next) return undefined;
    const results = inline?.results ?? [];
    if (!results.length) continue;
    // "x_to_y" is the primary (labelled) association, "x_to_y_unlabeled" a plain one; an id can be both.
    const sorted = [...results].sort((a, b) => Number(String(a.type ?? '').endsWith('_unlabeled')) - Number(String(b.type ?? '').endsWith('_unlabeled')));
    out.set(String(o.id), [...new Set(sorted.map((r) => String(r.id)))]);
  }
  return out;
}

/**
 * Associations and related records of a page of one source: from the list answer itself when it
 * carried them inline (`inline`), else one v4 batch call per association type.
 */
async function context(api: HubspotApi, mapper: ModelMapper, source: SourceSpec, objs: HubObject[], stages: Map<string, PipelineStage>, inline = false): Promise<MapContext> {
  const ctx: MapContext = { assoc: {}, stages, related: {} };
  const ids = objs.map((o) => o.id);
  if (!ids.length) return ctx;
  for (const to of source.assoc) ctx.assoc[to] = (inline ? inlineAssociations(objs, to) : undefined) ?? (await api.associations(source.type, to, ids));
  for (const want of mapper.relatedToRead?.(ctx, ids) ?? []) {
    if (!want.ids.length) continue;
    const rows = await api.batchRead(want.type, want.ids, LEAD_CONTACT_PROPS);
    ctx.related[want.type] = new Map(rows.map((r) => [r.id, r]));
  }
  return ctx;
}

function toRecord(mapper: ModelMapper, source: SourceSpec, obj: HubObject, ctx: MapContext, meta: SourceMeta): RemoteRecord {
  const p = obj.properties ?? {};
  // Inline associations are reported below in their v4 shape, as when they are read separately.
  const { associations: _inline, ...data } = obj;
  const remoteData: RemoteRecord['remoteData'] = [{ path: `/crm/v3/objects/${source.type}/${obj.id}`, data }];
  for (const to of source.assoc) {
    const linked = ctx.assoc[to]?.get(obj.id);
    if (linked?.length) remoteData.push({ path: `/crm/v4/objects/${source.type}/${obj.id}/associations/${to}`, data: { results: linked.map((id) => ({ toObjectId: id })) } });
  }
  for (const [type, rows] of Object.entries(ctx.related)) {
    for (const id of source.assoc.includes(type) ? (ctx.assoc[type]?.get(obj.id) ?? []).slice(0, 1) : []) {
      const row = rows.get(id);
      if (row) remoteData.push({ path: `/crm/v3/objects/${type}/${id}`, data: row });
    }
  }
  return {
    model: mapper.model,
    remoteId: String(obj.id),
    fields: mapper.read(source, { ...obj, properties: p }, ctx),
    remoteCreatedAt: iso(p[source.created] ?? obj.createdAt),
    // Archiving leaves the modified property alone: archivedAt is the record's last change then,
    // so modified-time windows (incremental sync) find deletions.
    remoteUpdatedAt: obj.archived && obj.archivedAt ? iso(obj.archivedAt) : iso(p[source.modified] ?? obj.updatedAt),
    remoteWasDeleted: obj.archived === true,
    remoteData,
    remoteFields: meta.remote.map((r): RemoteFieldValue => ({ remote_field_class: r.cls, value: p[r.name] ?? null })),
  };
}

async function mapPage(conn: VendorConnection, api: HubspotApi, mapper: ModelMapper, source: SourceSpec, batch: Batch, stages: Map<string, PipelineStage>, projection?: Projection): Promise<RemoteRecord[]> {
  const meta = await sourceMeta(conn, source, projection);
  const objs = batch.objs;
  const ctx = await context(api, mapper, source, objs, stages, batch.inline);
  return objs.map((o) => toRecord(mapper, source, o, ctx, meta));
}

// ---- list -------------------------------------------------------------------------------------

interface WalkState {
  /** Source index. */
  s: number;
  /** 1 while walking the archived records (includeDeleted). */
  d: number;
  /** HubSpot list cursor (list mode). */
  a?: string;
  /** Last record id returned (keyset modes). */
  k?: string;
}

function readState(raw: VendorPageState | null, sources: number): WalkState {
  if (!raw) return { s: 0, d: 0 };
  const s = Number(raw.s);
  const d = Number(raw.d ?? 0);
  if (!Number.isInteger(s) || s < 0 || s > sources || (d !== 0 && d !== 1)) {
    throw new VendorError('hubspot', 400, 'INVALID_PAGE_STATE', 'the paging position is not one this adapter wrote', 'validation');
  }
  const out: WalkState = { s, d };
  if (typeof raw.a === 'string') out.a = raw.a;
  if (typeof raw.k === 'string' && /^\d+$/.test(raw.k)) out.k = raw.k;
  return out;
}

/** Candidate ids for relation / remoteId / related-record filters, ascending; undefined when none apply. */
async function candidateIds(api: HubspotApi, mapper: ModelMapper, source: SourceSpec, q: ListQuery): Promise<string[] | undefined> {
  const f = q.filters;
  const sets: string[][] = [];
  if (f.remoteId !== undefined) sets.push([f.remoteId]);
  for (const [field, id] of Object.entries(f.relations ?? {})) {
    const parent = mapper.relationParents[field];
    if (parent) sets.push(await api.associatedIds(parent, id, source.type));
  }
  const extra = await mapper.candidates?.(api, f);
  if (extra) sets.push(extra);
  if (!sets.length) return undefined;
  let ids = [...new Set(sets[0])];
  for (const other of sets.slice(1)) {
    const keep = new Set(other);
    ids = ids.filter((id) => keep.has(id));
  }
  return ids.filter((id) => /^\d+$/.test(id)).sort(compareIds);
}

interface Batch {
  objs: HubObject[];
  /** The answer carried the source's associations inline. */
  inline?: boolean;
  /** Position after this batch, or null when the source (phase) is exhausted. */
  next: Pick<WalkState, 'a' | 'k'> | null;
}

async function fetchBatch(
  conn: VendorConnection,
  api: HubspotApi,
  mapper: ModelMapper,
  source: SourceSpec,
  st: WalkState,
  need: number,
  q: ListQuery,
  stages: PipelineStage[],
  candidates: string[] | undefined,
): Promise<Batch> {
  const meta = await sourceMeta(conn, source, q.projection);
  const archived = st.d === 1;
  if (candidates) {
    const rest = st.k ? candidates.filter((id) => compareIds(id, st.k as string) > 0) : candidates;
    const chunk = rest.slice(0, need);
    if (!chunk.length) return { objs: [], next: null };
    const objs = (await api.batchRead(source.type, chunk, meta.names, archived)).sort((a, b) => compareIds(a.id, b.id));
    return { objs, next: rest.length > chunk.length ? { k: chunk[chunk.length - 1] } : null };
  }
  if (archived) {
    const page = await api.list(source.type, { limit: need, after: st.a, properties: meta.names, archived: true });
    return { objs: page.results, next: page.after ? { a: page.after } : null };
  }
  const groups = mapper.serverFilters(source, q.filters, stages);
  if (groups === null) return { objs: [], next: null };
  const filtered = groups.some((g) => g.length > 0);
  if (!filtered && meta.names.join(',').length <= MAX_PROPERTY_QUERY) {
    // Associations inline: one round trip instead of a list plus one v4 batch per association type.
    const page = await api.list(source.type, { limit: need, after: st.a, properties: meta.names, associations: source.assoc });
    return { objs: page.results, inline: true, next: page.after ? { a: page.after } : null };
  }
  const keyset: SearchFilter[] = st.k ? [{ propertyName: 'hs_object_id', operator: 'GT', value: st.k }] : [];
  const filterGroups = (filtered ? groups : [[]]).map((g) => ({ filters: [...g, ...keyset] })).filter((g) => g.filters.length > 0);
  const page = await api.search(source.type, { filterGroups, properties: meta.names, limit: need });
  const objs = page.results;
  return { objs, next: page.after && objs.length ? { k: objs[objs.length - 1].id } : null };
}

async function listObjects(conn: VendorConnection, model: ModelName, q: ListQuery): Promise<ListPage> {
  const mapper = mapperOf(model);
  const api = new HubspotApi(conn);
  const sources = mapper.sources;
  const stageById = await stageMap(conn, model);
  const stages = [...stageById.values()];
  let st = readState(q.state, sources.length);
  const pageSize = Math.max(1, Math.min(100, Math.floor(q.pageSize)));
  const records: RemoteRecord[] = [];
  const candidatesBySource = new Map<number, string[] | undefined>();
  const keep = { ...q.filters, includeDeleted: true };
  let calls = 0;
  while (st.s < sources.length && records.length < pageSize) {
    const source = sources[st.s];
    if (!candidatesBySource.has(st.s)) candidatesBySource.set(st.s, await candidateIds(api, mapper, source, q));
    const batch = await fetchBatch(conn, api, mapper, source, st, pageSize - records.length, q, stages, candidatesBySource.get(st.s));
    calls++;
    const mapped = await mapPage(conn, api, mapper, source, batch, stageById, q.projection);
    for (const r of mapped) if (matches(model, r, keep)) records.push(r);
    if (batch.next) st = { s: st.s, d: st.d, ...batch.next };
    else if (st.d === 0 && q.filters.includeDeleted) st = { s: st.s, d: 1 };
    else st = { s: st.s + 1, d: 0 };
    if (records.length > 0 && calls >= MAX_CALLS_PER_PAGE) break;
  }
  return { records, nextState: st.s >= sources.length ? null : (st as unknown as VendorPageState) };
}

// ---- reads by id ------------------------------------------------------------------------------

async function readByIds(conn: VendorConnection, model: ModelName, ids: string[], projection?: Projection): Promise<{ record: RemoteRecord; source: SourceSpec; obj: HubObject }[]> {
  const mapper = mapperOf(model);
  const api = new HubspotApi(conn);
  const stages = await stageMap(conn, model);
  const out: { record: RemoteRecord; source: SourceSpec; obj: HubObject }[] = [];
  let missing = [...new Set(ids.filter((id) => /^\d+$/.test(id)))];
  for (const source of mapper.sources) {
    if (!missing.length) break;
    const meta = await sourceMeta(conn, source, projection);
    const objs = await api.batchRead(source.type, missing, meta.names);
    if (!objs.length) continue;
    const ctx = await context(api, mapper, source, objs, stages);
    for (const o of objs) out.push({ record: toRecord(mapper, source, o, ctx, meta), source, obj: o });
    const found = new Set(objs.map((o) => String(o.id)));
    missing = missing.filter((id) => !found.has(id));
  }
  const order = new Map(ids.map((id, i) => [id, i]));
  return out.sort((a, b) => (order.get(a.record.remoteId) ?? 0) - (order.get(b.record.remoteId) ?? 0));
}

async function getMany(conn: VendorConnection, model: ModelName, ids: string[], options?: ReadOptions): Promise<RemoteRecord[]> {
  if (!ids.length) return [];
  if (model === 'User') return getUsers(conn, ids);
  if (model === 'Stage') return getStages(conn, ids);
  if (model === 'EngagementType') return getEngagementTypes(ids);
  return (await readByIds(conn, model, ids, options?.projection)).map((r) => r.record);
}

// ---- writes -----------------------------------------------------------------------------------

function remoteFieldProps(input: WriteInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rf of input.remoteFields ?? []) {
    const v = rf.value;
    out[rf.remote_field_class] = v === null || v === undefined ? '' : Array.isArray(v) ? v.map(String).join(';') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

function notFound(model: ModelName, id: string): VendorError {
  return new VendorError('hubspot', 404, 'OBJECT_NOT_FOUND', `resource not found: ${model} ${id}`, 'not_found');
}

/** Finds or creates the contact that carries a lead's person data; returns its id. */
async function leadContact(api: HubspotApi, props: Record<string, string>, fieldOf: (p: string) => string): Promise<string | undefined> {
  const clean = Object.fromEntries(Object.entries(props).filter(([, v]) => v !== ''));
  if (!Object.keys(clean).length) return undefined;
  if (clean.email) {
    const found = await api.search('contacts', { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: clean.email }] }], properties: ['email'], limit: 1 });
    if (found.results[0]) return found.results[0].id;
  }
  const res = await api.call<HubObject>({ method: 'POST', path: '/crm/v3/objects/contacts', body: { properties: clean } }, fieldOf);
  return String(res.body.id);
}

async function setAssociations(api: HubspotApi, source: SourceSpec, id: string, associations: Record<string, string[]>): Promise<void> {
  for (const [to, wanted] of Object.entries(associations)) {
    const current = await api.associatedIds(source.type, id, to);
    for (const old of current.filter((x) => !wanted.includes(x))) {
      await api.call({ method: 'DELETE', path: `/crm/v4/objects/${source.type}/${id}/associations/${to}/${old}` });
    }
    for (const add of wanted.filter((x) => !current.includes(x))) {
      await api.call({ method: 'PUT', path: `/crm/v4/objects/${source.type}/${id}/associations/default/${to}/${add}` });
    }
  }
}

async function create(conn: VendorConnection, model: ModelName, input: WriteInput): Promise<RemoteRecord> {
  const mapper = mapperOf(model);
  const api = new HubspotApi(conn);
  const stages = await stageMap(conn, model);
  const w = mapper.write(input.fields ?? {}, 'create', { stages, current: null });
  const props = Object.fromEntries(Object.entries({ ...w.properties, ...remoteFieldProps(input) }).filter(([, v]) => v !== ''));
  const associations = { ...w.associations };
  if (w.related) {
    const contactId = await leadContact(api, w.related.properties, mapper.fieldOf);
    if (contactId) associations.contacts = [contactId];
  }
  const body = {
    properties: props,
    associations: Object.entries(associations).flatMap(([to, ids]) =>
      ids.map((id) => ({ to: { id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: w.source.assocTypeIds[to] }] })),
    ),
  };
  const res = await api.call<HubObject>({ method: 'POST', path: `/crm/v3/objects/${w.source.type}`, body, idempotent: false }, mapper.fieldOf);
  const id = String(res.body.id);
  const [again] = await readByIds(conn, model, [id]);
  if (!again) throw notFound(model, id);
  return again.record;
}

async function update(conn: VendorConnection, model: ModelName, remoteId: string, input: WriteInput): Promise<RemoteRecord> {
  const mapper = mapperOf(model);
  const api = new HubspotApi(conn);
  const stages = await stageMap(conn, model);
  const [current] = await readByIds(conn, model, [remoteId]);
  if (!current) throw notFound(model, remoteId);
  const w = mapper.write(input.fields ?? {}, 'update', { stages, current: current.obj }, current.source);
  const props = { ...w.properties, ...remoteFieldProps(input) };
  if (Object.keys(props).length) {
    await api.call({ method: 'PATCH', path: `/crm/v3/objects/${w.source.type}/${remoteId}`, body: { properties: props } }, mapper.fieldOf);
  }
  const associations = { ...w.associations };
  if (w.related) {
    const contactId = (await api.associatedIds(w.source.type, remoteId, w.related.type))[0];
    if (contactId) await api.call({ method: 'PATCH', path: `/crm/v3/objects/${w.related.type}/${contactId}`, body: { properties: w.related.properties } }, mapper.fieldOf);
    else {
      const created = await leadContact(api, w.related.properties, mapper.fieldOf);
      if (created) associations.contacts = [created];
    }
  }
  await setAssociations(api, w.source, remoteId, associations);
  const [again] = await readByIds(conn, model, [remoteId]);
  if (!again) throw notFound(model, remoteId);
  return again.record;
}

async function remove(conn: VendorConnection, model: ModelName, remoteId: string): Promise<void> {
  const mapper = mapperOf(model);
  const api = new HubspotApi(conn);
  let source = mapper.sources[0];
  if (mapper.sources.length > 1) {
    const [current] = await readByIds(conn, model, [remoteId]);
    if (!current) return; // HubSpot answers 204 for unknown or already archived records too
    source = current.source;
  }
  await api.call({ method: 'DELETE', path: `/crm/v3/objects/${source.type}/${encodeURIComponent(remoteId)}` });
}

async function remoteFieldClasses(conn: VendorConnection, model: ModelName): Promise<RemoteFieldClassRef[]> {
  if (model === 'User') return ownerFieldClasses();
  if (model === 'Stage' || model === 'EngagementType') return [];
  const out = new Map<string, RemoteFieldClassRef>();
  for (const source of mapperOf(model).sources) {
    for (const p of await properties(conn, source.type)) if (!out.has(p.name)) out.set(p.name, fieldClass(p, source.required));
  }
  return [...out.values()];
}

export const hubspotAdapter: CrmAdapter = {
  vendor: 'hubspot',
  displayName: 'HubSpot',
  auth: hubspotAuth,
  configuration: hubspotConfiguration,
  models: ALL_MODELS,
  // The object list API's largest page (search pages hold 200, but plain walks use the list API).
  syncPageSize: 100,
  writableModels: WRITABLE,
  async list(conn, model, query) {
    if (model === 'User') return listUsers(conn, query);
    if (model === 'Stage') return listStages(conn, query);
    if (model === 'EngagementType') return listEngagementTypes(query);
    return listObjects(conn, model, query);
  },
  async get(conn, model, remoteId, options) {
    return (await getMany(conn, model, [remoteId], options))[0] ?? null;
  },
  getMany,
  create,
  update,
  delete: remove,
  remoteFieldClasses,
  webhooks: hubspotWebhooks,
  writableFields(model, op) {
    const mapper = OBJECT_MAPPERS[model];
    return mapper && WRITABLE.includes(model) ? mapper.writable(op) : [];
  },
};
