import { Rng, hash32 } from '../common/random';
import { sfDate, sfDateTime, type SfRecord } from './records';
import type { SalesforceRuntime } from './runtime';
import { INDUSTRIES, LEAD_STATUSES, OBJECTS, STAGES, TIERS } from './schema';
import type { Row, SalesforceOrg, SObjectStore } from './store';

/**
 * POST /__sandbox/mutate: simulates end users editing the CRM. Seeded (seed + call counter), so a
 * test run is reproducible. Updates change at least one mapped field and bump SystemModstamp;
 * creates and updates send Outbound Messages, deletes do not (as in Salesforce).
 */

export interface MutateRequest {
  object: string;
  create?: number;
  update?: number;
  delete?: number;
  tenant?: string;
}

export interface MutateResult {
  object: string;
  tenant: string;
  created: string[];
  updated: string[];
  deleted: string[];
}

const MUTABLE = ['Account', 'Contact', 'Lead', 'Opportunity', 'Task', 'Event', 'Note'];

let counter = 0;

function someLive(store: SObjectStore, r: Rng): Row | null {
  const total = store.totalCount;
  if (total === 0) return null;
  let n = r.int(total);
  for (let tries = 0; tries < Math.min(total, 1000); tries++, n = (n + 1) % total) {
    let p = n;
    let seg = 0;
    while (p >= store.segments[seg].size) p -= store.segments[seg++].size;
    const rec = store.segments[seg].get(p);
    if (rec) return { seg, pos: p, rec, deleted: false };
  }
  return null;
}

function someId(org: SalesforceOrg, object: string, r: Rng): string | null {
  return (someLive(org.stores[object], r)?.rec.Id as string | undefined) ?? null;
}

function newFields(org: SalesforceOrg, object: string, r: Rng, n: number, now: number): Record<string, unknown> {
  const tag = `${org.tenant.number}${n}`;
  switch (object) {
    case 'Account':
      return { Name: `Mutated Account ${tag}`, Industry: r.pick(INDUSTRIES), Phone: `+1 415 555 ${String(r.int(10000)).padStart(4, '0')}`, Tier__c: r.pick(TIERS) };
    case 'Contact':
      return { FirstName: 'Mutated', LastName: `Contact ${tag}`, Email: `mutated.contact.${tag}.${r.int(1e9)}@sandbox-mutations.example`, Phone: `+1 212 555 ${String(r.int(10000)).padStart(4, '0')}`, AccountId: someId(org, 'Account', r), Loyalty_Score__c: r.int(101) };
    case 'Lead':
      return { FirstName: 'Mutated', LastName: `Lead ${tag}`, Company: `Mutated Co ${tag}`, Email: `mutated.lead.${tag}@sandbox-mutations.example`, Status: 'Open - Not Contacted' };
    case 'Opportunity': {
      const stage = r.pick(STAGES);
      return { Name: `Mutated Opportunity ${tag}`, StageName: stage.label, Probability: stage.probability, Amount: (1 + r.int(200)) * 500, CloseDate: sfDate(now + (10 + r.int(90)) * 86_400_000), AccountId: someId(org, 'Account', r) };
    }
    case 'Task':
      return { Subject: `Mutated task ${tag}`, Status: 'Not Started', Priority: 'Normal', TaskSubtype: 'Task', ActivityDate: sfDate(now + 7 * 86_400_000), WhoId: someId(org, 'Contact', r) };
    case 'Event':
      return { Subject: `Mutated meeting ${tag}`, StartDateTime: sfDateTime(now + 86_400_000), DurationInMinutes: 30, WhoId: someId(org, 'Contact', r) };
    default:
      return { Title: `Mutated note ${tag}`, Body: `Note body ${tag}`, ParentId: someId(org, 'Account', r) };
  }
}

function changes(object: string, rec: SfRecord, r: Rng, n: number): Record<string, unknown> {
  const phone = () => `+1 646 555 ${String(r.int(10000)).padStart(4, '0')}`;
  switch (object) {
    case 'Account':
      return r.chance(0.5) ? { Phone: phone(), Tier__c: r.pick(TIERS) } : { Industry: r.pick(INDUSTRIES), Description: `Updated by mutation ${n}` };
    case 'Contact':
      return r.chance(0.5) ? { Phone: phone(), Title: `Title v${n}` } : { MobilePhone: phone(), Loyalty_Score__c: r.int(101) };
    case 'Lead':
      return { Status: r.pick(LEAD_STATUSES.filter((s) => s !== rec.Status && s !== 'Closed - Converted')), Phone: phone() };
    case 'Opportunity': {
      const stage = r.pick(STAGES);
      return { StageName: stage.label, Probability: stage.probability, Amount: (1 + r.int(200)) * 500 };
    }
    case 'Task':
      return { Status: rec.Status === 'Completed' ? 'In Progress' : 'Completed', Subject: `${String(rec.Subject ?? 'Task').replace(/ \(v\d+\)$/, '')} (v${n})` };
    case 'Event':
      return { Location: `Room ${r.int(100)}`, Subject: `${String(rec.Subject ?? 'Meeting').replace(/ \(v\d+\)$/, '')} (v${n})` };
    default:
      return { Body: `Updated note body ${n}` };
  }
}

export function mutate(runtime: SalesforceRuntime, input: MutateRequest, baseUrl: string): MutateResult | { error: string } {
  const object = OBJECTS[input.object]?.name;
  if (!object || !MUTABLE.includes(object)) return { error: `object must be one of ${MUTABLE.join(', ')}` };
  const tenant = input.tenant ?? runtime.tenants[0].key;
  const org = runtime.orgs.get(tenant);
  if (!org) return { error: `unknown tenant ${tenant} (known: ${runtime.tenants.map((t) => t.key).join(', ')})` };
  for (const k of ['create', 'update', 'delete'] as const) {
    const v = input[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 10_000)) return { error: `${k} must be an integer between 0 and 10000` };
  }
  const store = org.stores[object];
  const r = new Rng(hash32(runtime.settings.seed, 7777, ++counter));
  const result: MutateResult = { object, tenant, created: [], updated: [], deleted: [] };
  const notices = [];
  for (let i = 0; i < (input.create ?? 0); i++) {
    const now = runtime.now();
    const fields = newFields(org, object, r, counter * 100_000 + i, now);
    const row = org.create(object, fields, now);
    result.created.push(row.rec.Id as string);
    notices.push({ rec: row.rec, changed: Object.keys(fields) });
  }
  const touched = new Set<string>();
  const wanted = input.update ?? 0;
  for (let i = 0; result.updated.length < wanted && i < wanted * 20; i++) {
    const row = someLive(store, r);
    if (!row) break;
    if (touched.has(row.rec.Id as string)) continue;
    touched.add(row.rec.Id as string);
    const patch = changes(object, row.rec, r, counter * 100_000 + i);
    const rec = org.update(store, row, patch, runtime.now());
    result.updated.push(rec.Id as string);
    notices.push({ rec, changed: Object.keys(patch) });
  }
  for (let i = 0; i < (input.delete ?? 0); i++) {
    const row = someLive(store, r);
    if (!row) break;
    org.remove(store, row, runtime.now());
    result.deleted.push(row.rec.Id as string);
  }
  runtime.notify(org, store.schema, baseUrl, notices);
  return result;
}
