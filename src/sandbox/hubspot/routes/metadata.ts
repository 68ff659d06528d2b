import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SEED_EPOCH, SEED_STAGES } from '../../common/seed';
import { notFound, validation } from '../errors';
import { ownerIndexOf } from '../ids';
import { OBJECTS, DEAL_STAGE_IDS, LEAD_STAGES, resolveObject, type PropertyDef } from '../schema';
import type { PortalData } from '../store';

/** Owners, pipelines with stages, and property definitions. */

type Q = Record<string, string | undefined>;
const stamp = new Date(SEED_EPOCH - 30 * 86_400_000).toISOString();

function propertyJson(p: PropertyDef, objectTypeId: string, displayOrder: number, portal: PortalData) {
  const options =
    p.name === 'hubspot_owner_id'
      ? portal.owners.filter((o) => !o.archived).map((o, i) => ({ label: `${o.firstName} ${o.lastName}`, value: o.id, displayOrder: i, hidden: false }))
      : (p.options ?? []).map((o, i) => ({ label: o.label, value: o.value, displayOrder: i, hidden: false }));
  return {
    updatedAt: stamp,
    createdAt: stamp,
    name: p.name,
    label: p.label,
    type: p.type,
    fieldType: p.fieldType,
    description: p.description ?? '',
    groupName: p.groupName,
    options,
    displayOrder: p.custom ? -1 : displayOrder,
    calculated: false,
    externalOptions: p.name === 'hubspot_owner_id',
    hasUniqueValue: p.hasUniqueValue === true,
    hidden: false,
    hubspotDefined: !p.custom,
    modificationMetadata: { archivable: p.custom === true, readOnlyDefinition: !p.custom, readOnlyValue: p.readOnly === true },
    formField: !p.readOnly,
    dataSensitivity: 'non_sensitive',
    objectTypeId,
    archived: false,
  };
}

function dealPipeline() {
  return {
    label: 'Sales Pipeline',
    displayOrder: 0,
    id: 'default',
    stages: SEED_STAGES.map((s, i) => ({
      label: s.label,
      displayOrder: i,
      metadata: { isClosed: String(s.isClosed), probability: String(s.probability / 100) },
      id: DEAL_STAGE_IDS[i],
      createdAt: stamp,
      updatedAt: stamp,
      archived: false,
      writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
    })),
    createdAt: stamp,
    updatedAt: stamp,
    archived: false,
  };
}

function leadPipeline() {
  return {
    label: 'Lead pipeline',
    displayOrder: 0,
    id: 'lead-pipeline-id',
    stages: LEAD_STAGES.map((s, i) => ({
      label: s.label,
      displayOrder: i,
      metadata: { isClosed: String(i >= 3) },
      id: s.id,
      createdAt: stamp,
      updatedAt: stamp,
      archived: false,
      writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
    })),
    createdAt: stamp,
    updatedAt: stamp,
    archived: false,
  };
}

export function registerMetadataRoutes(app: FastifyInstance): void {
  const portalOf = (request: FastifyRequest) => (request as unknown as { portal: PortalData }).portal;

  const listOwners = async (request: FastifyRequest<{ Querystring: Q }>, reply: import('fastify').FastifyReply) => {
    const q = request.query;
    const portal = portalOf(request);
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) return validation(reply, `limit must be between 1 and 500`);
    const archived = q.archived === 'true';
    let owners = portal.owners.filter((o) => o.archived === archived);
    if (q.email) owners = owners.filter((o) => o.email.toLowerCase() === String(q.email).toLowerCase());
    const from = q.after ? Number(q.after) : 0;
    if (!Number.isInteger(from) || from < 0) return validation(reply, `after '${q.after}' is not valid`);
    const page = owners.slice(from, from + limit);
    const body: Record<string, unknown> = { results: page };
    if (from + limit < owners.length) body.paging = { next: { after: String(from + limit), link: `?after=${from + limit}` } };
    return body;
  };
  app.get('/crm/v3/owners', listOwners);
  app.get('/crm/v3/owners/', listOwners);
  app.get('/crm/v3/owners/:ownerId', async (request: FastifyRequest<{ Params: { ownerId: string }; Querystring: Q }>, reply) => {
    const portal = portalOf(request);
    const byUser = request.query.idProperty === 'userId';
    const owner = byUser ? portal.owners.find((o) => String(o.userId) === request.params.ownerId) : portal.owners[ownerIndexOf(request.params.ownerId)];
    if (!owner || owner.archived !== (request.query.archived === 'true')) return notFound(reply);
    return owner;
  });

  const pipelinesOf = (type: string) => {
    const o = resolveObject(type);
    if (o === 'deals') return [dealPipeline()];
    if (o === 'leads') return [leadPipeline()];
    return undefined;
  };
  app.get('/crm/v3/pipelines/:objectType', async (request: FastifyRequest<{ Params: { objectType: string } }>, reply) => {
    const p = pipelinesOf(request.params.objectType);
    if (!p) return validation(reply, `Unable to infer object type from: ${request.params.objectType}`);
    return { results: p };
  });
  app.get('/crm/v3/pipelines/:objectType/:pipelineId', async (request: FastifyRequest<{ Params: { objectType: string; pipelineId: string } }>, reply) => {
    const p = pipelinesOf(request.params.objectType)?.find((x) => x.id === request.params.pipelineId);
    return p ?? notFound(reply);
  });
  app.get('/crm/v3/pipelines/:objectType/:pipelineId/stages', async (request: FastifyRequest<{ Params: { objectType: string; pipelineId: string } }>, reply) => {
    const p = pipelinesOf(request.params.objectType)?.find((x) => x.id === request.params.pipelineId);
    return p ? { results: p.stages } : notFound(reply);
  });

  app.get('/crm/v3/properties/:objectType', async (request: FastifyRequest<{ Params: { objectType: string } }>, reply) => {
    const o = resolveObject(request.params.objectType);
    if (!o) return validation(reply, `Unable to infer object type from: ${request.params.objectType}`);
    const def = OBJECTS[o];
    return { results: def.properties.map((p, i) => propertyJson(p, def.objectTypeId, i, portalOf(request))) };
  });
  app.get('/crm/v3/properties/:objectType/:propertyName', async (request: FastifyRequest<{ Params: { objectType: string; propertyName: string } }>, reply) => {
    const o = resolveObject(request.params.objectType);
    if (!o) return validation(reply, `Unable to infer object type from: ${request.params.objectType}`);
    const def = OBJECTS[o];
    const i = def.properties.findIndex((p) => p.name === request.params.propertyName);
    if (i < 0) return notFound(reply);
    return propertyJson(def.properties[i], def.objectTypeId, i, portalOf(request));
  });
}
