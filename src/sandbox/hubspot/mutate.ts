import { Rng, hash32 } from '../common/random';
import { idOf, ownerIdOf } from './ids';
import type { ObjectWriter } from './routes/objects';
import type { HubspotRuntime } from './runtime';
import { DEAL_STAGE_IDS, OBJECTS, resolveObject, type ObjectName } from './schema';
import { tenantByKey } from './store';

/**
 * POST /__sandbox/mutate: simulates end users editing the CRM (seeded random creates, updates
 * and archives), through the same write path as the API, so the webhooks go out too.
 */

export interface MutateInput {
  object: string;
  create?: number;
  update?: number;
  delete?: number;
  tenant?: string;
}

/** Properties a user edit changes (always mapped by the unified model). */
function editFor(object: ObjectName, r: Rng, n: number): Record<string, string> {
  const tag = `${n}-${r.int(1_000_000)}`;
  switch (object) {
    case 'contacts':
      return r.chance(0.5) ? { jobtitle: `Edited title ${tag}` } : { phone: `+1 555 ${String(r.int(1000)).padStart(3, '0')} ${String(r.int(10000)).padStart(4, '0')}`, lastname: `Edited${tag}` };
    case 'companies':
      return { description: `Edited description ${tag}`, numberofemployees: String(1 + r.int(50_000)) };
    case 'deals':
      return { amount: String((1 + r.int(900)) * 1000), dealstage: DEAL_STAGE_IDS[r.int(DEAL_STAGE_IDS.length)] };
    case 'leads':
      return { hs_lead_name: `Edited lead ${tag}` };
    case 'tasks':
      return { hs_task_subject: `Edited task ${tag}`, hs_task_status: r.chance(0.5) ? 'COMPLETED' : 'NOT_STARTED' };
    case 'notes':
      return { hs_note_body: `Edited note ${tag}` };
    case 'calls':
      return { hs_call_title: `Edited call ${tag}`, hs_call_body: `Edited call notes ${tag}` };
    case 'meetings':
      return { hs_meeting_title: `Edited meeting ${tag}` };
    case 'emails':
      return { hs_email_subject: `Edited email ${tag}` };
  }
}

function newRecord(object: ObjectName, r: Rng, n: number, owners: number): Record<string, string> {
  const tag = `${n}x${r.int(1_000_000)}`;
  const owner = ownerIdOf(r.int(Math.max(1, owners)));
  const ts = new Date().toISOString();
  switch (object) {
    case 'contacts':
      return { firstname: 'Mutated', lastname: `Person ${tag}`, email: `mutated.${tag}@sandbox-users.example`, jobtitle: 'Analyst', hubspot_owner_id: owner };
    case 'companies':
      return { name: `Mutated Company ${tag}`, domain: `mutated-${tag}.example`, industry: 'Technology', hubspot_owner_id: owner, tier: 'Silver' };
    case 'deals':
      return { dealname: `Mutated deal ${tag}`, amount: String((1 + r.int(900)) * 1000), dealstage: DEAL_STAGE_IDS[0], pipeline: 'default', hubspot_owner_id: owner };
    case 'leads':
      return { hs_lead_name: `Mutated lead ${tag}`, hubspot_owner_id: owner };
    case 'tasks':
      return { hs_task_subject: `Mutated task ${tag}`, hs_timestamp: ts, hs_task_priority: 'MEDIUM', hubspot_owner_id: owner };
    case 'notes':
      return { hs_note_body: `Mutated note ${tag}`, hs_timestamp: ts, hubspot_owner_id: owner };
    case 'calls':
      return { hs_call_title: `Mutated call ${tag}`, hs_call_direction: 'OUTBOUND', hs_call_duration: '60000', hs_timestamp: ts, hubspot_owner_id: owner };
    case 'meetings':
      return { hs_meeting_title: `Mutated meeting ${tag}`, hs_meeting_start_time: ts, hs_meeting_end_time: ts, hs_timestamp: ts, hubspot_owner_id: owner };
    case 'emails':
      return { hs_email_subject: `Mutated email ${tag}`, hs_email_direction: 'EMAIL', hs_timestamp: ts, hubspot_owner_id: owner };
  }
}

export function runMutation(runtime: HubspotRuntime, writer: ObjectWriter, input: MutateInput): { status: number; body: unknown } {
  const object = typeof input?.object === 'string' ? resolveObject(input.object) : undefined;
  if (!object) return { status: 400, body: { error: `object must be one of ${Object.keys(OBJECTS).join(', ')}` } };
  const counts = [input.create ?? 0, input.update ?? 0, input.delete ?? 0];
  if (counts.some((c) => !Number.isInteger(c) || c < 0 || c > 10_000)) return { status: 400, body: { error: 'create, update and delete must be integers between 0 and 10000' } };
  const tenant = input.tenant === undefined ? undefined : tenantByKey(input.tenant);
  if (input.tenant !== undefined && !tenant) return { status: 400, body: { error: `unknown tenant ${input.tenant}` } };
  const portal = runtime.portal(tenant?.key ?? runtime.defaultGrant().tenantKey);
  const r = new Rng(hash32(runtime.settings.seed + portal.tenant.seedOffset, 7_777, ++runtime.mutations));
  const col = portal.cols[object];
  const pickLive = (avoid: Set<number>): number | undefined => {
    for (let tries = 0; tries < 64; tries++) {
      if (col.size === 0) return undefined;
      const p = r.int(col.size);
      if (!avoid.has(p) && col.get(p) !== undefined) return p;
    }
    for (const { position } of col.scan()) if (!avoid.has(position)) return position;
    return undefined;
  };
  const created: string[] = [];
  const updated: string[] = [];
  const deleted: string[] = [];
  runtime.batched(portal, () => {
    for (let i = 0; i < counts[0]; i++) {
      const res = writer.create(portal, object, { properties: newRecord(object, r, runtime.mutations * 100_000 + i, portal.owners.length) }, 'CRM_UI');
      if (res.position !== undefined) created.push(idOf(object, res.position));
    }
    const touched = new Set<number>();
    for (let i = 0; i < counts[1]; i++) {
      const p = pickLive(touched);
      if (p === undefined) break;
      touched.add(p);
      writer.update(portal, object, p, { properties: editFor(object, r, runtime.mutations * 100_000 + i) }, 'CRM_UI');
      updated.push(idOf(object, p));
    }
    for (let i = 0; i < counts[2]; i++) {
      const p = pickLive(touched);
      if (p === undefined) break;
      touched.add(p);
      writer.archive(portal, object, p, 'CRM_UI');
      deleted.push(idOf(object, p));
    }
  });
  return { status: 200, body: { object, tenant: portal.tenant.key, hubId: portal.tenant.hubId, created, updated, deleted } };
}
