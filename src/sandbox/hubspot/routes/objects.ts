import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { targetOfTypeId } from '../associations';
import { sendError, validation, notFound } from '../errors';
import { decodeAfter, encodeAfter, idOf, positionOf } from '../ids';
import type { HubRecord } from '../records';
import { parseList, propertyList, renderRecord, type RenderOptions } from '../render';
import type { HubspotRuntime } from '../runtime';
import { OBJECT_NAMES, OBJECTS, resolveObject, type ObjectName } from '../schema';
import { SearchError, type SearchRequest } from '../search';
import type { PortalData } from '../store';
import { normalizeProperties, problemsMessage } from '../validate';
import type { Change } from '../webhooks';

/** CRM v3 objects: list, read, create, update, archive, search, batch read/create/update/archive. */

type Q = Record<string, string | string[] | undefined>;
type Req = FastifyRequest<{ Params: { type: string; id?: string }; Querystring: Q; Body: unknown }>;

export const LIST_MAX_LIMIT = 100;

function objectOr400(reply: FastifyReply, type: string): ObjectName | undefined {
  const o = resolveObject(type);
  if (!o) validation(reply, `Unable to infer object type from: ${type}`);
  return o;
}

function assocList(raw: unknown): ObjectName[] | undefined {
  const names = parseList(raw);
  if (!names) return undefined;
  return names.map((n) => resolveObject(n)).filter((o): o is ObjectName => o !== undefined);
}

function baseUrl(request: FastifyRequest, prefix: string): string {
  return `${request.protocol}://${request.headers.host ?? '127.0.0.1'}${prefix}`;
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export interface WriteResult {
  status: number;
  body?: unknown;
  position?: number;
}

/** Shared by the API routes and the mutate control route. */
export class ObjectWriter {
  constructor(private readonly runtime: HubspotRuntime) {}

  create(portal: PortalData, object: ObjectName, body: unknown, source: Change['changeSource'] = 'INTEGRATION'): WriteResult {
    const def = OBJECTS[object];
    const input = (body ?? {}) as { properties?: unknown; associations?: unknown };
    const n = normalizeProperties(def, input.properties ?? {}, { create: true, portalId: portal.tenant.hubId, ownerCount: portal.owners.length });
    if (!n.ok) return { status: 400, body: n.notObject ? 'properties must be an object' : problemsMessage(n.problems) };
    // Associations: [{to: {id}, types: [{associationCategory, associationTypeId}]}]
    const links: { to: ObjectName; pos: number }[] = [];
    if (input.associations !== undefined) {
      if (!Array.isArray(input.associations)) return { status: 400, body: 'associations must be an array' };
      for (const a of input.associations as { to?: { id?: string | number }; types?: { associationTypeId?: number }[] }[]) {
        const typeId = a?.types?.[0]?.associationTypeId;
        const to = typeof typeId === 'number' ? targetOfTypeId(object, typeId) : undefined;
        if (!to) return { status: 400, body: `association type id ${String(typeId)} is not valid for ${object}` };
        const pos = positionOf(to, String(a.to?.id ?? ''));
        if (pos < 0 || !portal.cols[to].get(pos)) return { status: 400, body: `${OBJECTS[to].singular} ${String(a.to?.id)} does not exist` };
        links.push({ to, pos });
      }
    }
    if (object === 'contacts' && n.values.email) {
      const dup = portal.contactByEmail(n.values.email);
      if (dup !== undefined) return { status: 409, body: `Contact already exists. Existing ID: ${idOf('contacts', dup)}` };
    }
    const now = Date.now();
    const p: Record<string, string | null> = {};
    if (object === 'deals' && n.values.pipeline === undefined) p.pipeline = 'default';
    if (object === 'tasks') p.hs_task_status = 'NOT_STARTED';
    if (object === 'leads') {
      p.hs_pipeline = 'lead-pipeline-id';
      p.hs_pipeline_stage = 'new-stage-id';
    }
    Object.assign(p, n.values);
    const { position } = portal.cols[object].create((pos) => {
      p[def.createdProp] = new Date(now).toISOString();
      p[def.modifiedProp] = new Date(now).toISOString();
      p.hs_object_id = idOf(object, pos);
      return { p, c: now, m: now, a: {} };
    });
    portal.touched(object);
    if (object === 'contacts') portal.noteEmail(position, p.email);
    for (const l of links) portal.setAssociation(object, position, l.to, l.pos, true);
    this.runtime.emit(portal, [{ object, objectId: idOf(object, position), kind: 'creation', changeSource: source, occurredAt: now }]);
    return { status: 201, position };
  }

  update(portal: PortalData, object: ObjectName, position: number, body: unknown, source: Change['changeSource'] = 'INTEGRATION'): WriteResult {
    const def = OBJECTS[object];
    const col = portal.cols[object];
    const current = col.get(position);
    if (!current) return { status: 404 };
    const input = (body ?? {}) as { properties?: unknown };
    const n = normalizeProperties(def, input.properties, { create: false, portalId: portal.tenant.hubId, ownerCount: portal.owners.length });
    if (!n.ok) return { status: 400, body: n.notObject ? 'properties must be an object' : problemsMessage(n.problems) };
    if (object === 'contacts' && n.values.email && n.values.email.toLowerCase() !== current.p.email?.toLowerCase()) {
      const dup = portal.contactByEmail(n.values.email);
      if (dup !== undefined && dup !== position) return { status: 409, body: `Contact already exists. Existing ID: ${idOf('contacts', dup)}` };
    }
    const now = Math.max(Date.now(), current.m + 1);
    const changed = Object.keys(n.values).filter((k) => (current.p[k] ?? null) !== n.values[k]);
    const next: HubRecord = { ...current, p: { ...current.p, ...n.values, [def.modifiedProp]: new Date(now).toISOString() }, m: now };
    col.update(position, next);
    portal.touched(object);
    if (object === 'contacts' && 'email' in n.values) portal.noteEmail(position, next.p.email, current.p.email);
    const objectId = idOf(object, position);
    this.runtime.emit(
      portal,
      changed.map((k) => ({ object, objectId, kind: 'propertyChange' as const, propertyName: k, propertyValue: next.p[k], changeSource: source, occurredAt: now })),
    );
    return { status: 200, position };
  }

  archive(portal: PortalData, object: ObjectName, position: number, source: Change['changeSource'] = 'INTEGRATION'): boolean {
    const now = Date.now();
    const entry = portal.cols[object].remove(position, now);
    if (!entry) return false;
    portal.touched(object);
    this.runtime.emit(portal, [{ object, objectId: idOf(object, position), kind: 'deletion', changeSource: source, occurredAt: now }]);
    return true;
  }
}

function sendWriteError(reply: FastifyReply, r: WriteResult) {
  if (r.status === 404) return notFound(reply);
  if (r.status === 409) return sendError(reply, 409, 'CONFLICT', String(r.body));
  return validation(reply, String(r.body));
}

export function registerObjectRoutes(app: FastifyInstance, runtime: HubspotRuntime, writer: ObjectWriter): void {
  const prefix = () => app.prefix ?? '';
  const portalOf = (request: FastifyRequest) => (request as unknown as { portal: PortalData }).portal;
  const renderOpts = (request: FastifyRequest, object: ObjectName, props: unknown, assoc?: unknown): RenderOptions => ({
    props: propertyList(OBJECTS[object], parseList(props)),
    associations: assocList(assoc),
    portal: portalOf(request),
  });
  const json = (reply: FastifyReply, code: number, body: string) => reply.code(code).type('application/json;charset=utf-8').send(body);

  app.get('/crm/v3/objects/:type', async (request: Req, reply) => {
    const object = objectOr400(reply, request.params.type);
    if (!object) return reply;
    const portal = portalOf(request);
    const q = request.query;
    const limitText = first(q.limit) ?? '10';
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1) return validation(reply, `limit must be a positive integer, got '${limitText}'`);
    if (limit > LIST_MAX_LIMIT) return validation(reply, `limit must be less than or equal to ${LIST_MAX_LIMIT}, got ${limit}`);
    const afterText = first(q.after);
    let from = 0;
    if (afterText !== undefined && afterText !== '') {
      const p = decodeAfter(object, afterText);
      if (p === undefined) return validation(reply, `after '${afterText}' is not a valid paging cursor`);
      from = p;
    }
    const archived = first(q.archived) === 'true';
    const opts = renderOpts(request, object, q.properties, q.associations);
    const col = portal.cols[object];
    const items: string[] = [];
    let nextPos: number | undefined;
    if (archived) {
      const deleted = col
        .deletedBetween(-Infinity, Infinity)
        .filter((e) => e.position >= from && !(object === 'contacts' && portal.purged.has(e.position)))
        .sort((a, b) => a.position - b.position);
      for (const e of deleted) {
        if (items.length === limit) {
          nextPos = e.position;
          break;
        }
        items.push(renderRecord(object, e.position, e.record, opts, e.deletedAt));
      }
    } else {
      // Direct position loop (no generator objects): O(page + deleted in between).
      for (let position = from, size = col.size; position < size; position++) {
        const record = col.get(position);
        if (record === undefined) continue;
        if (items.length === limit) {
          nextPos = position;
          break;
        }
        items.push(renderRecord(object, position, record, opts));
      }
    }
    let paging = '';
    if (nextPos !== undefined) {
      const after = encodeAfter(object, nextPos);
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(q)) if (k !== 'after' && v !== undefined) for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
      params.set('after', after);
      const link = `${baseUrl(request, prefix())}/crm/v3/objects/${request.params.type}?${params.toString()}`;
      paging = `,"paging":{"next":{"after":"${after}","link":${JSON.stringify(link)}}}`;
    }
    return json(reply, 200, `{"results":[${items.join(',')}]${paging}}`);
  });

  const findPosition = (portal: PortalData, object: ObjectName, id: string, idProperty?: string): number => {
    if (idProperty && idProperty !== 'hs_object_id') {
      if (object === 'contacts' && idProperty === 'email') return portal.contactByEmail(id) ?? -1;
      return -2;
    }
    return positionOf(object, id);
  };

  app.get('/crm/v3/objects/:type/:id', async (request: Req, reply) => {
    const object = objectOr400(reply, request.params.type);
    if (!object) return reply;
    const portal = portalOf(request);
    const q = request.query;
    const pos = findPosition(portal, object, request.params.id as string, first(q.idProperty));
    if (pos === -2) return validation(reply, `Property ${first(q.idProperty)} is not a unique identifier property for ${object}`);
    const opts = renderOpts(request, object, q.properties, q.associations);
    const col = portal.cols[object];
    if (first(q.archived) === 'true') {
      const e = pos >= 0 && !(object === 'contacts' && portal.purged.has(pos)) ? col.getDeleted(pos) : undefined;
      if (!e) return notFound(reply);
      return json(reply, 200, renderRecord(object, pos, e.record, opts, e.deletedAt));
    }
    const rec = pos >= 0 ? col.get(pos) : undefined;
    if (!rec) return notFound(reply);
    return json(reply, 200, renderRecord(object, pos, rec, opts));
  });

  app.post('/crm/v3/objects/:type', async (request: Req, reply) => {
    const object = objectOr400(reply, request.params.type);
    if (!object) return reply;
    const portal = portalOf(request);
    const r = writer.create(portal, object, request.body);
    if (r.status !== 201) return sendWriteError(reply, r);
    const rec = portal.cols[object].get(r.position as number) as HubRecord;
    return json(reply, 201, renderRecord(object, r.position as number, rec, { props: propertyList(OBJECTS[object], Object.keys(rec.p)), portal }));
  });

  app.patch('/crm/v3/objects/:type/:id', async (request: Req, reply) => {
    const object = objectOr400(reply, request.params.type);
    if (!object) return reply;
    const portal = portalOf(request);
    const pos = findPosition(portal, object, request.params.id as string, first(request.query.idProperty));
    if (pos < 0) return pos === -2 ? validation(reply, `Property ${first(request.query.idProperty)} is not a unique identifier property for ${object}`) : notFound(reply);
    const r = writer.update(portal, object, pos, request.body);
    if (r.status !== 200) return sendWriteError(reply, r);
    const rec = portal.cols[object].get(pos) as HubRecord;
    return json(reply, 200, renderRecord(object, pos, rec, { props: propertyList(OBJECTS[object], Object.keys(rec.p)), portal }));
  });

  app.delete('/crm/v3/objects/:type/:id', async (request: Req, reply) => {
    const object = objectOr400(reply, request.params.type);
    if (!object) return reply;
    const pos = positionOf(object, request.params.id as string);
    // HubSpot answers 204 even when the record does not exist or is already archived.
    if (pos >= 0) writer.archive(portalOf(request), object, pos);
    return reply.code(204).send();
  });

  // GDPR delete (contacts): permanent, the record does not show up as archived either.
  app.post('/crm/v3/objects/:type/gdpr-delete', async (request: Req, reply) => {
    const object = objectOr400(reply, request.params.type);
    if (!object) return reply;
    if (object !== 'contacts') return validation(reply, `GDPR delete is only supported for contacts`);
    const portal = portalOf(request);
    const body = (request.body ?? {}) as { objectId?: string | number; idProperty?: string };
    if (body.objectId === undefined) return validation(reply, 'objectId is required');
    const pos = findPosition(portal, object, String(body.objectId), body.idProperty);
    if (pos < 0 || !portal.cols.contacts.get(pos)) return notFound(reply);
    writer.archive(portal, object, pos);
    portal.purged.add(pos);
    return reply.code(204).send();
  });

  app.post('/crm/v3/objects/:type/search', async (request: Req, reply) => {
    const object = objectOr400(reply, request.params.type);
    if (!object) return reply;
    const portal = portalOf(request);
    const body = (request.body ?? {}) as SearchRequest;
    if (typeof body !== 'object' || Array.isArray(body)) return validation(reply, 'Invalid input JSON: expected an object');
    let page;
    try {
      page = runtime.search.run(portal, object, body);
    } catch (err) {
      if (err instanceof SearchError) return validation(reply, err.message);
      throw err;
    }
    const opts: RenderOptions = { props: propertyList(OBJECTS[object], Array.isArray(body.properties) ? body.properties : undefined), portal };
    const col = portal.cols[object];
    const items = page.positions.map((p) => renderRecord(object, p, col.get(p) as HubRecord, opts));
    const paging = page.nextAfter !== undefined ? `,"paging":{"next":{"after":"${page.nextAfter}"}}` : '';
    return json(reply, 200, `{"total":${page.total},"results":[${items.join(',')}]${paging}}`);
  });

  const batchInputs = (reply: FastifyReply, body: unknown): unknown[] | undefined => {
    const inputs = (body as { inputs?: unknown } | null)?.inputs;
    if (!Array.isArray(inputs)) {
      validation(reply, 'inputs is required and must be an array');
      return undefined;
    }
    if (inputs.length > 100) {
      validation(reply, `Too many inputs: ${inputs.length}. The maximum batch size is 100.`);
      return undefined;
    }
    return inputs;
  };
  const batchAnswer = (reply: FastifyReply, okStatus: number, startedAt: string, results: string[], errors: unknown[]) => {
    const status = errors.length ? 207 : okStatus;
    const errs = errors.length ? `,"numErrors":${errors.length},"errors":${JSON.stringify(errors)}` : '';
    return json(reply, status, `{"status":"COMPLETE","results":[${results.join(',')}]${errs},"startedAt":"${startedAt}","completedAt":"${new Date().toISOString()}"}`);
  };

  app.post('/crm/v3/objects/:type/batch/read', async (request: Req, reply) => {
    const object = objectOr400(reply, request.params.type);
    if (!object) return reply;
    const startedAt = new Date().toISOString();
    const inputs = batchInputs(reply, request.body);
    if (!inputs) return reply;
    const portal = portalOf(request);
    const body = request.body as { properties?: string[]; idProperty?: string };
    const archived = first(request.query.archived) === 'true';
    const opts: RenderOptions = { props: propertyList(OBJECTS[object], Array.isArray(body.properties) ? body.properties : undefined), portal };
    const col = portal.cols[object];
    const results: string[] = [];
    const missing: string[] = [];
    for (const input of inputs as { id?: string | number }[]) {
      const id = String(input?.id ?? '');
      const pos = findPosition(portal, object, id, body.idProperty);
      if (archived) {
        const e = pos >= 0 && !(object === 'contacts' && portal.purged.has(pos)) ? col.getDeleted(pos) : undefined;
        if (e) results.push(renderRecord(object, pos, e.record, opts, e.deletedAt));
        else missing.push(id);
      } else {
        const rec = pos >= 0 ? col.get(pos) : undefined;
        if (rec) results.push(renderRecord(object, pos, rec, opts));
        else missing.push(id);
      }
    }
    const errors = missing.length
      ? [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: `Could not get some ${OBJECTS[object].singular.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`, context: { ids: missing } }]
      : [];
    return batchAnswer(reply, 200, startedAt, results, errors);
  });

  app.post('/crm/v3/objects/:type/batch/create', async (request: Req, reply) => {
    const object = objectOr400(reply, request.params.type);
    if (!object) return reply;
    const startedAt = new Date().toISOString();
    const inputs = batchInputs(reply, request.body);
    if (!inputs) return reply;
    const portal = portalOf(request);
    // HubSpot validates the whole batch first: one invalid input fails the request.
    return runtime.batched(portal, () => {
      const results: string[] = [];
      for (const input of inputs) {
        const r = writer.create(portal, object, input);
        if (r.status !== 201) return sendWriteError(reply, r);
        const rec = portal.cols[object].get(r.position as number) as HubRecord;
        results.push(renderRecord(object, r.position as number, rec, { props: propertyList(OBJECTS[object], Object.keys(rec.p)), portal }));
      }
      return batchAnswer(reply, 201, startedAt, results, []);
    });
  });

  app.post('/crm/v3/objects/:type/batch/update', async (request: Req, reply) => {
    const object = objectOr400(reply, request.params.type);
    if (!object) return reply;
    const startedAt = new Date().toISOString();
    const inputs = batchInputs(reply, request.body);
    if (!inputs) return reply;
    const portal = portalOf(request);
    const results: string[] = [];
    const missing: string[] = [];
    const failed = runtime.batched(portal, () => {
      for (const input of inputs as { id?: string }[]) {
        const pos = positionOf(object, String(input?.id ?? ''));
        const r = pos >= 0 ? writer.update(portal, object, pos, input) : { status: 404 };
        if (r.status === 404) {
          missing.push(String(input?.id));
          continue;
        }
        if (r.status !== 200) return r;
        const rec = portal.cols[object].get(pos) as HubRecord;
        results.push(renderRecord(object, pos, rec, { props: propertyList(OBJECTS[object], Object.keys(rec.p)), portal }));
      }
      return undefined;
    });
    if (failed) return sendWriteError(reply, failed);
    const errors = missing.length ? [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: `Could not get some ${OBJECTS[object].singular.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`, context: { ids: missing } }] : [];
    return batchAnswer(reply, 200, startedAt, results, errors);
  });

  app.post('/crm/v3/objects/:type/batch/archive', async (request: Req, reply) => {
    const object = objectOr400(reply, request.params.type);
    if (!object) return reply;
    const inputs = batchInputs(reply, request.body);
    if (!inputs) return reply;
    const portal = portalOf(request);
    runtime.batched(portal, () => {
      for (const input of inputs as { id?: string }[]) {
        const pos = positionOf(object, String(input?.id ?? ''));
        if (pos >= 0) writer.archive(portal, object, pos);
      }
    });
    return reply.code(204).send();
  });
}

export { OBJECT_NAMES };
