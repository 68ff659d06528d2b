import { rngFor, type Rng } from '../common/random';
import { MODULES, type ModuleName, type ZRecord } from './modules';
import { emitChange } from './notifications';
import type { ZohoRuntime } from './runtime';
import type { ModuleStore, Tenant } from './tenant';

/**
 * Simulated end users editing the CRM (control route POST /__sandbox/mutate): seeded random
 * creations, updates (at least one mapped field changes, Modified_Time moves) and deletions, with
 * the same notifications API writes emit.
 */

export interface MutateResult {
  object: ModuleName;
  tenant: string;
  created: string[];
  updated: string[];
  deleted: string[];
}

function randomLive(store: ModuleStore, r: Rng): number {
  const size = store.coll.size;
  if (store.coll.liveCount === 0) return -1;
  for (let tries = 0; tries < 64; tries++) {
    const p = r.int(size);
    if (store.coll.get(p)) return p;
  }
  for (let p = 0; p < size; p++) if (store.coll.get(p)) return p;
  return -1;
}

const STAGES = ['Prospecting', 'Qualification', 'Needs Analysis', 'Proposal', 'Negotiation', 'Closed Won', 'Closed Lost'];
const TITLES = ['CEO', 'CTO', 'VP Sales', 'Head of Operations', 'Engineer', 'Product Manager', 'Analyst'];

/** The change an end user makes to a record (always at least one mapped field). */
function edit(module: ModuleName, rec: ZRecord, r: Rng, seq: number): Record<string, unknown> {
  const tag = `${seq}`;
  switch (module) {
    case 'Accounts':
      return { Phone: `+1 415 555 ${String(r.int(10_000)).padStart(4, '0')}`, Employees: 5 + r.int(20_000), Description: `Updated by a sandbox user (${tag}).` };
    case 'Contacts':
      return { Title: TITLES[r.int(TITLES.length)], Phone: `+1 212 555 ${String(r.int(10_000)).padStart(4, '0')}`, Loyalty_Score: r.int(101) };
    case 'Leads':
      return { Lead_Status: ['Contacted', 'Attempted to Contact', 'Pre-Qualified', 'Not Qualified'][r.int(4)], Phone: `+1 312 555 ${String(r.int(10_000)).padStart(4, '0')}` };
    case 'Deals': {
      const amount = (1 + r.int(500)) * 1000;
      return { Amount: amount, Stage: STAGES[r.int(STAGES.length)], Description: `Updated by a sandbox user (${tag}).` };
    }
    case 'Tasks':
      return { Status: rec.f.Status === 'Completed' ? 'In Progress' : 'Completed', Priority: ['High', 'Normal', 'Low'][r.int(3)] };
    case 'Calls':
      return { Description: `Call notes updated (${tag}).`, Call_Result: 'Interested' };
    case 'Events':
      return { Venue: `Room ${1 + r.int(50)}`, Description: `Agenda updated (${tag}).` };
    case 'Notes':
      return { Note_Content: `${String(rec.f.Note_Content ?? '')} [edited ${tag}]`.slice(0, 32000) };
  }
}

function newRecordFields(tenant: Tenant, store: ModuleStore, r: Rng, seq: number, k: number): Record<string, unknown> {
  const def = MODULES[store.def.api];
  const base = store.baseCount > 0 ? def.generate(tenant, r.int(store.baseCount)).f : {};
  const f: Record<string, unknown> = { ...base, Owner: tenant.user(r.int(tenant.seed.counts.users)) };
  const tag = `m${seq}-${k}`;
  switch (store.def.api) {
    case 'Accounts': f.Account_Name = `${String(base.Account_Name ?? 'New Account')} (${tag})`; break;
    case 'Contacts': case 'Leads': {
      const first = String(base.First_Name ?? 'New');
      const last = String(base.Last_Name ?? 'Person');
      f.First_Name = first; f.Last_Name = last; f.Full_Name = `${first} ${last}`;
      f.Email = `${first}.${last}.${tag}@sandbox-mutate.example`.toLowerCase().replace(/\s+/g, '');
      if (store.def.api === 'Leads') { f.Converted__s = false; f.Converted_Contact = null; f.Converted_Account = null; f.Converted_Date_Time = null; f.Lead_Status = 'Not Contacted'; f.Company = f.Company ?? 'New Company'; }
      break;
    }
    case 'Deals': f.Deal_Name = `${String(base.Deal_Name ?? 'New Deal')} (${tag})`; f.Stage = f.Stage ?? 'Prospecting'; f.Pipeline = 'Standard'; break;
    case 'Tasks': f.Subject = `${String(base.Subject ?? 'Follow up')} (${tag})`; break;
    case 'Calls': f.Subject = `${String(base.Subject ?? 'Call')} (${tag})`; f.Call_Type = f.Call_Type ?? 'Outbound'; f.Call_Start_Time = f.Call_Start_Time ?? new Date().toISOString().slice(0, 19) + '+00:00'; break;
    case 'Events': f.Event_Title = `${String(base.Event_Title ?? 'Meeting')} (${tag})`; break;
    case 'Notes': f.Note_Content = `${String(base.Note_Content ?? 'Note')} (${tag})`; break;
  }
  return f;
}

export function mutate(runtime: ZohoRuntime, tenant: Tenant, module: ModuleName, counts: { create: number; update: number; delete: number }): MutateResult {
  const store = tenant.modules[module];
  const seq = runtime.mutations++;
  const r = rngFor(runtime.settings.seed + tenant.info.seedOffset, 7777, seq);
  const out: MutateResult = { object: module, tenant: tenant.info.key, created: [], updated: [], deleted: [] };
  for (let k = 0; k < counts.create; k++) {
    const fields = newRecordFields(tenant, store, r, seq, k);
    const owner = tenant.userPosition((fields.Owner as { id: string }).id);
    const { position } = store.create(fields, Math.max(0, owner));
    out.created.push(store.id(position));
  }
  const affected = new Set<string>();
  for (let k = 0; k < counts.update; k++) {
    const p = randomLive(store, r);
    if (p < 0) break;
    const changes = edit(module, store.coll.get(p) as ZRecord, r, seq);
    for (const key of Object.keys(changes)) affected.add(key);
    store.update(p, changes, r.int(tenant.seed.counts.users));
    out.updated.push(store.id(p));
  }
  for (let k = 0; k < counts.delete; k++) {
    const p = randomLive(store, r);
    if (p < 0) break;
    store.remove(p, r.int(tenant.seed.counts.users));
    out.deleted.push(store.id(p));
  }
  emitChange(runtime, tenant, module, 'insert', out.created);
  emitChange(runtime, tenant, module, 'update', [...new Set(out.updated)], [...affected]);
  emitChange(runtime, tenant, module, 'delete', out.deleted);
  return out;
}
