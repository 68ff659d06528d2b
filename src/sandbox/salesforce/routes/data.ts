import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { entityDeleted, JSON_CONTENT_TYPE, notFound, sendError, sendErrors, SfWriteError } from '../errors';
import { normalizeId } from '../ids';
import { sfDateTime, type SfRecord } from '../records';
import { replicationWindow } from '../replication';
import { type QueryCursor, type SalesforceRuntime, unlimitedReportedMax } from '../runtime';
import { findObject, type SfField, type SfObject } from '../schema';
import { countQuery, renderKey, renderRecord, renderRecordBytes, runQuery } from '../soql/execute';
import { SoqlError } from '../soql/parser';
import type { Row, SObjectStore } from '../store';
import { validateWrite } from '../validation';
import { apiHook, baseUrl, ctx, MAX_VERSION, MIN_VERSION } from './context';
import { registerCompositeRoutes } from './composite';
import { describeGlobal, describeObject, objectInfo } from './describe';
import { parseSObjectMultipart, parseSObjectXml, wantsXml, xmlCreateResult } from '../body-formats';

/** The REST API under /services/data/vXX.X (authenticated, counted, fault-injected). */

const VERSION_LABELS = ['Winter', 'Spring', 'Summer'];
/** Marker the JSON parser leaves when a body does not parse. */
const BAD_JSON = Symbol('bad-json');
/** Marker the XML and multipart parsers leave: {code, message}. */
const BAD_BODY = Symbol('bad-body');

export function versionsList(): { label: string; url: string; version: string }[] {
  const out = [];
  for (let v = MIN_VERSION; v <= MAX_VERSION; v++) {
    // v50.0 = Winter '21, three releases a year.
    const k = v - 50;
    const season = VERSION_LABELS[k % 3];
    const year = 21 + Math.floor(k / 3);
    out.push({ label: `${season} '${year}`, url: `/services/data/v${v}.0`, version: `${v}.0` });
  }
  return out;
}

function send(reply: FastifyReply, status: number, body: string | Buffer): FastifyReply {
  return reply.code(status).header('content-type', JSON_CONTENT_TYPE).send(body);
}

function batchSizeOf(request: FastifyRequest): number | undefined {
  const h = request.headers['sforce-query-options'];
  const m = typeof h === 'string' ? /batchSize\s*=\s*(\d+)/i.exec(h) : null;
  if (!m) return undefined;
  return Math.min(2000, Math.max(200, Number(m[1])));
}

function store(request: FastifyRequest, reply: FastifyReply): { store: SObjectStore; schema: SfObject } | null {
  const name = (request.params as { sobject: string }).sobject;
  const schema = findObject(name);
  if (!schema) {
    notFound(reply);
    return null;
  }
  return { store: ctx(request).org.stores[schema.name], schema };
}

/** Renders one page of a cursor and advances it; saves or drops the cursor. */
const COMMA = Buffer.from(',');
const PAGE_END = Buffer.from(']}');

/** One page as a single Buffer: the head, then memoized record bytes. */
function renderPage(runtime: SalesforceRuntime, cursor: QueryCursor, version: string, pending: Row | undefined): Buffer {
  const it = cursor.rows;
  const parts: Buffer[] = [Buffer.alloc(0)];
  let n = 0;
  let row = pending ?? nextRow(it);
  const key = version === cursor.version ? cursor.renderKey : renderKey(version, cursor.fields);
  while (row && n < cursor.batchSize) {
    if (n > 0) parts.push(COMMA);
    parts.push(renderRecordBytes(cursor.object.name, version, cursor.fields, row.rec, key));
    n++;
    row = nextRow(it);
  }
  cursor.nextOffset += n;
  const done = row === undefined;
  let head = `{"totalSize":${cursor.totalSize},"done":${done}`;
  if (!done) {
    cursor.touchedAt = Date.now();
    if (!cursor.locator) cursor.locator = runtime.newLocator(cursor.tenantKey);
    pendingRows.set(cursor, row as Row);
    runtime.saveCursor(cursor);
    head += `,"nextRecordsUrl":"/services/data/v${version}/${cursor.queryAll ? 'queryAll' : 'query'}/${cursor.locator}-${cursor.nextOffset}"`;
  } else if (cursor.locator) {
    runtime.cursors.delete(cursor.locator);
  }
  parts[0] = Buffer.from(`${head},"records":[`);
  parts.push(PAGE_END);
  return Buffer.concat(parts);
}

const pendingRows = new WeakMap<QueryCursor, Row>();

function nextRow(it: Iterator<Row>): Row | undefined {
  const r = it.next();
  return r.done ? undefined : r.value;
}

function soqlFailure(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof SoqlError) return sendError(reply, 400, err.errorCode, err.message);
  throw err;
}

export function registerDataRoutes(app: FastifyInstance, runtime: SalesforceRuntime): void {
  app.get('/services/data', async (_request, reply) => send(reply, 200, JSON.stringify(versionsList())));
  app.get('/services/data/', async (_request, reply) => send(reply, 200, JSON.stringify(versionsList())));

  app.register(async (api) => {
    api.removeContentTypeParser('application/json');
    api.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      const text = body as string;
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch (e) {
        done(null, { [BAD_JSON]: (e as Error).message });
      }
    });
    // XML and multipart (blob-insert form) bodies: the same field map as JSON, or the parser error.
    api.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, parseSObjectXml(body as string));
      } catch (e) {
        done(null, { [BAD_BODY]: { code: 'XML_PARSER_ERROR', message: (e as Error).message } });
      }
    });
    api.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (req, body, done) => {
      try {
        done(null, parseSObjectMultipart(body as Buffer, req.headers['content-type']));
      } catch (e) {
        done(null, { [BAD_BODY]: { code: 'INVALID_MULTIPART_REQUEST', message: (e as Error).message } });
      }
    });
    api.addHook('onRequest', apiHook(runtime));
    api.setErrorHandler((err: { statusCode?: number; message: string }, _request, reply) => {
      const status = err.statusCode ?? 500;
      if (status === 415) return sendError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content type not supported');
      if (status === 413) return sendError(reply, 413, 'REQUEST_ENTITY_TOO_LARGE', 'Request entity too large');
      if (status >= 400 && status < 500) return sendError(reply, status, 'INVALID_REQUEST', err.message);
      return sendError(reply, 500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support: 1795326542-98431 (-1183474617)');
    });
    const P = '/services/data/:version';

    api.get(P, async (request, reply) => {
      const v = ctx(request).version;
      const r = (x: string) => `/services/data/v${v}/${x}`;
      return send(reply, 200, JSON.stringify({ limits: r('limits'), sobjects: r('sobjects'), query: r('query'), queryAll: r('queryAll'), recent: r('recent'), search: r('search') }));
    });

    api.get(`${P}/limits`, async (request, reply) => {
      const b = runtime.budget(ctx(request).org.tenant.key).peek();
      const max = Number.isFinite(b.limit) ? b.limit : unlimitedReportedMax(b.used);
      const body = {
        DailyApiRequests: { Max: max, Remaining: Math.max(0, max - b.used) },
        DailyBulkApiBatches: { Max: 15000, Remaining: 15000 },
        DataStorageMB: { Max: 5, Remaining: 5 },
        FileStorageMB: { Max: 20, Remaining: 20 },
      };
      return send(reply, 200, JSON.stringify(body));
    });

    api.get(`${P}/sobjects`, async (request, reply) => send(reply, 200, describeGlobal(ctx(request).version)));
    api.get(`${P}/sobjects/`, async (request, reply) => send(reply, 200, describeGlobal(ctx(request).version)));

    api.get(`${P}/sobjects/:sobject`, async (request, reply) => {
      const s = store(request, reply);
      return s && send(reply, 200, objectInfo(s.schema, ctx(request).version));
    });

    const describe = async (request: FastifyRequest, reply: FastifyReply) => {
      const s = store(request, reply);
      return s && send(reply, 200, describeObject(s.schema, ctx(request).version));
    };
    api.get(`${P}/sobjects/:sobject/describe`, describe);
    api.get(`${P}/sobjects/:sobject/describe/`, describe);

    const updated = async (request: FastifyRequest, reply: FastifyReply) => {
      const s = store(request, reply);
      if (!s) return reply;
      const q = request.query as { start?: string; end?: string };
      const w = replicationWindow(q.start, q.end, runtime.now(), 30);
      if ('errorCode' in w) return sendError(reply, 400, w.errorCode, w.message);
      const ids: string[] = [];
      for (const row of s.store.modifiedSince(w.start, true, false)) {
        if (row.rec._m >= w.end) break;
        ids.push(row.rec.Id as string);
      }
      return send(reply, 200, JSON.stringify({ ids, latestDateCovered: sfDateTime(w.end) }));
    };
    api.get(`${P}/sobjects/:sobject/updated`, updated);
    api.get(`${P}/sobjects/:sobject/updated/`, updated);

    const deleted = async (request: FastifyRequest, reply: FastifyReply) => {
      const s = store(request, reply);
      if (!s) return reply;
      const q = request.query as { start?: string; end?: string };
      const w = replicationWindow(q.start, q.end, runtime.now(), 15);
      if ('errorCode' in w) return sendError(reply, 400, w.errorCode, w.message);
      const entries = s.store.segments.flatMap((col) => col.deletedBetween(w.start, w.end)).sort((a, b) => a.deletedAt - b.deletedAt);
      if (entries.length > 600_000) return sendError(reply, 400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 600000 records in a single call');
      const body = {
        deletedRecords: entries.map((e) => ({ id: e.record.Id, deletedDate: sfDateTime(e.deletedAt) })),
        earliestDateAvailable: sfDateTime(w.earliestDateAvailable),
        latestDateCovered: sfDateTime(w.end),
      };
      return send(reply, 200, JSON.stringify(body));
    };
    api.get(`${P}/sobjects/:sobject/deleted`, deleted);
    api.get(`${P}/sobjects/:sobject/deleted/`, deleted);

    // --- records -------------------------------------------------------------------------
    const findRow = (s: { store: SObjectStore }, request: FastifyRequest): Row | null => {
      const id = (request.params as { id: string }).id;
      return normalizeId(id) ? s.store.find(id) : null;
    };

    api.get(`${P}/sobjects/:sobject/:id`, async (request, reply) => {
      const s = store(request, reply);
      if (!s) return reply;
      const row = findRow(s, request);
      if (!row || row.deleted) return notFound(reply);
      let fields: readonly SfField[] = s.schema.fields;
      const list = (request.query as { fields?: string }).fields;
      if (list) {
        const chosen: SfField[] = [];
        for (const name of list.split(',').map((x) => x.trim()).filter(Boolean)) {
          const f = s.schema.byLower.get(name.toLowerCase());
          if (!f) return sendError(reply, 400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${s.schema.name}`);
          if (!chosen.includes(f)) chosen.push(f);
        }
        fields = chosen;
      }
      return send(reply, 200, renderRecord(s.schema.name, ctx(request).version, fields, row.rec));
    });

    const writeFailure = (reply: FastifyReply, err: unknown) => {
      if (err instanceof SfWriteError) return sendErrors(reply, err.status, err.errors);
      throw err;
    };
    const badJson = (reply: FastifyReply, body: unknown) => {
      if (body && typeof body === 'object' && BAD_BODY in body) {
        const bad = (body as Record<symbol, { code: string; message: string }>)[BAD_BODY] as { code: string; message: string };
        sendError(reply, 400, bad.code, bad.message);
        return true;
      }
      if (body && typeof body === 'object' && BAD_JSON in body) {
        const msg = String((body as Record<symbol, unknown>)[BAD_JSON]);
        sendError(reply, 400, 'JSON_PARSER_ERROR', `Unexpected character in the request body: ${msg} at [line:1, column:1]`);
        return true;
      }
      return false;
    };
    const allowDuplicates = (request: FastifyRequest) => /allowSave\s*=\s*true/i.test(String(request.headers['sforce-duplicate-rule-header'] ?? ''));

    api.post(`${P}/sobjects/:sobject`, async (request, reply) => {
      const s = store(request, reply);
      if (!s) return reply;
      if (badJson(reply, request.body)) return reply;
      if (!s.schema.createable) return sendError(reply, 400, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be inserted: ${s.schema.label}`);
      const { org, version } = ctx(request);
      let fields: Record<string, unknown>;
      try {
        fields = validateWrite(org, s.schema, request.body, { allowDuplicates: allowDuplicates(request), version });
      } catch (err) {
        return writeFailure(reply, err);
      }
      const segment = s.schema.name === 'Task' ? (fields.TaskSubtype === 'Call' ? 1 : fields.TaskSubtype === 'Email' ? 2 : 0) : 0;
      const row = org.create(s.schema.name, fields, runtime.now(), segment);
      runtime.notify(org, s.schema, baseUrl(request, app), [{ rec: row.rec, changed: Object.keys(fields) }]);
      if (wantsXml(request.headers.accept)) return reply.code(201).header('content-type', 'application/xml;charset=UTF-8').send(xmlCreateResult(String(row.rec.Id)));
      return send(reply, 201, JSON.stringify({ id: row.rec.Id, success: true, errors: [] }));
    });

    api.patch(`${P}/sobjects/:sobject/:id`, async (request, reply) => {
      const s = store(request, reply);
      if (!s) return reply;
      if (badJson(reply, request.body)) return reply;
      const row = findRow(s, request);
      if (!row) return notFound(reply);
      if (row.deleted) return entityDeleted(reply);
      if (!s.schema.updateable) return sendError(reply, 400, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be updated: ${s.schema.label}`);
      const { org, version } = ctx(request);
      let patch: Record<string, unknown>;
      try {
        patch = validateWrite(org, s.schema, request.body ?? {}, { allowDuplicates: allowDuplicates(request), existing: { rec: row.rec, pos: row.pos }, version });
      } catch (err) {
        return writeFailure(reply, err);
      }
      const rec: SfRecord = org.update(s.store, row, patch, runtime.now());
      runtime.notify(org, s.schema, baseUrl(request, app), [{ rec, changed: Object.keys(patch) }]);
      return reply.code(204).send();
    });

    api.delete(`${P}/sobjects/:sobject/:id`, async (request, reply) => {
      const s = store(request, reply);
      if (!s) return reply;
      const row = findRow(s, request);
      if (!row) return notFound(reply);
      if (row.deleted) return entityDeleted(reply);
      if (!s.schema.deletable) return sendError(reply, 400, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be deleted: ${s.schema.label}`);
      ctx(request).org.remove(s.store, row, runtime.now());
      return reply.code(204).send();
    });

    // --- SOQL ----------------------------------------------------------------------------
    const query = (queryAll: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
      const { org, version } = ctx(request);
      const soql = (request.query as { q?: string }).q;
      if (soql === undefined) return sendError(reply, 400, 'MALFORMED_QUERY', 'A query string has to be specified');
      try {
        const compiled = runtime.compile(soql);
        const st = org.stores[compiled.object.name];
        if (compiled.query.count) {
          return send(reply, 200, `{"totalSize":${countQuery(st, compiled, queryAll)},"done":true,"records":[]}`);
        }
        const run = runQuery(st, compiled, queryAll);
        const cursor: QueryCursor = {
          locator: '',
          tenantKey: org.tenant.key,
          object: compiled.object,
          fields: compiled.fields,
          renderKey: renderKey(version, compiled.fields),
          version,
          rows: run.rows,
          restart: run.restart,
          nextOffset: 0,
          totalSize: run.totalSize,
          batchSize: batchSizeOf(request) ?? 2000,
          queryAll,
          touchedAt: Date.now(),
        };
        return send(reply, 200, renderPage(runtime, cursor, version, undefined));
      } catch (err) {
        return soqlFailure(reply, err);
      }
    };
    const more = async (request: FastifyRequest, reply: FastifyReply) => {
      const { org, version } = ctx(request);
      const raw = (request.params as { locator: string }).locator;
      const dash = raw.lastIndexOf('-');
      const locator = dash > 0 ? raw.slice(0, dash) : raw;
      const offset = dash > 0 ? Number(raw.slice(dash + 1)) : 0;
      const cursor = runtime.getCursor(locator);
      if (!cursor || cursor.tenantKey !== org.tenant.key || !Number.isInteger(offset) || offset < 0) {
        return sendError(reply, 400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
      }
      let pending = pendingRows.get(cursor);
      pendingRows.delete(cursor);
      if (offset !== cursor.nextOffset) {
        const it = cursor.restart();
        for (let i = 0; i < offset; i++) if (it.next().done) break;
        cursor.rows = it;
        cursor.nextOffset = offset;
        pending = undefined;
      }
      const bs = batchSizeOf(request);
      if (bs) cursor.batchSize = bs;
      return send(reply, 200, renderPage(runtime, cursor, version, pending));
    };
    api.get(`${P}/query`, query(false));
    api.get(`${P}/query/`, query(false));
    api.get(`${P}/queryAll`, query(true));
    api.get(`${P}/queryAll/`, query(true));
    api.get(`${P}/query/:locator`, more);
    api.get(`${P}/queryAll/:locator`, more);

    registerCompositeRoutes(api, app, runtime, P);
    // Anything else under a served version: Salesforce's NOT_FOUND (after the session check).
    api.all(`${P}/*`, async (_request, reply) => notFound(reply));
  });
}
