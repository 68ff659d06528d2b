import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { JSON_CONTENT_TYPE, sendError, SfWriteError } from '../errors';
import { normalizeId } from '../ids';
import type { SalesforceRuntime } from '../runtime';
import { findObject, type SfField, type SfObject } from '../schema';
import { renderRecord } from '../soql/execute';
import type { Row } from '../store';
import { validateWrite } from '../validation';
import type { OutboundChange } from '../outbound';
import { baseUrl, ctx } from './context';

/**
 * sObject Collections (`/composite/sobjects`), what jsforce uses for create/update/destroy/retrieve
 * of several records at once: at most 200 records, per-record results
 * `{id, success, errors:[{statusCode, message, fields}]}`, optional allOrNone (then nothing is
 * written when one record fails, and the others report ALL_OR_NONE_OPERATION_ROLLED_BACK).
 */

const MAX = 200;

interface Result {
  id: string | null;
  success: boolean;
  errors: { statusCode: string; message: string; fields: string[] }[];
}

const ok = (id: string): Result => ({ id, success: true, errors: [] });
const fail = (id: string | null, statusCode: string, message: string, fields: string[] = []): Result => ({ id, success: false, errors: [{ statusCode, message, fields }] });
const fromWriteError = (id: string | null, e: SfWriteError): Result => ({
  id,
  success: false,
  errors: e.errors.map((x) => ({ statusCode: x.errorCode, message: x.message, fields: x.fields ?? [] })),
});
const ROLLED_BACK = 'Record rolled back because not all records were valid and the request was using AllOrNone header';

function reply200(reply: FastifyReply, results: unknown): FastifyReply {
  return reply.code(200).header('content-type', JSON_CONTENT_TYPE).send(JSON.stringify(results));
}

/** Applies planned writes unless allOrNone and something failed; returns the results. */
function settle<T>(allOrNone: boolean, plans: ({ result: Result } | { apply: () => Result; id: string | null; t?: T })[]): Result[] {
  const failed = plans.some((p) => 'result' in p);
  if (allOrNone && failed) {
    return plans.map((p) => ('result' in p ? p.result : fail(p.id, 'ALL_OR_NONE_OPERATION_ROLLED_BACK', ROLLED_BACK)));
  }
  return plans.map((p) => ('result' in p ? p.result : p.apply()));
}

export function registerCompositeRoutes(api: FastifyInstance, app: FastifyInstance, runtime: SalesforceRuntime, P: string): void {
  const body = (request: FastifyRequest) => (request.body ?? {}) as { allOrNone?: boolean; records?: Record<string, unknown>[] };
  const tooMany = (reply: FastifyReply) => sendError(reply, 400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX} records in a single call`);
  const typeOf = (r: Record<string, unknown>) => findObject(String((r.attributes as { type?: string } | undefined)?.type ?? ''));

  api.post(`${P}/composite/sobjects`, async (request, reply) => {
    const { org, version } = ctx(request);
    const { allOrNone = false, records } = body(request);
    if (!Array.isArray(records)) return sendError(reply, 400, 'JSON_PARSER_ERROR', 'records must be an array');
    if (records.length > MAX) return tooMany(reply);
    const notices = new Map<SfObject, OutboundChange[]>();
    const plans = records.map((r) => {
      const schema = typeOf(r);
      if (!schema) return { result: fail(null, 'INVALID_TYPE', 'Must send a concrete entity type.') };
      if (!schema.createable) return { result: fail(null, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be inserted: ${schema.label}`) };
      if (r.id !== undefined || r.Id !== undefined) return { result: fail(null, 'INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']) };
      try {
        const fields = validateWrite(org, schema, r, { allowDuplicates: false, version });
        return {
          id: null,
          apply: () => {
            const segment = schema.name === 'Task' ? (fields.TaskSubtype === 'Call' ? 1 : fields.TaskSubtype === 'Email' ? 2 : 0) : 0;
            const row = org.create(schema.name, fields, runtime.now(), segment);
            notices.set(schema, [...(notices.get(schema) ?? []), { rec: row.rec, changed: Object.keys(fields) }]);
            return ok(row.rec.Id as string);
          },
        };
      } catch (e) {
        if (e instanceof SfWriteError) return { result: fromWriteError(null, e) };
        throw e;
      }
    });
    const results = settle(allOrNone, plans);
    for (const [schema, changes] of notices) runtime.notify(org, schema, baseUrl(request, app), changes);
    return reply200(reply, results);
  });

  api.patch(`${P}/composite/sobjects`, async (request, reply) => {
    const { org, version } = ctx(request);
    const { allOrNone = false, records } = body(request);
    if (!Array.isArray(records)) return sendError(reply, 400, 'JSON_PARSER_ERROR', 'records must be an array');
    if (records.length > MAX) return tooMany(reply);
    const notices = new Map<SfObject, OutboundChange[]>();
    const plans = records.map((r) => {
      const rawId = String(r.id ?? r.Id ?? '');
      const schema = typeOf(r);
      if (!schema) return { result: fail(rawId || null, 'INVALID_TYPE', 'Must send a concrete entity type.') };
      const store = org.stores[schema.name];
      const row = normalizeId(rawId) ? store.find(rawId) : null;
      if (!row) return { result: fail(rawId || null, 'MALFORMED_ID', `${schema.label} ID: id value of incorrect type: ${rawId}`, ['Id']) };
      if (row.deleted) return { result: fail(row.rec.Id as string, 'ENTITY_IS_DELETED', 'entity is deleted') };
      if (!schema.updateable) return { result: fail(row.rec.Id as string, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be updated: ${schema.label}`) };
      const patchBody = { ...r };
      delete patchBody.id;
      delete patchBody.Id;
      try {
        const patch = validateWrite(org, schema, patchBody, { allowDuplicates: false, existing: { rec: row.rec, pos: row.pos }, version });
        return {
          id: row.rec.Id as string,
          apply: () => {
            const current = store.find(row.rec.Id as string) as Row;
            const rec = org.update(store, current, patch, runtime.now());
            notices.set(schema, [...(notices.get(schema) ?? []), { rec, changed: Object.keys(patch) }]);
            return ok(rec.Id as string);
          },
        };
      } catch (e) {
        if (e instanceof SfWriteError) return { result: fromWriteError(row.rec.Id as string, e) };
        throw e;
      }
    });
    const results = settle(allOrNone, plans);
    for (const [schema, changes] of notices) runtime.notify(org, schema, baseUrl(request, app), changes);
    return reply200(reply, results);
  });

  api.delete(`${P}/composite/sobjects`, async (request, reply) => {
    const { org } = ctx(request);
    const q = request.query as { ids?: string; allOrNone?: string };
    const ids = (q.ids ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    if (ids.length > MAX) return tooMany(reply);
    const plans = ids.map((id) => {
      const found = normalizeId(id) ? org.findAny(id) : null;
      if (!found) return { result: fail(id, 'MALFORMED_ID', `malformed id ${id}`) };
      if (found.row.deleted) return { result: fail(found.row.rec.Id as string, 'ENTITY_IS_DELETED', 'entity is deleted') };
      if (!found.store.schema.deletable) return { result: fail(found.row.rec.Id as string, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be deleted: ${found.store.schema.label}`) };
      return {
        id: found.row.rec.Id as string,
        apply: () => {
          const current = found.store.find(found.row.rec.Id as string) as Row;
          if (current.deleted) return fail(current.rec.Id as string, 'ENTITY_IS_DELETED', 'entity is deleted');
          org.remove(found.store, current, runtime.now());
          return ok(current.rec.Id as string);
        },
      };
    });
    return reply200(reply, settle(q.allOrNone === 'true', plans));
  });

  const retrieve = async (request: FastifyRequest, reply: FastifyReply, ids: string[], fieldList: string | string[] | undefined) => {
    const { org, version } = ctx(request);
    const schema = findObject((request.params as { sobject: string }).sobject);
    if (!schema) return sendError(reply, 404, 'NOT_FOUND', 'The requested resource does not exist');
    if (ids.length > 2000) return sendError(reply, 400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 2000 records in a single call');
    const names = Array.isArray(fieldList) ? fieldList : String(fieldList ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    if (names.length === 0) return sendError(reply, 400, 'INVALID_FIELD', 'fields parameter is required');
    const fields: SfField[] = [];
    for (const n of names) {
      const f = schema.byLower.get(n.toLowerCase());
      if (!f) return sendError(reply, 400, 'INVALID_FIELD', `No such column '${n}' on sobject of type ${schema.name}`);
      fields.push(f);
    }
    const store = org.stores[schema.name];
    const parts = ids.map((id) => {
      const row = normalizeId(id) ? store.find(id) : null;
      return row && !row.deleted ? renderRecord(schema.name, version, fields, row.rec) : 'null';
    });
    return reply.code(200).header('content-type', JSON_CONTENT_TYPE).send(`[${parts.join(',')}]`);
  };
  api.get(`${P}/composite/sobjects/:sobject`, async (request, reply) => {
    const q = request.query as { ids?: string; fields?: string };
    return retrieve(request, reply, String(q.ids ?? '').split(',').filter(Boolean), q.fields);
  });
  api.post(`${P}/composite/sobjects/:sobject`, async (request, reply) => {
    const b = (request.body ?? {}) as { ids?: string[]; fields?: string[] };
    return retrieve(request, reply, Array.isArray(b.ids) ? b.ids : [], b.fields);
  });
}
