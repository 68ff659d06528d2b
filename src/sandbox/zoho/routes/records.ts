import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CriteriaError, matches, parseCriteria, validateCriteria, type CriteriaSchema, type Node, type ValueKind } from '../criteria';
import { Errors, JSON_TYPE, sendError, zerr, type ZohoError } from '../errors';
import { zohoDateTime, parseDateTime } from '../format';
import { cursorOf, takePage, walk, type SortBy, type SortOrder, type WalkOptions } from '../listing';
import { MODULES, moduleByName, type ModuleName, type ZRecord } from '../modules';
import { emitChange } from '../notifications';
import { decodePageToken, encodePageToken, PAGE_TOKEN_TTL_MS, type PageTokenState } from '../page-token';
import { fieldValue, projection, renderCached, renderRecord, type Projection } from '../render';
import type { ModuleStore } from '../tenant';
import { checkWrite } from '../validate';
import { ctxOf, type RouteDeps } from '../context';

/** Records API: list, read, search, deleted, create, update, delete (section C3 / C5). */

type Q = Record<string, string | undefined>;

export const MAX_PER_PAGE = 200;
export const PAGE_LIMIT_RECORDS = 2000;
export const MAX_FIELDS = 50;
export const MAX_WRITE_RECORDS = 100;
export const INVALID_BODY = Symbol('invalid body');

function moduleOf(request: FastifyRequest, reply: FastifyReply): ModuleStore | undefined {
  const name = moduleByName((request.params as { module: string }).module);
  if (!name) {
    sendError(reply, 400, Errors.invalidModule(0));
    return undefined;
  }
  return ctxOf(request).tenant.modules[name];
}

function intParam(v: string | undefined, dflt: number): number {
  if (v === undefined || v === '') return dflt;
  return /^\d+$/.test(v) ? Number(v) : NaN;
}

function parseFields(v: string | undefined): string[] | null {
  if (v === undefined) return null;
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function sinceOf(request: FastifyRequest): number | undefined {
  const h = request.headers['if-modified-since'];
  if (typeof h !== 'string' || !h) return undefined;
  const ms = Date.parse(h);
  return Number.isNaN(ms) ? undefined : ms;
}

function convertedFilter(module: ModuleName, v: string | undefined): ((r: ZRecord) => boolean) | undefined | 'invalid' {
  if (module !== 'Leads') return undefined;
  const c = (v ?? 'false').toLowerCase();
  if (c === 'both') return undefined;
  if (c === 'true') return (r) => r.f.Converted__s === true;
  if (c === 'false') return (r) => r.f.Converted__s !== true;
  return 'invalid';
}

function sendJson(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type(JSON_TYPE).send(body);
}

function emptyAnswer(reply: FastifyReply, notModified: boolean): FastifyReply {
  return reply.code(notModified ? 304 : 204).send();
}

export function kindSchema(store: ModuleStore): CriteriaSchema {
  const defs = new Map(store.def.fields.map((f) => [f.api, f]));
  return {
    kindOf(field: string): ValueKind | undefined {
      if (field === 'id') return 'string';
      const [head, sub] = field.split('.');
      const def = defs.get(head);
      if (!def) return undefined;
      if (sub !== undefined) return def.type === 'lookup' || def.type === 'ownerlookup' ? 'string' : undefined;
      switch (def.type) {
        case 'integer': case 'bigint': case 'double': case 'currency': return 'number';
        case 'datetime': return 'datetime';
        case 'date': return 'date';
        case 'boolean': return 'boolean';
        case 'lookup': case 'ownerlookup': return 'lookup';
        case 'participants': return undefined;
        default: return 'string';
      }
    },
  };
}

export function getterFor(store: ModuleStore, position: number, r: ZRecord): (field: string) => unknown {
  return (field) => {
    const [head, sub] = field.split('.');
    const v = fieldValue(store, position, r, head);
    if (sub !== undefined) return v && typeof v === 'object' ? (v as Record<string, unknown>)[sub] : null;
    if (head === 'Created_Time') return r.createdAt;
    if (head === 'Modified_Time') return r.modifiedAt;
    return v;
  };
}

/** A lower bound on Modified_Time implied by the criteria (lets search use the modified index). */
function modifiedLowerBound(node: Node): number | undefined {
  if (node.kind === 'cond') {
    if (node.field === 'Modified_Time' && (node.operator === 'greater_than' || node.operator === 'greater_equal' || node.operator === 'between')) {
      const ms = parseDateTime(node.values[0].trim());
      return Number.isNaN(ms) ? undefined : ms - 1;
    }
    return undefined;
  }
  if (node.op === 'or') return undefined;
  let best: number | undefined;
  for (const n of node.items) {
    const b = modifiedLowerBound(n);
    if (b !== undefined && (best === undefined || b > best)) best = b;
  }
  return best;
}

function renderList(store: ModuleStore, items: { position: number; record: ZRecord }[], proj: Projection): string {
  let out = '';
  for (let i = 0; i < items.length; i++) {
    if (i) out += ',';
    const item = items[i];
    out += renderCached(store, item.position, () => item.record, proj);
  }
  return out;
}

function statusOfBatch(results: { status: string }[], success: number): number {
  const ok = results.filter((r) => r.status === 'success').length;
  if (ok === results.length) return success;
  if (ok === 0) return 400;
  return 207;
}

function dataArray(body: unknown, reply: FastifyReply): unknown[] | undefined {
  if (body === INVALID_BODY || body === undefined || body === null || typeof body !== 'object') {
    sendError(reply, 400, zerr('INVALID_DATA', 'body', {}));
    return undefined;
  }
  const data = (body as { data?: unknown }).data;
  if (!Array.isArray(data) || data.length === 0) {
    sendError(reply, 400, zerr('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'data', json_path: '$.data' }));
    return undefined;
  }
  if (data.length > MAX_WRITE_RECORDS) {
    sendError(reply, 400, zerr('LIMIT_EXCEEDED', 'Record count exceeded', { limit: MAX_WRITE_RECORDS, api_name: 'data', json_path: '$.data' }));
    return undefined;
  }
  return data;
}

export function registerRecordRoutes(api: FastifyInstance, deps: RouteDeps): void {
  const { runtime } = deps;

  // ---- list -------------------------------------------------------------------------------
  api.get('/crm/v8/:module', async (request, reply) => {
    const store = moduleOf(request, reply);
    if (!store) return reply;
    const { tenant } = ctxOf(request);
    const q = request.query as Q;
    const fields = parseFields(q.fields);
    if (!fields || fields.length === 0) return sendError(reply, 400, Errors.requiredParam('fields'));
    if (fields.length > MAX_FIELDS) return sendError(reply, 400, zerr('LIMIT_EXCEEDED', 'the number of fields exceeds the limit', { param: 'fields', limit: MAX_FIELDS }));
    const perPage = intParam(q.per_page, MAX_PER_PAGE);
    if (!(perPage >= 1 && perPage <= MAX_PER_PAGE)) return sendError(reply, 400, Errors.invalidParam('per_page', { maximum_length: MAX_PER_PAGE }));
    const proj = projection(store, fields);

    if (q.ids !== undefined) {
      const ids = q.ids.split(',').map((s) => s.trim()).filter(Boolean);
      if (ids.length > 100) return sendError(reply, 400, zerr('LIMIT_EXCEEDED', 'Record count exceeded', { param: 'ids', limit: 100 }));
      const items = ids.map((id) => ({ position: store.position(id), id })).filter((x) => x.position >= 0 && store.coll.get(x.position)).map((x) => ({ position: x.position, record: store.coll.get(x.position) as ZRecord }));
      if (items.length === 0) return emptyAnswer(reply, false);
      return sendJson(reply, 200, `{"data":[${renderList(store, items, proj)}],"info":${JSON.stringify({ per_page: perPage, next_page_token: null, count: items.length, sort_by: 'id', page: 1, previous_page_token: null, page_token_expiry: null, sort_order: 'desc', more_records: false })}}`);
    }

    let state: Omit<PageTokenState, 'c' | 'pg' | 'x'> & { c?: PageTokenState['c'] };
    let page: number;
    if (q.page_token !== undefined) {
      if (q.page !== undefined) return sendError(reply, 400, zerr('INVALID_DATA', 'page and page_token cannot be used together', { param: 'page' }));
      const tok = decodePageToken(q.page_token);
      if (!tok || tok.t !== tenant.info.key || tok.mod !== store.def.api) return sendError(reply, 400, Errors.invalidParam('page_token'));
      if (tok.x < Date.now()) return sendError(reply, 400, zerr('INVALID_DATA', 'page_token expired', { param: 'page_token' }));
      state = tok;
      page = tok.pg;
    } else {
      page = intParam(q.page, 1);
      if (!(page >= 1)) return sendError(reply, 400, Errors.invalidParam('page'));
      if (page * perPage > PAGE_LIMIT_RECORDS) return sendError(reply, 400, Errors.pageLimit());
      const sortBy = (q.sort_by ?? 'id') as SortBy;
      if (!['id', 'Created_Time', 'Modified_Time'].includes(sortBy)) return sendError(reply, 400, Errors.invalidParam('sort_by'));
      const order = (q.sort_order ?? 'desc').toLowerCase() as SortOrder;
      if (order !== 'asc' && order !== 'desc') return sendError(reply, 400, Errors.invalidParam('sort_order'));
      const conv = convertedFilter(store.def.api, q.converted);
      if (conv === 'invalid') return sendError(reply, 400, Errors.invalidParam('converted'));
      state = { t: tenant.info.key, mod: store.def.api, s: sortBy, o: order, i: sinceOf(request), cv: store.def.api === 'Leads' ? (q.converted ?? 'false').toLowerCase() : undefined };
    }
    const conv = convertedFilter(store.def.api, state.cv);
    const skip = q.page_token !== undefined ? 0 : (page - 1) * perPage;
    const opts: WalkOptions = { sortBy: state.s, order: state.o, since: state.i ?? undefined, after: state.c, filter: conv === 'invalid' ? undefined : conv, skip };
    const { page: items, more } = takePage(walk(store, opts), 0, perPage);
    if (items.length === 0) return emptyAnswer(reply, state.i !== undefined && state.i !== null);
    let next: string | null = null;
    let expiry: string | null = null;
    if (more) {
      const x = Date.now() + PAGE_TOKEN_TTL_MS;
      next = encodePageToken({ t: state.t, mod: state.mod, s: state.s, o: state.o, i: state.i, cv: state.cv, c: cursorOf(items[items.length - 1], state.s), pg: page + 1, x });
      expiry = zohoDateTime(x);
    }
    const info = `{"per_page":${perPage},"next_page_token":${next ? `"${next}"` : 'null'},"count":${items.length},"sort_by":"${state.s}","page":${page},"previous_page_token":null,"page_token_expiry":${expiry ? `"${expiry}"` : 'null'},"sort_order":"${state.o}","more_records":${more}}`;
    return sendJson(reply, 200, `{"data":[${renderList(store, items, proj)}],"info":${info}}`);
  });

  // ---- search -----------------------------------------------------------------------------
  api.get('/crm/v8/:module/search', async (request, reply) => {
    const store = moduleOf(request, reply);
    if (!store) return reply;
    const q = request.query as Q;
    const perPage = intParam(q.per_page, MAX_PER_PAGE);
    if (!(perPage >= 1 && perPage <= MAX_PER_PAGE)) return sendError(reply, 400, Errors.invalidParam('per_page'));
    const page = intParam(q.page, 1);
    if (!(page >= 1)) return sendError(reply, 400, Errors.invalidParam('page'));
    if (page * perPage > PAGE_LIMIT_RECORDS) return sendError(reply, 400, zerr('LIMIT_REACHED', 'search results exceed the limit of 2000 records', { limit: PAGE_LIMIT_RECORDS }));
    const schema = kindSchema(store);
    let predicate: (p: number, r: ZRecord) => boolean;
    let since: number | undefined;
    if (q.criteria !== undefined) {
      let node: Node;
      try {
        node = parseCriteria(q.criteria);
        validateCriteria(node, schema);
      } catch (err) {
        if (err instanceof CriteriaError) return sendError(reply, 400, Errors.invalidQuery(err.message, { api_name: 'criteria' }));
        throw err;
      }
      since = modifiedLowerBound(node);
      predicate = (p, r) => matches(node, getterFor(store, p, r), schema);
    } else if (q.email !== undefined) {
      const e = q.email.toLowerCase();
      const emailFields = store.def.fields.filter((f) => f.type === 'email').map((f) => f.api);
      if (emailFields.length === 0) return sendError(reply, 400, Errors.invalidParam('email'));
      predicate = (_p, r) => emailFields.some((f) => typeof r.f[f] === 'string' && (r.f[f] as string).toLowerCase() === e);
    } else if (q.phone !== undefined) {
      const digits = q.phone.replace(/\D/g, '');
      const phoneFields = store.def.fields.filter((f) => f.type === 'phone').map((f) => f.api);
      if (!digits || phoneFields.length === 0) return sendError(reply, 400, Errors.invalidParam('phone'));
      predicate = (_p, r) => phoneFields.some((f) => typeof r.f[f] === 'string' && (r.f[f] as string).replace(/\D/g, '').includes(digits));
    } else if (q.word !== undefined) {
      const w = q.word.toLowerCase();
      if (w.length < 2) return sendError(reply, 400, Errors.invalidParam('word'));
      const textFields = store.def.fields.filter((f) => ['text', 'email', 'phone', 'website', 'textarea', 'picklist'].includes(f.type)).map((f) => f.api);
      predicate = (_p, r) => textFields.some((f) => typeof r.f[f] === 'string' && (r.f[f] as string).toLowerCase().includes(w));
    } else {
      return sendError(reply, 400, Errors.requiredParam('criteria'));
    }
    const conv = convertedFilter(store.def.api, q.converted);
    if (conv === 'invalid') return sendError(reply, 400, Errors.invalidParam('converted'));
    const sortBy = (q.sort_by ?? 'id') as SortBy;
    if (!['id', 'Created_Time', 'Modified_Time'].includes(sortBy)) return sendError(reply, 400, Errors.invalidParam('sort_by'));
    const order = (q.sort_order ?? 'desc').toLowerCase() as SortOrder;
    if (order !== 'asc' && order !== 'desc') return sendError(reply, 400, Errors.invalidParam('sort_order'));
    const all = walk(store, { sortBy, order, since, filter: conv });
    const filtered = (function* () {
      for (const it of all) if (predicate(it.position, it.record)) yield it;
    })();
    const { page: items, more } = takePage(filtered, (page - 1) * perPage, perPage);
    if (items.length === 0) return reply.code(204).send();
    const proj = projection(store, parseFields(q.fields));
    const info = JSON.stringify({ per_page: perPage, count: items.length, page, more_records: more && page * perPage < PAGE_LIMIT_RECORDS });
    return sendJson(reply, 200, `{"data":[${renderList(store, items, proj)}],"info":${info}}`);
  });

  // ---- deleted ----------------------------------------------------------------------------
  api.get('/crm/v8/:module/deleted', async (request, reply) => {
    const store = moduleOf(request, reply);
    if (!store) return reply;
    const q = request.query as Q;
    const type = (q.type ?? 'all').toLowerCase();
    if (!['all', 'recycle', 'permanent'].includes(type)) return sendError(reply, 400, Errors.invalidParam('type'));
    const perPage = intParam(q.per_page, MAX_PER_PAGE);
    if (!(perPage >= 1 && perPage <= MAX_PER_PAGE)) return sendError(reply, 400, Errors.invalidParam('per_page'));
    const page = intParam(q.page, 1);
    if (!(page >= 1)) return sendError(reply, 400, Errors.invalidParam('page'));
    const since = sinceOf(request);
    // Every deletion sits in the recycle bin (Zoho keeps it there 60 days); none is permanent yet.
    const entries = type === 'permanent' ? [] : store.coll.deletedBetween(since === undefined ? -Infinity : since + 1, Infinity).reverse();
    const slice = entries.slice((page - 1) * perPage, page * perPage);
    if (slice.length === 0) return emptyAnswer(reply, since !== undefined);
    const tenant = store.tenant;
    const data = slice.map((e) => {
      const by = tenant.user(store.deletedBy.get(e.position) ?? 0);
      const createdBy = tenant.user(e.record.createdBy);
      return {
        deleted_by: { name: by.name, id: by.id },
        id: store.id(e.position),
        display_name: store.displayName(e.record),
        type: 'recycle',
        created_by: { name: createdBy.name, id: createdBy.id },
        deleted_time: zohoDateTime(e.deletedAt),
      };
    });
    return sendJson(reply, 200, JSON.stringify({ data, info: { per_page: perPage, count: data.length, page, more_records: entries.length > page * perPage } }));
  });

  // ---- single read ------------------------------------------------------------------------
  api.get('/crm/v8/:module/:id', async (request, reply) => {
    const store = moduleOf(request, reply);
    if (!store) return reply;
    const { id } = request.params as { id: string };
    const p = store.position(id);
    const r = p >= 0 ? store.coll.get(p) : undefined;
    if (!r) return sendError(reply, 400, Errors.invalidId(id));
    const proj = projection(store, parseFields((request.query as Q).fields));
    return sendJson(reply, 200, `{"data":[${renderRecord(store, p, r, proj)}]}`);
  });

  // ---- create -----------------------------------------------------------------------------
  api.post('/crm/v8/:module', async (request, reply) => {
    const store = moduleOf(request, reply);
    if (!store) return reply;
    const data = dataArray(request.body, reply);
    if (!data) return reply;
    const { tenant, user } = ctxOf(request);
    const created: string[] = [];
    const results = data.map((input, index) => {
      const check = checkWrite(store, input, index);
      if (!check.ok) return check.error;
      const fields = check.fields;
      if (fields.Owner === undefined) fields.Owner = tenant.user(user);
      const { position, record } = store.create(fields, user);
      const id = store.id(position);
      created.push(id);
      return successItem(store, id, record, 'record added');
    });
    emitChange(runtime, tenant, store.def.api, 'insert', created);
    return sendJson(reply, statusOfBatch(results, 201), JSON.stringify({ data: results }));
  });

  // ---- update -----------------------------------------------------------------------------
  const update = (request: FastifyRequest, reply: FastifyReply, pathId?: string) => {
    const store = moduleOf(request, reply);
    if (!store) return reply;
    const data = dataArray(request.body, reply);
    if (!data) return reply;
    const { tenant, user } = ctxOf(request);
    const updated: string[] = [];
    const affected = new Set<string>();
    const results = data.map((input, index): ZohoError | ReturnType<typeof successItem> => {
      const obj = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
      const id = pathId ?? obj.id;
      if (id === undefined || id === null || id === '') return zerr('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'id', json_path: `$.data[${index}].id` });
      const p = store.position(String(id));
      const current = p >= 0 ? store.coll.get(p) : undefined;
      if (!current) return zerr('INVALID_DATA', 'the id given seems to be invalid', { id: String(id), api_name: 'id', json_path: `$.data[${index}].id` });
      const check = checkWrite(store, obj, index, { position: p, record: current });
      if (!check.ok) return check.error;
      const record = store.update(p, check.fields, user);
      updated.push(store.id(p));
      for (const f of check.changed) affected.add(f);
      return successItem(store, store.id(p), record, 'record updated');
    });
    emitChange(runtime, tenant, store.def.api, 'update', updated, [...affected]);
    return sendJson(reply, statusOfBatch(results, 200), JSON.stringify({ data: results }));
  };
  api.put('/crm/v8/:module', async (request, reply) => update(request, reply));
  api.put('/crm/v8/:module/:id', async (request, reply) => update(request, reply, (request.params as { id: string }).id));

  // ---- delete -----------------------------------------------------------------------------
  const remove = (request: FastifyRequest, reply: FastifyReply, ids: string[]) => {
    const store = moduleOf(request, reply);
    if (!store) return reply;
    if (ids.length > MAX_WRITE_RECORDS) return sendError(reply, 400, zerr('LIMIT_EXCEEDED', 'Record count exceeded', { param: 'ids', limit: MAX_WRITE_RECORDS }));
    const { tenant, user } = ctxOf(request);
    const deleted: string[] = [];
    const results = ids.map((id) => {
      const p = store.position(id);
      if (p < 0 || !store.remove(p, user)) return zerr('INVALID_DATA', 'the id given seems to be invalid', { id });
      deleted.push(id);
      return { code: 'SUCCESS', details: { id }, message: 'record deleted', status: 'success' };
    });
    emitChange(runtime, tenant, store.def.api, 'delete', deleted);
    return sendJson(reply, statusOfBatch(results, 200), JSON.stringify({ data: results }));
  };
  api.delete('/crm/v8/:module', async (request, reply) => {
    const raw = (request.query as Q).ids;
    if (!raw) return sendError(reply, 400, Errors.requiredParam('ids'));
    return remove(request, reply, raw.split(',').map((s) => s.trim()).filter(Boolean));
  });
  api.delete('/crm/v8/:module/:id', async (request, reply) => remove(request, reply, [(request.params as { id: string }).id]));
}

function successItem(store: ModuleStore, id: string, record: ZRecord, message: string) {
  const created = store.tenant.user(record.createdBy);
  const modified = store.tenant.user(record.modifiedBy);
  return {
    code: 'SUCCESS',
    details: {
      Modified_Time: zohoDateTime(record.modifiedAt),
      Modified_By: { name: modified.name, id: modified.id },
      Created_Time: zohoDateTime(record.createdAt),
      id,
      Created_By: { name: created.name, id: created.id },
    },
    message,
    status: 'success',
  };
}

export { MODULES };
