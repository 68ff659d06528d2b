import type { ModelName } from '../../models/spec';
import {
  VendorError,
  type CrmAdapter,
  type ListFilters,
  type ListPage,
  type ListQuery,
  type Projection,
  type ReadOptions,
  type RemoteFieldClassRef,
  type RemoteRecord,
  type VendorConnection,
  type VendorPageState,
  type VendorResponse,
  type WriteInput,
} from '../contract';
import { API_PREFIX, call, ensureOk, vendorError, zohoDateTime, type ZohoErrorBody } from './api';
import { zohoAuth } from './auth';
import { zohoConfiguration } from './config';
import { criteriaFor, hasFieldFilters, joinCriteria, matchesFilters } from './filters';
import { SOURCES, type MapContext, type ModuleMapper, type Raw } from './mappers';
import { ENGAGEMENT_TYPE_IDS } from './mappers/engagement';
import { compareIds, dealStages, fieldClass, moduleFields, type ZohoField } from './metadata';
import { deletedRecord, listFields, toRecord } from './records';
import { getSmall, listSmall, SMALL_MODELS } from './small';
import { zohoWebhooks } from './webhooks';

/**
 * Zoho CRM (API v8) as a CrmAdapter.
 *
 * Paging (every walk is in ascending record id, an immutable key, so records modified during a
 * walk never move):
 * - no server-side filters: the list API (`sort_by=id&sort_order=asc&per_page=200`, page 1, then
 *   Zoho's `next_page_token`, which also pages past record 2,000), `If-Modified-Since` for
 *   modified-after. State: source, the page token of the current page, the last id examined.
 * - filters Zoho can match (relations, email, stage/status, created and start-time ranges): the
 *   search API with criteria, keyset on Created_Time: each query adds
 *   `(Created_Time:greater_equal:<created time of the last record examined>)` and restarts at page
 *   1, skipping ids <= the last id examined, so neither deletions nor the 2,000-result search cap
 *   can skip or repeat a record (this relies on Zoho ids growing with Created_Time).
 * - includeDeleted: the recycle bin (`/deleted`, newest first) BEFORE the live records, walked in
 *   (deleted time, id) descending (see deletedStep). Bin first so that no id comes twice: a record
 *   listed live and deleted later in the walk would otherwise come again from the bin; deletions
 *   made once the bin was walked reach the next incremental sync (its window starts before this
 *   run did). States of walks begun with the old order (live first) carry no `v` and keep it.
 * A page holds at most pageSize records and is never empty while more matching records exist;
 * records are always re-checked client-side against every filter.
 */

const PER_PAGE = 200;
const MAX_CALLS_PER_PAGE = 25;

/**
 * `n` is the per_page the walk of the current source started with: page numbers and tokens are
 * only meaningful with the same page size, so later pages of that source reuse it.
 */
type State = { s: number; k?: string; a?: string | null; t?: string | null; p?: number; c?: string | null; dl?: number; n?: number; v?: number };

/** State version of walks that read the recycle bin before the live records. */
const BIN_FIRST = 2;

function mappersOf(model: ModelName): ModuleMapper[] {
  const m = SOURCES[model];
  if (!m) throw new VendorError('zoho', 0, 'UNSUPPORTED_MODEL', `Zoho has no ${model} records`, 'other');
  return m;
}

async function contextFor(conn: VendorConnection, model: ModelName): Promise<MapContext> {
  return { stages: model === 'Opportunity' ? await dealStages(conn) : [] };
}

async function metaOf(conn: VendorConnection, module: string): Promise<ZohoField[]> {
  try {
    return await moduleFields(conn, module);
  } catch (err) {
    // Without the settings scope records still map; remote fields get synthetic classes.
    if (err instanceof VendorError && err.kind === 'auth') return [];
    throw err;
  }
}

const isEmpty = (res: VendorResponse) => res.status === 204 || res.status === 304 || res.body === null || res.body === '';

interface StepResult {
  records: RemoteRecord[];
  /** Where to resume in this source; null when the source is exhausted. */
  next: State | null;
}

interface Walk {
  conn: VendorConnection;
  mapper: ModuleMapper;
  ctx: MapContext;
  meta: ZohoField[];
  filters: ListFilters;
  need: number;
  projection?: Projection;
}

/** Consumes one vendor page: records after the last id examined that pass the filters, up to `need`. */
function consume(raws: Raw[], st: State, w: Walk, toRec: (raw: Raw) => RemoteRecord, keyOf: (raw: Raw) => boolean) {
  const out: RemoteRecord[] = [];
  let last: Raw | undefined;
  let stoppedEarly = false;
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i];
    if (!keyOf(raw)) continue;
    last = raw;
    const rec = toRec(raw);
    if (matchesFilters(rec, w.filters)) out.push(rec);
    if (out.length >= w.need) {
      stoppedEarly = i < raws.length - 1;
      break;
    }
  }
  return { out, last, stoppedEarly };
}

/**
 * Rows per list call: exactly what the page still needs (Zoho's more_records tells whether more
 * exist), unless filters are checked only after mapping (then wide pages save calls). A walk
 * keeps the size it started with (see State.n).
 */
function listPageSize(w: Walk, st: State): number {
  if (st.n !== undefined && Number.isInteger(st.n) && st.n >= 1 && st.n <= PER_PAGE) return st.n;
  if (st.t || (st.p ?? 1) > 1) return PER_PAGE; // a position written before `n` existed
  const f = w.filters;
  return f.modifiedBefore || hasFieldFilters(f) ? PER_PAGE : Math.min(PER_PAGE, Math.max(1, w.need));
}

async function listStep(w: Walk, st: State): Promise<StepResult> {
  const { conn, mapper } = w;
  const path = `${API_PREFIX}/${mapper.module}`;
  const n = listPageSize(w, st);
  const query: Record<string, string | number | undefined> = {
    fields: listFields(mapper, w.meta, w.projection),
    per_page: n,
    sort_by: 'id',
    sort_order: 'asc',
    converted: mapper.module === 'Leads' ? 'both' : undefined,
  };
  if (st.t) query.page_token = st.t;
  else query.page = st.p ?? 1;
  const headers: Record<string, string> = {};
  if (w.filters.modifiedAfter) headers['If-Modified-Since'] = zohoDateTime(w.filters.modifiedAfter);
  const res = await call<{ data?: Raw[]; info?: { more_records?: boolean; next_page_token?: string | null; page?: number } }>(conn, { method: 'GET', path: `/${mapper.module}`, query, headers });
  if (isEmpty(res)) return { records: [], next: null };
  const raws = res.body?.data ?? [];
  const after = st.a ?? null;
  const { out, last, stoppedEarly } = consume(raws, st, w, (raw) => toRecord(raw, mapper, w.ctx, w.meta, path, w.projection), (raw) => after === null || compareIds(String(raw.id), after) > 0);
  const a = last ? String(last.id) : after;
  if (stoppedEarly) return { records: out, next: { s: st.s, k: 'l', a, t: st.t ?? null, p: st.t ? undefined : (st.p ?? 1), n } };
  const info = res.body?.info;
  if (!info?.more_records) return { records: out, next: null };
  if (info.next_page_token) return { records: out, next: { s: st.s, k: 'l', a, t: info.next_page_token, n } };
  const nextPage = (st.p ?? 1) + 1;
  if (nextPage * n > 2000) throw new VendorError('zoho', 400, 'DISCRETE_PAGINATION_LIMIT_EXCEEDED', 'Zoho gave no page_token to page past record 2,000', 'other');
  return { records: out, next: { s: st.s, k: 'l', a, p: nextPage, n } };
}

async function searchStep(w: Walk, st: State, conditions: string[]): Promise<StepResult> {
  const { conn, mapper } = w;
  const conds = st.c ? [...conditions, `(Created_Time:greater_equal:${st.c})`] : conditions;
  const page = st.p ?? 1;
  const res = await call<{ data?: Raw[]; info?: { more_records?: boolean } }>(conn, {
    method: 'GET',
    path: `/${mapper.module}/search`,
    query: { criteria: joinCriteria(conds), per_page: PER_PAGE, page, sort_by: 'id', sort_order: 'asc', converted: mapper.module === 'Leads' ? 'both' : undefined },
  });
  if (isEmpty(res)) return { records: [], next: null };
  const raws = res.body?.data ?? [];
  const path = `${API_PREFIX}/${mapper.module}/search`;
  const after = st.a ?? null;
  const { out, last, stoppedEarly } = consume(raws, st, w, (raw) => toRecord(raw, mapper, w.ctx, w.meta, path, w.projection), (raw) => after === null || compareIds(String(raw.id), after) > 0);
  const a = last ? String(last.id) : after;
  const c = last && typeof last.Created_Time === 'string' ? last.Created_Time : (st.c ?? null);
  const sameFloor = c === (st.c ?? null);
  if (stoppedEarly) return { records: out, next: { s: st.s, k: 'q', a, c, p: sameFloor ? page : 1 } };
  if (!res.body?.info?.more_records) return { records: out, next: null };
  const nextPage = sameFloor ? page + 1 : 1;
  if (nextPage * PER_PAGE > 2000) throw new VendorError('zoho', 400, 'LIMIT_REACHED', 'more than 2,000 matching Zoho records share one Created_Time', 'other');
  return { records: out, next: { s: st.s, k: 'q', a, c, p: nextPage } };
}

/** A recycle-bin entry with the page it came from and its deleted time in ms. */
type BinEntry = { raw: Raw; id: string; page: number; t: number };

const binTime = (raw: Raw) => {
  const t = Date.parse(String(raw.deleted_time));
  return Number.isNaN(t) ? 0 : t;
};

/**
 * Walks the recycle bin in (deleted time, id) descending. Zoho lists it newest first, but entries
 * sharing a deleted_time (seconds: a bulk delete) come in no id order, so each step sorts what it
 * fetched and consumes a group of equal times only once the whole group is in hand (fetching
 * further pages if the group reaches past the last one). Position: the time and id of the last
 * entry examined (everything at or above it is done, entries prepended by new deletions included)
 * and the first page still holding an entry below it (entries only move to later pages). Pages are
 * offsets into a list that grows at the top, so an entry can show up on two pages fetched one after
 * the other: entries are kept once per id.
 */
async function deletedStep(w: Walk, st: State): Promise<StepResult> {
  const { conn, mapper } = w;
  const headers: Record<string, string> = {};
  if (w.filters.modifiedAfter) headers['If-Modified-Since'] = zohoDateTime(w.filters.modifiedAfter);
  const path = `${API_PREFIX}/${mapper.module}/deleted`;
  const seen = (e: BinEntry) => st.dl !== undefined && (e.t > st.dl || (e.t === st.dl && st.a !== undefined && st.a !== null && compareIds(e.id, st.a) >= 0));
  const byPosition = (x: BinEntry, y: BinEntry) => y.t - x.t || compareIds(y.id, x.id);
  const byId = new Map<string, BinEntry>();
  let page = st.p ?? 1;
  let more: boolean;
  let ready: BinEntry[];
  let pending: BinEntry[]; // the oldest time's group while the next page may hold more of it
  for (;;) {
    const res = await call<{ data?: Raw[]; info?: { more_records?: boolean } }>(conn, { method: 'GET', path: `/${mapper.module}/deleted`, query: { type: 'all', per_page: PER_PAGE, page }, headers });
    const raws = isEmpty(res) ? [] : (res.body?.data ?? []);
    more = !isEmpty(res) && Boolean(res.body?.info?.more_records) && raws.length > 0;
    for (const raw of raws) {
      const e: BinEntry = { raw, id: String(raw.id), page, t: binTime(raw) };
      if (!seen(e) && !byId.has(e.id)) byId.set(e.id, e);
    }
    const buffer = [...byId.values()].sort(byPosition);
    const oldest = buffer.length ? buffer[buffer.length - 1].t : undefined;
    ready = more ? buffer.filter((e) => e.t !== oldest) : buffer;
    pending = more ? buffer.filter((e) => e.t === oldest) : [];
    if (!more || ready.length >= w.need) break;
    page++;
  }
  const out: RemoteRecord[] = [];
  let used = 0;
  for (const e of ready) {
    used++;
    const rec = deletedRecord(e.raw, mapper, path);
    if (matchesFilters(rec, w.filters)) out.push(rec);
    if (out.length >= w.need) break;
  }
  const last = used > 0 ? ready[used - 1] : undefined;
  const dl = last ? last.t : st.dl;
  const a = last ? last.id : (st.a ?? null);
  const left = [...ready.slice(used), ...pending];
  if (left.length) return { records: out, next: { s: st.s, k: 'd', a, dl, p: Math.min(...left.map((e) => e.page)) } };
  if (!more) return { records: out, next: null };
  return { records: out, next: { s: st.s, k: 'd', a, dl, p: page + 1 } };
}

function checkState(state: VendorPageState | null): State {
  if (state === null) return { s: 0 };
  if (typeof state.s !== 'number' || state.s < 0) throw new VendorError('zoho', 0, 'INVALID_STATE', 'invalid Zoho paging state', 'other');
  return state as unknown as State;
}

function compact(st: State): VendorPageState {
  const out: VendorPageState = {};
  for (const [k, v] of Object.entries(st)) if (v !== undefined && v !== null) out[k] = v as string | number;
  return out;
}

async function list(conn: VendorConnection, model: ModelName, q: ListQuery): Promise<ListPage> {
  if (!(q.pageSize >= 1 && q.pageSize <= PER_PAGE)) throw new VendorError('zoho', 0, 'INVALID_PAGE_SIZE', `pageSize must be 1..${PER_PAGE}`, 'validation');
  if (SMALL_MODELS.includes(model)) return listSmall(conn, model, q);
  const mappers = mappersOf(model);
  const f = q.filters;
  if (f.remoteId !== undefined) {
    if (q.state) return { records: [], nextState: null };
    const rec = (await getMany(conn, model, [f.remoteId], { projection: q.projection }))[0] ?? (f.includeDeleted ? await findDeleted(conn, mappers, f.remoteId) : undefined);
    return { records: rec && matchesFilters(rec, f) ? [rec] : [], nextState: null };
  }
  const ctx = await contextFor(conn, model);
  const withDeleted = Boolean(f.includeDeleted) && !hasFieldFilters(f);
  const total = mappers.length * (withDeleted ? 2 : 1);
  let st: State | null = checkState(q.state);
  // Sources: each module's live records and each module's recycle bin. New walks read the bins
  // first (see the header); a state without v comes from a walk begun live first and keeps that order.
  const binFirst = withDeleted && (q.state === null || q.state.v === BIN_FIRST);
  const isBin = (s: number) => withDeleted && (binFirst ? s < mappers.length : s >= mappers.length);
  const records: RemoteRecord[] = [];
  let calls = 0;
  while (st && st.s < total && records.length < q.pageSize) {
    const mapper = mappers[st.s % mappers.length];
    const meta = await metaOf(conn, mapper.module);
    const w: Walk = { conn, mapper, ctx, meta, filters: f, need: q.pageSize - records.length, projection: q.projection };
    let step: StepResult;
    if (isBin(st.s)) step = await deletedStep(w, st);
    else {
      const crit = criteriaFor(mapper, f, meta, ctx.stages);
      if (crit.none) step = { records: [], next: null };
      else if (crit.conditions.length) step = await searchStep(w, st, crit.conditions);
      else step = await listStep(w, st);
    }
    records.push(...step.records);
    st = step.next ?? (st.s + 1 < total ? { s: st.s + 1 } : null);
    calls++;
    if (records.length > 0 && calls >= MAX_CALLS_PER_PAGE) break;
  }
  return { records, nextState: st && st.s < total ? compact(binFirst ? { ...st, v: BIN_FIRST } : st) : null };
}

async function findDeleted(conn: VendorConnection, mappers: ModuleMapper[], id: string): Promise<RemoteRecord | undefined> {
  for (const mapper of mappers) {
    for (let page = 1; page <= 10; page++) {
      const res = await call<{ data?: Raw[]; info?: { more_records?: boolean } }>(conn, { method: 'GET', path: `/${mapper.module}/deleted`, query: { type: 'all', per_page: PER_PAGE, page } });
      if (isEmpty(res)) break;
      const hit = (res.body?.data ?? []).find((e) => String(e.id) === id);
      if (hit) return deletedRecord(hit, mapper, `${API_PREFIX}/${mapper.module}/deleted`);
      if (!res.body?.info?.more_records) break;
    }
  }
  return undefined;
}

/** Raw records by id, module by module (Engagement: Calls, then Events for the ids not found). */
async function rawMany(conn: VendorConnection, model: ModelName, ids: string[], projection?: Projection): Promise<{ raw: Raw; mapper: ModuleMapper }[]> {
  const found: { raw: Raw; mapper: ModuleMapper }[] = [];
  let remaining = [...new Set(ids.filter((id) => /^\d+$/.test(id)))];
  for (const mapper of mappersOf(model)) {
    if (remaining.length === 0) break;
    const meta = await metaOf(conn, mapper.module);
    const fields = listFields(mapper, meta, projection);
    for (let i = 0; i < remaining.length; i += 100) {
      const chunk = remaining.slice(i, i + 100);
      const query: Record<string, string> = { ids: chunk.join(','), fields };
      if (mapper.module === 'Leads') query.converted = 'both';
      const res = await conn.request<{ data?: Raw[] }>({ method: 'GET', path: `${API_PREFIX}/${mapper.module}`, query });
      if (res.status === 204 || (res.status === 400 && (res.body as ZohoErrorBody)?.code === 'INVALID_DATA')) continue;
      ensureOk(res);
      for (const raw of res.body?.data ?? []) found.push({ raw, mapper });
    }
    const got = new Set(found.map((x) => String(x.raw.id)));
    remaining = remaining.filter((id) => !got.has(id));
  }
  return found;
}

async function getMany(conn: VendorConnection, model: ModelName, remoteIds: string[], options?: ReadOptions): Promise<RemoteRecord[]> {
  if (remoteIds.length === 0) return [];
  if (SMALL_MODELS.includes(model)) return getSmall(conn, model, remoteIds);
  const ctx = await contextFor(conn, model);
  const out: RemoteRecord[] = [];
  for (const { raw, mapper } of await rawMany(conn, model, remoteIds, options?.projection)) {
    out.push(toRecord(raw, mapper, ctx, await metaOf(conn, mapper.module), `${API_PREFIX}/${mapper.module}`, options?.projection));
  }
  return out;
}

/** One record with all its fields (GET /{module}/{id}); null when no module of the model has it. */
async function getWithModule(conn: VendorConnection, model: ModelName, remoteId: string): Promise<{ rec: RemoteRecord; mapper: ModuleMapper } | null> {
  if (!/^\d+$/.test(remoteId)) return null;
  const ctx = await contextFor(conn, model);
  for (const mapper of mappersOf(model)) {
    const path = `${API_PREFIX}/${mapper.module}/${remoteId}`;
    const res = await conn.request<{ data?: Raw[] }>({ method: 'GET', path });
    if (res.status === 204 || res.status === 404) continue;
    if (res.status === 400) {
      const err = vendorError(400, res.body as ZohoErrorBody);
      if (err.kind === 'not_found' || err.vendorCode === 'INVALID_DATA') continue;
      throw err;
    }
    ensureOk(res);
    const raw = res.body?.data?.[0];
    if (raw) return { rec: toRecord(raw, mapper, ctx, await metaOf(conn, mapper.module), path), mapper };
  }
  return null;
}

async function get(conn: VendorConnection, model: ModelName, remoteId: string, options?: ReadOptions): Promise<RemoteRecord | null> {
  if (SMALL_MODELS.includes(model)) return (await getSmall(conn, model, [remoteId]))[0] ?? null;
  // Only the mapped fields: the list API by id (GET /{module}/{id} always answers every field).
  if (options?.projection === 'mapped') return (await getMany(conn, model, [remoteId], options))[0] ?? null;
  return (await getWithModule(conn, model, remoteId))?.rec ?? null;
}

function assertWritable(model: ModelName): void {
  if (!zohoAdapter.writableModels.includes(model)) throw new VendorError('zoho', 0, 'NOT_WRITABLE', `${model} records cannot be written through the Zoho CRM API`, 'validation');
}

/** The module a new engagement goes to: its engagement_type, else a call when it has a direction, else a meeting when it has an end. */
function engagementMapper(input: WriteInput): ModuleMapper {
  const [calls, events] = mappersOf('Engagement');
  const t = input.fields.engagement_type;
  const typeId = t && typeof t === 'object' && !Array.isArray(t) && 'remoteId' in t ? t.remoteId : typeof t === 'string' ? t : undefined;
  if (typeId === ENGAGEMENT_TYPE_IDS.call) return calls;
  if (typeId === ENGAGEMENT_TYPE_IDS.meeting) return events;
  if (typeId !== undefined && typeId !== null) throw new VendorError('zoho', 0, 'INVALID_DATA', `unknown engagement type ${typeId} (Zoho has ${ENGAGEMENT_TYPE_IDS.call} and ${ENGAGEMENT_TYPE_IDS.meeting})`, 'validation', ['engagement_type']);
  if (input.fields.direction) return calls;
  if (input.fields.end_time) return events;
  return calls;
}

function body(mapper: ModuleMapper, ctx: MapContext, input: WriteInput, op: 'create' | 'update'): Raw {
  const rec: Raw = mapper.write ? mapper.write(input.fields, ctx, op) : {};
  for (const rf of input.remoteFields) rec[rf.remote_field_class] = rf.value;
  return rec;
}

/** The id of a write answer, or the VendorError of its (first) failed record. */
function writeResult(res: VendorResponse, mapper: ModuleMapper): string {
  const data = (res.body as { data?: (ZohoErrorBody & { details?: { id?: string } })[] } | null)?.data;
  const item = Array.isArray(data) ? data[0] : undefined;
  const names = (vf: string) => [mapper.fieldOf[vf] ?? vf];
  if (item && item.status === 'success' && item.details?.id) return String(item.details.id);
  if (item && item.status === 'error') throw vendorError(res.status >= 400 ? res.status : 400, item, names, res.headers);
  throw vendorError(res.status, res.body as ZohoErrorBody, names, res.headers);
}

async function reread(conn: VendorConnection, model: ModelName, id: string): Promise<RemoteRecord> {
  const rec = await get(conn, model, id);
  if (!rec) throw new VendorError('zoho', 404, 'NOT_FOUND', `Zoho record ${id} was written but cannot be read back`, 'not_found');
  return rec;
}

async function create(conn: VendorConnection, model: ModelName, input: WriteInput): Promise<RemoteRecord> {
  assertWritable(model);
  const mapper = model === 'Engagement' ? engagementMapper(input) : mappersOf(model)[0];
  const ctx = await contextFor(conn, model);
  const res = await conn.request({ method: 'POST', path: `${API_PREFIX}/${mapper.module}`, body: { data: [body(mapper, ctx, input, 'create')] }, idempotent: false });
  const id = writeResult(res, mapper);
  return reread(conn, model, id);
}

async function update(conn: VendorConnection, model: ModelName, remoteId: string, input: WriteInput): Promise<RemoteRecord> {
  assertWritable(model);
  let mapper = mappersOf(model)[0];
  if (mappersOf(model).length > 1) {
    const found = await getWithModule(conn, model, remoteId);
    if (!found) throw new VendorError('zoho', 400, 'INVALID_DATA', 'the id given seems to be invalid', 'not_found');
    mapper = found.mapper;
  }
  const ctx = await contextFor(conn, model);
  const res = await conn.request({ method: 'PUT', path: `${API_PREFIX}/${mapper.module}/${encodeURIComponent(remoteId)}`, body: { data: [body(mapper, ctx, input, 'update')] } });
  writeResult(res, mapper);
  return reread(conn, model, remoteId);
}

async function remove(conn: VendorConnection, model: ModelName, remoteId: string): Promise<void> {
  assertWritable(model);
  let lastError: VendorError | undefined;
  for (const mapper of mappersOf(model)) {
    const res = await conn.request({ method: 'DELETE', path: `${API_PREFIX}/${mapper.module}/${encodeURIComponent(remoteId)}` });
    try {
      writeResult(res, mapper);
      return;
    } catch (err) {
      if (!(err instanceof VendorError) || err.kind !== 'not_found') throw err;
      lastError = err;
    }
  }
  throw lastError ?? new VendorError('zoho', 400, 'INVALID_DATA', 'the id given seems to be invalid', 'not_found');
}

async function remoteFieldClasses(conn: VendorConnection, model: ModelName): Promise<RemoteFieldClassRef[]> {
  if (SMALL_MODELS.includes(model)) return [];
  const out = new Map<string, RemoteFieldClassRef>();
  for (const mapper of mappersOf(model)) {
    for (const f of await moduleFields(conn, mapper.module)) if (!out.has(f.api_name)) out.set(f.api_name, fieldClass(f));
  }
  return [...out.values()];
}

function writableFields(model: ModelName, op: 'create' | 'update'): { field: string; required: boolean }[] {
  if (!zohoAdapter.writableModels.includes(model)) return [];
  const out = new Map<string, boolean>();
  const mappers = mappersOf(model);
  for (const mapper of mappers) {
    for (const w of mapper.writable ?? []) {
      // A field is required for the model only when every module behind it requires it.
      const required = op === 'create' && w.requiredOnCreate && mappers.every((m) => m.writable?.some((x) => x.field === w.field && x.requiredOnCreate));
      out.set(w.field, (out.get(w.field) ?? false) || required);
    }
  }
  return [...out].map(([field, required]) => ({ field, required }));
}

export const zohoAdapter: CrmAdapter = {
  vendor: 'zoho',
  displayName: 'Zoho CRM',
  auth: zohoAuth,
  configuration: zohoConfiguration,
  models: ['Account', 'Contact', 'Lead', 'Opportunity', 'Note', 'Task', 'Engagement', 'EngagementType', 'User', 'Stage'],
  writableModels: ['Account', 'Contact', 'Lead', 'Opportunity', 'Note', 'Task', 'Engagement'],
  syncPageSize: PER_PAGE,
  list,
  get,
  getMany,
  create,
  update,
  delete: remove,
  remoteFieldClasses,
  webhooks: zohoWebhooks,
  writableFields,
};
