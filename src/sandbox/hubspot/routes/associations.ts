import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { linkBetween, v3TypeName, v4Types } from '../associations';
import { notFound, validation } from '../errors';
import { idOf, positionOf } from '../ids';
import type { HubspotRuntime } from '../runtime';
import { OBJECTS, resolveObject, type ObjectName } from '../schema';
import type { PortalData } from '../store';

/** Associations v4 (read, batch read, create, delete) and the v3 read. */

type P = { from: string; id: string; to: string; toId?: string };
type Req = FastifyRequest<{ Params: P; Querystring: Record<string, string | undefined>; Body: unknown }>;

function pair(reply: FastifyReply, fromText: string, toText: string): [ObjectName, ObjectName] | undefined {
  const from = resolveObject(fromText);
  const to = resolveObject(toText);
  if (!from || !to) {
    validation(reply, `Unable to infer object type from: ${!from ? fromText : toText}`);
    return undefined;
  }
  return [from, to];
}

export function registerAssociationRoutes(app: FastifyInstance, runtime: HubspotRuntime): void {
  const portalOf = (request: FastifyRequest) => (request as unknown as { portal: PortalData }).portal;

  app.get('/crm/v4/objects/:from/:id/associations/:to', async (request: Req, reply) => {
    const p = pair(reply, request.params.from, request.params.to);
    if (!p) return reply;
    const [from, to] = p;
    const portal = portalOf(request);
    const pos = positionOf(from, request.params.id);
    if (pos < 0 || !portal.cols[from].get(pos)) return notFound(reply);
    const limit = Math.min(500, Math.max(1, Number(request.query.limit ?? 500) || 500));
    const offset = Math.max(0, Number(request.query.after ?? 0) || 0);
    const all = portal.associated(from, pos, to);
    const types = v4Types(from, to);
    const results = all.slice(offset, offset + limit).map((t) => ({ toObjectId: Number(idOf(to, t)), associationTypes: types }));
    const body: Record<string, unknown> = { results };
    if (offset + limit < all.length) body.paging = { next: { after: String(offset + limit), link: `?after=${offset + limit}` } };
    return body;
  });

  app.get('/crm/v3/objects/:from/:id/associations/:to', async (request: Req, reply) => {
    const p = pair(reply, request.params.from, request.params.to);
    if (!p) return reply;
    const [from, to] = p;
    const portal = portalOf(request);
    const pos = positionOf(from, request.params.id);
    if (pos < 0 || !portal.cols[from].get(pos)) return notFound(reply);
    const type = v3TypeName(from, to);
    return { results: portal.associated(from, pos, to).map((t) => ({ id: idOf(to, t), type })) };
  });

  app.post('/crm/v4/associations/:from/:to/batch/read', async (request: Req, reply) => {
    const p = pair(reply, request.params.from, request.params.to);
    if (!p) return reply;
    const [from, to] = p;
    const startedAt = new Date().toISOString();
    const inputs = (request.body as { inputs?: { id?: string | number }[] } | null)?.inputs;
    if (!Array.isArray(inputs)) return validation(reply, 'inputs is required and must be an array');
    if (inputs.length > 1000) return validation(reply, `Too many inputs: ${inputs.length}. The maximum batch size is 1000.`);
    const portal = portalOf(request);
    const types = v4Types(from, to);
    const results: unknown[] = [];
    const errors: unknown[] = [];
    for (const input of inputs) {
      const id = String(input?.id ?? '');
      const pos = positionOf(from, id);
      const linked = pos >= 0 && portal.cols[from].get(pos) ? portal.associated(from, pos, to) : [];
      if (!linked.length) {
        errors.push({ status: 'error', category: 'OBJECT_NOT_FOUND', subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND', message: `No ${OBJECTS[to].singular} is associated with ${OBJECTS[from].singular} ${id}.`, context: { fromObjectId: [id] } });
        continue;
      }
      results.push({ from: { id }, to: linked.map((t) => ({ toObjectId: Number(idOf(to, t)), associationTypes: types })) });
    }
    const body: Record<string, unknown> = { status: 'COMPLETE', results };
    if (errors.length) Object.assign(body, { numErrors: errors.length, errors });
    Object.assign(body, { startedAt, completedAt: new Date().toISOString() });
    return reply.code(errors.length ? 207 : 200).send(body);
  });

  const link = (on: boolean) => async (request: Req, reply: FastifyReply) => {
    const p = pair(reply, request.params.from, request.params.to);
    if (!p) return reply;
    const [from, to] = p;
    if (!linkBetween(from, to)) return validation(reply, `${OBJECTS[from].singular} cannot be associated with ${OBJECTS[to].singular}`);
    const portal = portalOf(request);
    const a = positionOf(from, request.params.id);
    const b = positionOf(to, String(request.params.toId));
    if (a < 0 || b < 0 || !portal.cols[from].get(a) || !portal.cols[to].get(b)) return notFound(reply);
    portal.setAssociation(from, a, to, b, on);
    runtime.emit(portal, [
      { object: from, objectId: idOf(from, a), kind: 'associationChange', changeSource: 'INTEGRATION', occurredAt: Date.now(), association: { to, toObjectId: idOf(to, b), removed: !on } },
    ]);
    if (!on) return reply.code(204).send();
    return reply.code(200).send({
      fromObjectTypeId: OBJECTS[from].objectTypeId,
      fromObjectId: Number(idOf(from, a)),
      toObjectTypeId: OBJECTS[to].objectTypeId,
      toObjectId: Number(idOf(to, b)),
      labels: [],
    });
  };
  app.put('/crm/v4/objects/:from/:id/associations/default/:to/:toId', link(true));
  app.put('/crm/v4/objects/:from/:id/associations/:to/:toId', link(true));
  app.delete('/crm/v4/objects/:from/:id/associations/:to/:toId', link(false));
}
