import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelName } from '../../src/models/spec';
import { type ListFilters, type ParsedTokenSet, type RemoteRecord, type RemoteRef, type VendorConnection, VendorError, type VendorRequest } from '../../src/integrations/contract';
import { staticTokenSource, VendorHttpClient } from '../../src/integrations/http/vendor-http-client';
import { salesforceAdapter } from '../../src/integrations/salesforce';
import { clearDescribeCache } from '../../src/integrations/salesforce/api';
import { type RunningEmulator, startStandalone } from '../../src/sandbox/common/standalone';
import { createSalesforceEmulator } from '../../src/sandbox/salesforce/emulator';
import { RELATION_FILTER_CASES } from '../support/relation-filters';

/**
 * The Salesforce adapter against the Salesforce emulator (seed 3, 60 contacts): every model
 * listed to the end at several page sizes, every filter, get/getMany, writes with remote fields,
 * vendor errors, auth parsing and identify, and a walk while the CRM is being edited.
 */

let em: RunningEmulator;
let conn: VendorConnection;
let token: Record<string, string>;
const requests: VendorRequest[] = [];
const adapter = salesforceAdapter;

async function control<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${em.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

async function soqlCount(q: string): Promise<number> {
  const res = await fetch(`${em.url}/services/data/v62.0/query?q=${encodeURIComponent(q)}`, { headers: { authorization: `Bearer ${token.access_token}` } });
  const body = (await res.json()) as { totalSize: number };
  return body.totalSize;
}

/** Walks a list to its end, checking page sizes, non-empty pages and that no record repeats. */
async function walk(model: ModelName, pageSize: number, filters: ListFilters = {}, between?: (page: number) => Promise<void>): Promise<RemoteRecord[]> {
  const out: RemoteRecord[] = [];
  const seen = new Set<string>();
  let state = null;
  for (let page = 0; ; page++) {
    const res = await adapter.list(conn, model, { pageSize, state, filters });
    expect(res.records.length).toBeLessThanOrEqual(pageSize);
    if (res.nextState) {
      expect(res.records.length).toBeGreaterThan(0);
      expect(JSON.stringify(res.nextState).length).toBeLessThan(300);
    }
    for (const r of res.records) {
      expect(seen.has(r.remoteId), `${model} ${r.remoteId} returned twice`).toBe(false);
      seen.add(r.remoteId);
      out.push(r);
    }
    if (!res.nextState) return out;
    state = JSON.parse(JSON.stringify(res.nextState));
    if (between) await between(page);
    expect(page).toBeLessThan(1000);
  }
}

const ids = (records: RemoteRecord[]) => records.map((r) => r.remoteId).sort();
const refOf = (r: RemoteRecord, field: string) => (r.fields[field] as RemoteRef | null)?.remoteId;

let expectedCounts: Record<ModelName, number>;
const all: Partial<Record<ModelName, RemoteRecord[]>> = {};

beforeAll(async () => {
  clearDescribeCache();
  em = await startStandalone(createSalesforceEmulator({ seed: 3, contacts: 60 }));
  token = await control('POST', '/__sandbox/tokens', {});
  const parsed = adapter.auth.parseTokenResponse(200, token, {}) as ParsedTokenSet;
  const base = await new VendorHttpClient({ maxAttempts: 2 }).connection({
    vendor: 'salesforce',
    linkedAccountId: 'test',
    apiBaseUrl: parsed.apiBaseUrl ?? adapter.auth.endpoints({ sandboxBaseUrl: em.url }).apiBaseUrl!,
    auth: adapter.auth,
    tokens: staticTokenSource(parsed.accessToken),
  });
  conn = { ...base, request: (req) => (requests.push(req), base.request(req)) };
  const counts = (await control<{ counts: Record<string, number> }>('GET', '/__sandbox')).counts;
  expectedCounts = {
    Account: counts.Account!,
    Contact: counts.Contact!,
    Lead: counts.Lead!,
    Opportunity: counts.Opportunity!,
    Note: counts.Note!,
    Task: await soqlCount("SELECT COUNT() FROM Task WHERE TaskSubtype = 'Task'"),
    Engagement: (await soqlCount("SELECT COUNT() FROM Task WHERE TaskSubtype IN ('Call', 'Email')")) + counts.Event!,
    EngagementType: 3,
    User: counts.User!,
    Stage: counts.OpportunityStage!,
  };
  expect(expectedCounts.Task + expectedCounts.Engagement - counts.Event!).toBe(counts.Task);
}, 30_000);

afterAll(async () => {
  await em?.close();
});

const MODELS: ModelName[] = ['Account', 'Contact', 'Lead', 'Opportunity', 'Note', 'Task', 'Engagement', 'EngagementType', 'User', 'Stage'];

describe('list: every record exactly once at page sizes 1, 7 and 100', () => {
  for (const model of MODELS) {
    it(model, async () => {
      const full = await walk(model, 100);
      expect(full.length).toBe(expectedCounts[model]);
      all[model] = full;
      for (const size of full.length <= 20 ? [1, 7] : [7]) expect(ids(await walk(model, size))).toEqual(ids(full));
      for (const r of full) {
        expect(r.model).toBe(model);
        expect(r.remoteWasDeleted).toBe(false);
        if (model !== 'EngagementType') {
          expect(r.remoteData[0]!.path).toMatch(/^\/services\/data\/v\d+\.\d\/sobjects\//);
          expect(r.remoteCreatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        }
      }
    });
  }
});

describe('mapping', () => {
  it('accounts: addresses, phones, owner, custom field in remoteFields', () => {
    const a = all.Account!.find((r) => r.fields.name === 'Acme Industries')!;
    expect(a.fields).toMatchObject({
      website: 'https://www.acmeindustries.example',
      industry: 'Transportation',
      number_of_employees: 5178,
      owner: { model: 'User', remoteId: '0055g0000000001AAA' },
      addresses: [{ street_1: '3083 Elm St', street_2: null, city: 'San Francisco', state: 'CA', postal_code: '94147', country: 'US', address_type: 'BILLING' }],
      phone_numbers: [{ phone_number: '+1 415 477 0616', phone_number_type: 'WORK' }],
      remote_created_at: '2024-01-01T00:00:00.000Z',
    });
    const tier = a.remoteFields.find((f) => f.remote_field_class.name === 'Tier__c')!;
    expect(tier.value).toBe('Silver');
    expect(tier.remote_field_class).toMatchObject({ is_custom: true, field_type: 'enum', field_choices: ['Gold', 'Silver', 'Bronze'] });
    expect(a.remoteFields.map((f) => f.remote_field_class.name)).toContain('AnnualRevenue');
    expect(a.remoteFields.map((f) => f.remote_field_class.name)).not.toContain('Name');
  });

  it('contacts, leads, opportunities, stages', () => {
    const c = all.Contact![0]!;
    expect(c.fields.email_addresses).toEqual([{ email_address: expect.stringContaining('@'), email_address_type: 'WORK' }]);
    expect((c.fields.phone_numbers as unknown[]).length).toBeGreaterThan(0);
    expect(c.remoteFields.find((f) => f.remote_field_class.name === 'Loyalty_Score__c')?.remote_field_class.field_type).toBe('number');
    const statuses = new Set(all.Lead!.map((l) => l.fields.status));
    for (const s of statuses) expect(['OPEN', 'CLOSED', 'UNQUALIFIED', 'QUALIFIED']).toContain(s);
    const stageIds = new Set(all.Stage!.map((s) => s.remoteId));
    for (const o of all.Opportunity!) {
      expect(stageIds.has(refOf(o, 'stage')!)).toBe(true);
      expect(['OPEN', 'WON', 'LOST']).toContain(o.fields.status);
      expect(o.fields.close_date).toMatch(/T00:00:00\.000Z$/);
    }
    expect(all.Stage!.find((s) => s.remoteId === 'Closed Won')?.fields.name).toBe('Closed Won');
  });

  it('engagements: calls, emails and meetings with types, directions and times', () => {
    const types = new Map(all.Engagement!.map((e) => [refOf(e, 'engagement_type'), e]));
    expect([...types.keys()].sort()).toEqual(['Call', 'Email', 'Meeting']);
    const call = types.get('Call')!;
    expect(['INBOUND', 'OUTBOUND']).toContain(call.fields.direction);
    expect(Date.parse(call.fields.end_time as string)).toBeGreaterThanOrEqual(Date.parse(call.fields.start_time as string));
    const meeting = types.get('Meeting')!;
    expect(meeting.remoteId.startsWith('00U')).toBe(true);
    expect(meeting.fields.start_time).toMatch(/Z$/);
    for (const e of all.Engagement!) expect(Array.isArray(e.fields.contacts)).toBe(true);
    expect(all.EngagementType!.map((t) => t.fields.activity_type).sort()).toEqual(['CALL', 'EMAIL', 'MEETING']);
  });

  it('notes and tasks: polymorphic parents by key prefix', () => {
    for (const n of all.Note!) {
      const parent = n.remoteData[0]!.data as { ParentId: string };
      const field = { '003': 'contact', '001': 'account', '006': 'opportunity' }[parent.ParentId.slice(0, 3)];
      if (field) expect(refOf(n, field)).toBe(parent.ParentId);
      else expect(n.remoteFields.find((f) => f.remote_field_class.name === 'ParentId')?.value).toBe(parent.ParentId);
    }
    for (const t of all.Task!) {
      expect(['OPEN', 'CLOSED']).toContain(t.fields.status);
      const raw = t.remoteData[0]!.data as { WhoId: string | null; TaskSubtype: string };
      expect(raw.TaskSubtype).toBe('Task');
      if (raw.WhoId?.startsWith('003')) expect(refOf(t, 'contact')).toBe(raw.WhoId);
    }
  });
});

/** A filtered walk equals the unfiltered list filtered locally. */
async function checkFilter(model: ModelName, filters: ListFilters, predicate: (r: RemoteRecord) => boolean, minMatches = 1) {
  const expected = all[model]!.filter(predicate);
  expect(expected.length).toBeGreaterThanOrEqual(minMatches);
  const got = await walk(model, 7, filters);
  expect(ids(got)).toEqual(ids(expected));
}

describe('filters', () => {
  it('created / modified ranges and remoteId on every model', async () => {
    for (const model of MODELS.filter((m) => m !== 'EngagementType')) {
      const times = all[model]!.map((r) => Date.parse(r.remoteUpdatedAt!)).sort((a, b) => a - b);
      const mid = new Date(times[Math.floor(times.length / 2)]!);
      await checkFilter(model, { modifiedAfter: mid }, (r) => Date.parse(r.remoteUpdatedAt!) > mid.getTime(), 0);
      await checkFilter(model, { modifiedBefore: mid }, (r) => Date.parse(r.remoteUpdatedAt!) < mid.getTime(), 0);
      const ctimes = all[model]!.map((r) => Date.parse(r.remoteCreatedAt!)).sort((a, b) => a - b);
      const cmid = new Date(ctimes[Math.floor(ctimes.length / 2)]! + 1);
      await checkFilter(model, { createdAfter: cmid, createdBefore: new Date('2030-01-01') }, (r) => Date.parse(r.remoteCreatedAt!) > cmid.getTime(), 0);
      const one = all[model]![3]!;
      await checkFilter(model, { remoteId: one.remoteId }, (r) => r.remoteId === one.remoteId);
    }
    expect((await walk('Contact', 7, { remoteId: 'not-an-id' })).length).toBe(0);
    expect((await walk('EngagementType', 1, { remoteId: 'Meeting' })).map((r) => r.remoteId)).toEqual(['Meeting']);
  });

  it('relations', async () => {
    for (const [model, field] of RELATION_FILTER_CASES) {
      const target = all[model]!.map((r) => refOf(r, field)).find((x) => x)!;
      expect(target, `${model}.${field}`).toBeTruthy();
      await checkFilter(model, { relations: { [field]: target } }, (r) => refOf(r, field) === target);
    }
    // Leads converted into accounts/contacts: none in this seed, the filter still answers.
    const conv = all.Lead!.map((r) => refOf(r, 'converted_account')).find((x) => x) ?? '0015g0000000000AAA';
    await checkFilter('Lead', { relations: { converted_account: conv } }, (r) => refOf(r, 'converted_account') === conv, 0);
    await checkFilter('Lead', { relations: { converted_contact: '0035g0000000000AAA' } }, (r) => refOf(r, 'converted_contact') === '0035g0000000000AAA', 0);
  });

  it('strings, emails, phones, enums, datetimes', async () => {
    await checkFilter('Account', { strings: { name: 'ACME' } }, (r) => String(r.fields.name).toLowerCase().includes('acme'));
    const user = all.User![2]!;
    await checkFilter('User', { strings: { email: String(user.fields.email).toUpperCase() } }, (r) => r.remoteId === user.remoteId);
    for (const model of ['Contact', 'Lead'] as ModelName[]) {
      const rec = all[model]![5]!;
      const email = (rec.fields.email_addresses as { email_address: string }[])[0]!.email_address;
      await checkFilter(model, { email }, (r) => (r.fields.email_addresses as { email_address: string }[]).some((e) => e.email_address.toLowerCase() === email.toLowerCase()));
      const phone = (rec.fields.phone_numbers as { phone_number: string }[])[0]!.phone_number;
      await checkFilter(model, { phone }, (r) => (r.fields.phone_numbers as { phone_number: string }[]).some((p) => p.phone_number === phone));
    }
    expect(new Set(all.Opportunity!.map((r) => r.fields.status)).size).toBeGreaterThanOrEqual(2);
    for (const status of ['OPEN', 'WON', 'LOST']) await checkFilter('Opportunity', { enums: { status } }, (r) => r.fields.status === status, 0);
    expect(new Set(all.Lead!.map((r) => r.fields.status)).size).toBeGreaterThanOrEqual(3);
    for (const status of ['OPEN', 'QUALIFIED', 'UNQUALIFIED', 'CLOSED']) await checkFilter('Lead', { enums: { status } }, (r) => r.fields.status === status, 0);
    await checkFilter('Task', { enums: { status: 'CLOSED' } }, (r) => r.fields.status === 'CLOSED');
    const created = all.Opportunity!.map((r) => Date.parse(r.fields.remote_created_at as string)).sort((a, b) => a - b);
    const after = new Date(created[0]!);
    await checkFilter('Opportunity', { datetimes: { remote_created_at: { gt: after } } }, (r) => Date.parse(r.fields.remote_created_at as string) > after.getTime(), 0);
    const starts = all.Engagement!.map((r) => Date.parse(r.fields.start_time as string)).sort((a, b) => a - b);
    const mid = new Date(starts[Math.floor(starts.length / 2)]!);
    const t = (r: RemoteRecord) => Date.parse(r.fields.start_time as string);
    await checkFilter('Engagement', { datetimes: { start_time: { gt: mid } } }, (r) => t(r) > mid.getTime());
    await checkFilter('Engagement', { datetimes: { start_time: { lt: mid } } }, (r) => t(r) < mid.getTime());
    // Several filters at once, with client-side checks (Engagement start_time on Tasks) and paging.
    const acct = all.Engagement!.map((r) => refOf(r, 'account')).find((x) => x)!;
    await checkFilter('Engagement', { relations: { account: acct }, datetimes: { start_time: { gt: new Date(starts[0]!) } } }, (r) => refOf(r, 'account') === acct && t(r) > starts[0]!, 0);
  });
});

describe('get and getMany', () => {
  it('gets each model by id and null for unknown or foreign ids', async () => {
    for (const model of MODELS) {
      const one = all[model]![1]!;
      const got = await adapter.get(conn, model, one.remoteId);
      expect(got?.remoteId).toBe(one.remoteId);
      expect(got?.fields).toEqual(one.fields);
    }
    expect(await adapter.get(conn, 'Contact', '0035g0000000zzzAAA')).toBeNull();
    expect(await adapter.get(conn, 'Contact', all.Account![0]!.remoteId)).toBeNull();
    expect(await adapter.get(conn, 'Task', all.Engagement!.find((e) => e.remoteId.startsWith('00T'))!.remoteId)).toBeNull();
    expect(await adapter.get(conn, 'Contact', "x' OR Name != '")).toBeNull();
  });

  it('getMany is one batched query per object', async () => {
    await adapter.remoteFieldClasses(conn, 'Contact'); // warm the describe cache
    await adapter.remoteFieldClasses(conn, 'Engagement');
    const want = all.Contact!.slice(0, 50).map((r) => r.remoteId);
    let before = requests.length;
    const got = await adapter.getMany(conn, 'Contact', [...want, '0035g0000000zzzAAA']);
    expect(got.map((r) => r.remoteId)).toEqual(want);
    expect(requests.length - before).toBe(1);
    const eng = all.Engagement!.map((r) => r.remoteId);
    before = requests.length;
    expect(ids(await adapter.getMany(conn, 'Engagement', eng))).toEqual(ids(all.Engagement!));
    expect(requests.length - before).toBe(2); // Tasks, then Events
  });
});

describe('writes', () => {
  const writeCases: { model: ModelName; create: Record<string, unknown>; remote: [string, unknown]; update: Record<string, unknown> }[] = [
    {
      model: 'Account',
      create: { name: 'Switchboard Test Co', industry: 'Technology', website: 'https://sb.example', number_of_employees: 42, addresses: [{ street_1: '1 Main St', street_2: 'Floor 2', city: 'Paris', state: null, postal_code: '75001', country: 'FR', address_type: 'BILLING' }], phone_numbers: [{ phone_number: '+33 1 23 45 67 89', phone_number_type: 'WORK' }] },
      remote: ['Tier__c', 'Gold'],
      update: { name: 'Switchboard Test Co (renamed)' },
    },
    {
      model: 'Contact',
      create: { first_name: 'Grace', last_name: 'Hopper', account: 'ACCOUNT', email_addresses: [{ email_address: 'grace.hopper@sb.example', email_address_type: 'WORK' }], phone_numbers: [{ phone_number: '+1 555 0100', phone_number_type: 'MOBILE' }] },
      remote: ['Loyalty_Score__c', 77],
      update: { last_name: 'Hopper-Murray' },
    },
    { model: 'Lead', create: { first_name: 'Ada', last_name: 'Lovelace', company: 'Engines Ltd', status: 'QUALIFIED' }, remote: ['Industry', 'Mathematics'], update: { status: 'UNQUALIFIED' } },
    { model: 'Opportunity', create: { name: 'Big deal', stage: 'Prospecting', close_date: '2026-12-01T00:00:00.000Z', amount: 1000, account: 'ACCOUNT' }, remote: ['Type', 'New Customer'], update: { stage: 'Closed Won' } },
    { model: 'Note', create: { content: 'Met at the fair\nfollow up', contact: 'CONTACT' }, remote: ['IsPrivate', true], update: { content: 'Updated body' } },
    { model: 'Task', create: { subject: 'Send deck', contact: 'CONTACT', opportunity: 'OPPORTUNITY', due_date: '2026-12-02T00:00:00.000Z', status: 'OPEN' }, remote: ['Priority', 'High'], update: { status: 'CLOSED' } },
    { model: 'Engagement', create: { engagement_type: 'Call', subject: 'Intro call', direction: 'INBOUND', contacts: ['CONTACT'], start_time: '2026-11-02T10:00:00.000Z', end_time: '2026-11-02T10:05:00.000Z' }, remote: ['Priority', 'Low'], update: { subject: 'Intro call (edited)' } },
    { model: 'Engagement', create: { engagement_type: 'Meeting', subject: 'Kickoff', account: 'ACCOUNT', contacts: ['CONTACT'], start_time: '2026-11-03T09:00:00.000Z', end_time: '2026-11-03T10:00:00.000Z' }, remote: ['Location', 'Room 4'], update: { end_time: '2026-11-03T11:00:00.000Z' } },
  ];

  function resolve(fields: Record<string, unknown>): Record<string, never> {
    const sub = (v: unknown): unknown => {
      if (v === 'ACCOUNT') return { model: 'Account', remoteId: all.Account![4]!.remoteId };
      if (v === 'CONTACT') return { model: 'Contact', remoteId: all.Contact![8]!.remoteId };
      if (v === 'OPPORTUNITY') return { model: 'Opportunity', remoteId: all.Opportunity![2]!.remoteId };
      if (Array.isArray(v)) return v.map(sub);
      return v;
    };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) out[k] = k === 'stage' || k === 'engagement_type' ? { model: k === 'stage' ? 'Stage' : 'EngagementType', remoteId: v } : sub(v);
    return out as Record<string, never>;
  }

  for (const c of writeCases) {
    it(`${c.model} ${c.model === 'Engagement' ? String(c.create.engagement_type) : ''}: create -> get -> update -> delete, with remote fields`, async () => {
      const created = await adapter.create(conn, c.model, { fields: resolve(c.create), remoteFields: [{ remote_field_class: c.remote[0], value: c.remote[1] }] });
      expect(created.model).toBe(c.model);
      const got = (await adapter.get(conn, c.model, created.remoteId))!;
      expect(got.fields).toEqual(created.fields);
      expect(got.remoteFields.find((f) => f.remote_field_class.name === c.remote[0])?.value).toBe(c.remote[1]);
      for (const [k, v] of Object.entries(resolve(c.create))) {
        if (k === 'contacts') expect(got.fields.contacts).toEqual(v);
        else if (k === 'engagement_type' || k === 'stage' || k === 'account' || k === 'contact' || k === 'opportunity') expect(refOf(got, k)).toBe((v as RemoteRef).remoteId);
        else if (c.model === 'Engagement' && (k === 'start_time' || k === 'end_time')) continue; // checked below
        else expect(got.fields[k], `${c.model}.${k}`).toEqual(v);
      }
      const updated = await adapter.update(conn, c.model, created.remoteId, { fields: resolve(c.update), remoteFields: [] });
      for (const [k, v] of Object.entries(resolve(c.update))) {
        if (k === 'stage') expect(refOf(updated, k)).toBe((v as RemoteRef).remoteId);
        else expect(updated.fields[k]).toEqual(v);
      }
      expect(updated.remoteFields.find((f) => f.remote_field_class.name === c.remote[0])?.value).toBe(c.remote[1]);
      if (c.model === 'Opportunity') expect(updated.fields.status).toBe('WON');
      if (c.model === 'Engagement' && c.create.engagement_type === 'Meeting') expect(updated.fields.start_time).toBe('2026-11-03T09:00:00.000Z');

      await adapter.delete(conn, c.model, created.remoteId);
      expect(await adapter.get(conn, c.model, created.remoteId)).toBeNull();
      const live = await walk(c.model, 100, { remoteId: created.remoteId });
      expect(live).toEqual([]);
      const withDeleted = await walk(c.model, 100, { remoteId: created.remoteId, includeDeleted: true });
      expect(withDeleted.map((r) => [r.remoteId, r.remoteWasDeleted])).toEqual([[created.remoteId, true]]);
      const err = await adapter.delete(conn, c.model, created.remoteId).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VendorError);
      expect((err as VendorError).kind).toBe('not_found');
    });
  }

  it('includeDeleted walks return live and deleted records once each', async () => {
    const created = await adapter.create(conn, 'Account', { fields: { name: 'To be deleted' }, remoteFields: [] });
    await adapter.delete(conn, 'Account', created.remoteId);
    const withDeleted = await walk('Account', 7, { includeDeleted: true });
    const deleted = withDeleted.filter((r) => r.remoteWasDeleted).map((r) => r.remoteId);
    expect(deleted).toContain(created.remoteId);
    expect(withDeleted.length).toBe((await walk('Account', 100)).length + deleted.length);
  });

  it('vendor validation errors keep the vendor message and code and name the common field', async () => {
    const missing = (await adapter.create(conn, 'Contact', { fields: { first_name: 'No last name' }, remoteFields: [] }).catch((e: unknown) => e)) as VendorError;
    expect(missing).toBeInstanceOf(VendorError);
    expect(missing).toMatchObject({ kind: 'validation', status: 400, vendorCode: 'REQUIRED_FIELD_MISSING', vendorMessage: 'Required fields are missing: [LastName]', fields: ['last_name'] });
    const picklist = (await adapter.create(conn, 'Account', { fields: { name: 'X' }, remoteFields: [{ remote_field_class: 'Tier__c', value: 'Platinum' }] }).catch((e: unknown) => e)) as VendorError;
    expect(picklist).toMatchObject({ kind: 'validation', vendorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' });
    expect(picklist.vendorMessage).toContain('Platinum');
    const unknown = (await adapter.update(conn, 'Account', all.Account![0]!.remoteId, { fields: {}, remoteFields: [{ remote_field_class: 'Nope__c', value: 1 }] }).catch((e: unknown) => e)) as VendorError;
    expect(unknown).toMatchObject({ kind: 'validation', vendorCode: 'INVALID_FIELD' });
    const dupEmail = (all.Contact![0]!.fields.email_addresses as { email_address: string }[])[0]!.email_address;
    const dup = (await adapter.create(conn, 'Contact', { fields: { last_name: 'Twin', email_addresses: [{ email_address: dupEmail, email_address_type: null }] }, remoteFields: [] }).catch((e: unknown) => e)) as VendorError;
    expect(dup).toMatchObject({ kind: 'duplicate', vendorCode: 'DUPLICATES_DETECTED' });
    const gone = (await adapter.update(conn, 'Contact', '0035g0000000zzzAAA', { fields: { last_name: 'x' }, remoteFields: [] }).catch((e: unknown) => e)) as VendorError;
    expect(gone).toMatchObject({ kind: 'not_found' });
    const noType = (await adapter.create(conn, 'Engagement', { fields: { subject: 'x' }, remoteFields: [] }).catch((e: unknown) => e)) as VendorError;
    expect(noType).toMatchObject({ kind: 'validation', fields: ['engagement_type'] });
  });

  it('an unmapped vendor enum value comes back raw (CallType Internal)', async () => {
    const call = await adapter.create(conn, 'Engagement', { fields: { engagement_type: { model: 'EngagementType', remoteId: 'Call' }, subject: 'Internal sync' }, remoteFields: [{ remote_field_class: 'CallType', value: 'Internal' }] });
    expect(call.fields.direction).toBe('Internal');
    await adapter.delete(conn, 'Engagement', call.remoteId);
  });

  it('remote field classes and writable fields', async () => {
    const classes = await adapter.remoteFieldClasses(conn, 'Account');
    expect(classes.find((c) => c.name === 'Tier__c')).toMatchObject({ display_name: 'Tier', is_custom: true, field_type: 'enum' });
    expect(classes.find((c) => c.name === 'Name')).toMatchObject({ is_required: true, is_custom: false });
    const eng = await adapter.remoteFieldClasses(conn, 'Engagement');
    expect(eng.map((c) => c.name)).toEqual(expect.arrayContaining(['TaskSubtype', 'StartDateTime']));
    expect(adapter.writableFields('Contact', 'create')).toContainEqual({ field: 'last_name', required: true });
    expect(adapter.writableFields('Opportunity', 'create').filter((f) => f.required).map((f) => f.field).sort()).toEqual(['close_date', 'name', 'stage']);
    expect(adapter.writableFields('Contact', 'update').every((f) => !f.required)).toBe(true);
    expect(adapter.writableFields('User', 'create')).toEqual([]);
  });
});

describe('paging while the CRM is edited', () => {
  it('modified records are returned at most once and no unmodified record is skipped', async () => {
    const before = ids(await walk('Contact', 100));
    const touched = new Set<string>();
    const deleted = new Set<string>();
    const got = await walk('Contact', 7, {}, async (page) => {
      const res = await control<{ updated: string[]; deleted: string[] }>('POST', '/__sandbox/mutate', { object: 'Contact', update: 5, delete: page === 2 ? 2 : 0 });
      res.updated.forEach((id) => touched.add(id));
      res.deleted.forEach((id) => deleted.add(id));
    });
    expect(touched.size).toBeGreaterThan(10);
    const gotIds = new Set(got.map((r) => r.remoteId));
    for (const id of before) if (!deleted.has(id)) expect(gotIds.has(id), id).toBe(true);
    expect(gotIds.size).toBe(got.length);
  });
});

describe('auth', () => {
  it('parses a code exchange answer from the emulator', () => {
    const parsed = adapter.auth.parseTokenResponse(200, token, {});
    expect(parsed).toMatchObject({ accessToken: token.access_token, refreshToken: token.refresh_token, expiresInSeconds: null, apiBaseUrl: em.url, remoteAccountId: '00D5g0000000001EAA', scopes: 'api refresh_token' });
    expect(adapter.auth.endpoints({ sandboxBaseUrl: em.url }).tokenUrl).toBe(`${em.url}/services/oauth2/token`);
  });

  async function tokenCall(params: Record<string, string>) {
    const res = await fetch(adapter.auth.endpoints({ sandboxBaseUrl: em.url }).tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
    return adapter.auth.parseTokenResponse(res.status, await res.json(), {});
  }

  it('refresh answers carry no refresh token; a dead refresh token is invalid_grant', async () => {
    const refreshed = await tokenCall({ grant_type: 'refresh_token', refresh_token: token.refresh_token!, client_id: 'sandbox-client' });
    expect(refreshed).toMatchObject({ accessToken: expect.any(String), refreshToken: undefined, apiBaseUrl: em.url, remoteAccountId: '00D5g0000000001EAA' });
    const dead = await tokenCall({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: 'sandbox-client' });
    expect(dead).toMatchObject({ error: 'invalid_grant', invalidGrant: true });
    expect((dead as { description: string }).description).toBeTruthy();
  });

  it('identify: from the token answer, else from the API', async () => {
    const parsed = adapter.auth.parseTokenResponse(200, token, {}) as ParsedTokenSet;
    expect(await adapter.auth.identify(conn, parsed)).toMatchObject({ remoteAccountId: '00D5g0000000001EAA' });
    const withoutId = { ...parsed, remoteAccountId: undefined };
    expect(await adapter.auth.identify(conn, withoutId)).toMatchObject({ remoteAccountId: '00D5g0000000001EAA' });
  });

  // Last: expiring every token also expires the shared connection's.
  it('a token expiring in the middle of a walk is refreshed with the refresh-token grant', async () => {
    let refreshes = 0;
    const source = staticTokenSource('expired-soon', async () => {
      refreshes++;
      const parsed = await tokenCall({ grant_type: 'refresh_token', refresh_token: token.refresh_token!, client_id: 'sandbox-client' });
      if ('error' in parsed) throw new Error(parsed.description);
      return parsed.accessToken;
    });
    const c2 = new VendorHttpClient({ maxAttempts: 2 }).connection({ vendor: 'salesforce', linkedAccountId: 'test-refresh', apiBaseUrl: em.url, auth: adapter.auth, tokens: source });
    const first = await adapter.list(c2, 'Account', { pageSize: 5, state: null, filters: {} });
    expect(refreshes).toBe(1);
    await control('POST', '/__sandbox/tokens/expire');
    const second = await adapter.list(c2, 'Account', { pageSize: 5, state: first.nextState, filters: {} });
    expect(refreshes).toBe(2);
    expect(second.records[0]!.remoteId > first.records[4]!.remoteId).toBe(true);
  });
});
