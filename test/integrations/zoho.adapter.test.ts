import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelName } from '../../src/models/spec';
import { type ListFilters, type RemoteRecord, type RemoteRef, type VendorConnection } from '../../src/integrations/contract';
import { VendorHttpClient, staticTokenSource } from '../../src/integrations/http/vendor-http-client';
import { zohoAdapter } from '../../src/integrations/zoho';
import { clearMetadataCache } from '../../src/integrations/zoho/metadata';
import { startStandalone, type RunningEmulator } from '../../src/sandbox/common/standalone';
import { createZohoEmulator } from '../../src/sandbox/zoho/emulator';
import { modelCounts } from '../support/model-counts';
import { RELATION_FILTER_CASES } from '../support/relation-filters';

/** The Zoho adapter against the Zoho emulator (seed 3, 60 contacts), over real HTTP. */

let em: RunningEmulator;
let conn: VendorConnection;
let tokenBody: Record<string, unknown>;

async function control(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(em.url + path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

const counts = async (): Promise<Record<string, number>> => (await control('GET', '/__sandbox')).counts;
const apiRequests = async (): Promise<number> => (await control('GET', '/__sandbox')).apiRequests;

/** Walks a list to the end, checking page sizes, state size and exactly-once. */
async function walk(model: ModelName, pageSize: number, filters: ListFilters = {}, between?: (page: number) => Promise<void>, on: VendorConnection = conn): Promise<RemoteRecord[]> {
  const out: RemoteRecord[] = [];
  let state = null;
  for (let page = 0; ; page++) {
    const res = await zohoAdapter.list(on, model, { pageSize, state, filters });
    expect(res.records.length).toBeLessThanOrEqual(pageSize);
    if (res.nextState) {
      expect(res.records.length).toBeGreaterThan(0);
      expect(JSON.stringify(res.nextState).length).toBeLessThan(300);
      expect(JSON.parse(JSON.stringify(res.nextState))).toEqual(res.nextState);
    }
    out.push(...res.records);
    if (!res.nextState) break;
    state = res.nextState;
    if (between) await between(page);
    expect(page).toBeLessThan(2000);
  }
  const ids = out.map((r) => r.remoteId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const r of out) expect(r.model).toBe(model);
  return out;
}

const idsOf = (records: RemoteRecord[]) => records.map((r) => r.remoteId).sort();
const refId = (v: unknown) => (v && typeof v === 'object' && 'remoteId' in (v as object) ? (v as RemoteRef).remoteId : null);

beforeAll(async () => {
  em = await startStandalone(createZohoEmulator({ seed: 3, contacts: 60 }));
  tokenBody = await control('POST', '/__sandbox/tokens', {});
  const parsed = zohoAdapter.auth.parseTokenResponse(200, tokenBody, {});
  if ('error' in parsed) throw new Error(parsed.error);
  const apiBaseUrl = parsed.apiBaseUrl ?? zohoAdapter.auth.endpoints({ sandboxBaseUrl: em.url }).apiBaseUrl!;
  conn = new VendorHttpClient({ maxAttempts: 2 }).connection({ vendor: 'zoho', linkedAccountId: 'test', apiBaseUrl, auth: zohoAdapter.auth, tokens: staticTokenSource(parsed.accessToken), retryDelayMs: zohoAdapter.auth.retryDelayMs });
});

afterAll(async () => {
  clearMetadataCache();
  await em?.close();
});

/** The emulator's modules counted into the common models (modelCounts): Zoho has calls and meetings (Events), no e-mails. */
async function expectedCount(model: ModelName): Promise<number> {
  const c = await counts();
  const m = (module: string) => c[`sandbox-1:${module}`];
  const dataset = {
    accounts: m('Accounts'),
    contacts: m('Contacts'),
    leads: m('Leads'),
    deals: m('Deals'),
    notes: m('Notes'),
    tasks: m('Tasks'),
    calls: m('Calls'),
    meetings: m('Events'),
    emails: 0,
    users: m('users'),
    stages: 7, // the emulator's Standard pipeline
  };
  return modelCounts(dataset, ['CALL', 'MEETING'])[model];
}

describe('zoho adapter: auth', () => {
  it('parses the emulator token answer, a refresh without refresh_token and an invalid grant', async () => {
    const parsed = zohoAdapter.auth.parseTokenResponse(200, tokenBody, { callbackParams: { 'accounts-server': em.url } });
    expect(parsed).toMatchObject({ accessToken: tokenBody.access_token, refreshToken: tokenBody.refresh_token, expiresInSeconds: 3600, apiBaseUrl: em.url, authBaseUrl: em.url });
    const { tokenUrl } = zohoAdapter.auth.endpoints({ sandboxBaseUrl: em.url, authBaseUrl: em.url });
    const form = (o: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(o).toString() });
    const refresh = await fetch(tokenUrl, form({ grant_type: 'refresh_token', refresh_token: String(tokenBody.refresh_token), client_id: '1000.SANDBOXCLIENT', client_secret: 'secret' }));
    const refreshed = zohoAdapter.auth.parseTokenResponse(refresh.status, await refresh.json(), {});
    expect('accessToken' in refreshed && refreshed.accessToken).toBeTruthy();
    expect('refreshToken' in refreshed ? refreshed.refreshToken : undefined).toBeUndefined();
    expect(refreshed).toMatchObject({ apiBaseUrl: em.url, expiresInSeconds: 3600 });
    const bad = await fetch(tokenUrl, form({ grant_type: 'refresh_token', refresh_token: '1000.dead.beef', client_id: '1000.SANDBOXCLIENT', client_secret: 'secret' }));
    expect(bad.status).toBe(200);
    expect(zohoAdapter.auth.parseTokenResponse(bad.status, await bad.json(), {})).toMatchObject({ error: 'invalid_code', invalidGrant: true });
  });

  it('identify() names the org', async () => {
    const parsed = zohoAdapter.auth.parseTokenResponse(200, tokenBody, {});
    if ('error' in parsed) throw new Error('unexpected');
    expect(await zohoAdapter.auth.identify(conn, parsed)).toEqual({ remoteAccountId: '3652397000000000001', displayName: 'Sandbox One Inc.' });
  });
});

const ALL_MODELS: ModelName[] = ['Account', 'Contact', 'Lead', 'Opportunity', 'Note', 'Task', 'Engagement', 'EngagementType', 'User', 'Stage'];
const full: Partial<Record<ModelName, RemoteRecord[]>> = {};

describe('zoho adapter: reads', () => {
  for (const model of ALL_MODELS) {
    it(`${model}: walks with pageSize 1, 7 and 100 return every record exactly once`, async () => {
      const expected = await expectedCount(model);
      const a = await walk(model, 100);
      expect(a.length).toBe(expected);
      const b = await walk(model, 7);
      const c = await walk(model, 1);
      expect(idsOf(b)).toEqual(idsOf(a));
      expect(idsOf(c)).toEqual(idsOf(a));
      // a stable order: the same order every time
      expect(b.map((r) => r.remoteId)).toEqual(a.map((r) => r.remoteId));
      full[model] = a;
      for (const r of a) {
        expect(r.remoteWasDeleted).toBe(false);
        expect(r.remoteData.length).toBeGreaterThan(0);
        expect(r.remoteData[0].path).toMatch(/^\/crm\/v8\//);
      }
    });
  }

  it('maps fields: accounts (addresses, phones, remote fields incl. the custom Tier)', async () => {
    const acc = full.Account![0];
    expect(acc.remoteId).toMatch(/^\d{19}$/);
    expect(typeof acc.fields.name).toBe('string');
    expect(refId(acc.fields.owner)).toMatch(/^\d+$/);
    expect(acc.remoteCreatedAt).toMatch(/Z$/);
    expect(acc.fields.remote_updated_at).toBe(acc.remoteUpdatedAt);
    const addr = (acc.fields.addresses as { address_type: string; country: string }[])[0];
    expect(addr.address_type).toBe('BILLING');
    expect(addr.country).toMatch(/^[A-Z]{2}$/);
    expect((acc.fields.phone_numbers as unknown[]).length).toBeGreaterThan(0);
    const tier = acc.remoteFields.find((f) => f.remote_field_class.name === 'Tier');
    expect(tier?.remote_field_class).toMatchObject({ is_custom: true, field_type: 'enum', field_choices: ['Gold', 'Silver', 'Bronze'] });
    expect(['Gold', 'Silver', 'Bronze']).toContain(tier?.value);
    expect(acc.remoteFields.some((f) => f.remote_field_class.name === 'Annual_Revenue' && !f.remote_field_class.is_custom)).toBe(true);
    expect(acc.remoteFields.some((f) => f.remote_field_class.name === 'Account_Name')).toBe(false);
  });

  it('maps fields: opportunities (stage relation, status), notes, tasks, engagements, leads, users', async () => {
    const stages = full.Stage!;
    const won = stages.find((s) => s.fields.name === 'Closed Won')!;
    for (const o of full.Opportunity!) {
      const stage = stages.find((s) => s.remoteId === refId(o.fields.stage))!;
      expect(stage).toBeDefined();
      expect(o.fields.status).toBe(stage.fields.name === 'Closed Won' ? 'WON' : stage.fields.name === 'Closed Lost' ? 'LOST' : 'OPEN');
      expect(o.fields.close_date === null || /^\d{4}-\d{2}-\d{2}T00:00:00.000Z$/.test(String(o.fields.close_date))).toBe(true);
    }
    expect(won).toBeDefined();
    for (const n of full.Note!) expect([n.fields.contact, n.fields.account, n.fields.opportunity].filter(Boolean).length).toBe(1);
    for (const t of full.Task!) expect(['OPEN', 'CLOSED']).toContain(t.fields.status);
    const calls = full.Engagement!.filter((e) => refId(e.fields.engagement_type) === 'Calls');
    const meetings = full.Engagement!.filter((e) => refId(e.fields.engagement_type) === 'Events');
    expect(calls.length).toBe((await counts())['sandbox-1:Calls']);
    for (const c of calls) {
      expect(['INBOUND', 'OUTBOUND']).toContain(c.fields.direction);
      expect(Date.parse(String(c.fields.end_time))).toBeGreaterThan(Date.parse(String(c.fields.start_time)));
    }
    for (const m of meetings) expect((m.fields.contacts as RemoteRef[]).every((r) => r.model === 'Contact')).toBe(true);
    expect(full.EngagementType!.map((t) => [t.remoteId, t.fields.activity_type, t.fields.name])).toEqual([
      ['Calls', 'CALL', 'Call'],
      ['Events', 'MEETING', 'Meeting'],
    ]);
    for (const l of full.Lead!) {
      const converted = l.remoteFields.find((f) => f.remote_field_class.name === 'Converted__s')?.value === true;
      expect(refId(l.fields.converted_contact) !== null).toBe(converted);
    }
    for (const l of full.Lead!) expect(['OPEN', 'CLOSED', 'UNQUALIFIED', 'QUALIFIED']).toContain(l.fields.status);
    for (const u of full.User!) {
      expect(u.fields).toMatchObject({ is_active: (u.remoteData[0].data as { status: string }).status === 'active', email: expect.stringContaining('@') });
    }
    expect(full.User!.some((u) => u.fields.is_active === false)).toBe(true);
  });

  it('get and getMany (one batched vendor call for many ids)', async () => {
    const contacts = full.Contact!;
    const one = await zohoAdapter.get(conn, 'Contact', contacts[5].remoteId);
    expect(one?.fields).toEqual(contacts[5].fields);
    expect(await zohoAdapter.get(conn, 'Contact', '3652397003999999999')).toBeNull();
    expect(await zohoAdapter.get(conn, 'Contact', full.Account![0].remoteId)).toBeNull();
    const ids = contacts.slice(0, 40).map((c) => c.remoteId);
    const before = await apiRequests();
    const many = await zohoAdapter.getMany(conn, 'Contact', [...ids, '3652397003999999999']);
    const used = (await apiRequests()) - before - 1; // minus the control call itself? (control calls are not API requests)
    expect(used).toBeLessThanOrEqual(1);
    expect(idsOf(many)).toEqual([...ids].sort());
    // Engagement: calls and meetings in one getMany (one call per module)
    const eng = full.Engagement!;
    const mixed = [eng[0].remoteId, eng[eng.length - 1].remoteId];
    expect(idsOf(await zohoAdapter.getMany(conn, 'Engagement', mixed))).toEqual([...mixed].sort());
    expect((await zohoAdapter.get(conn, 'Engagement', eng[eng.length - 1].remoteId))?.fields.engagement_type).toEqual({ model: 'EngagementType', remoteId: 'Events' });
    for (const model of ['User', 'Stage', 'EngagementType'] as ModelName[]) {
      const rec = full[model]![1];
      expect((await zohoAdapter.get(conn, model, rec.remoteId))?.fields).toEqual(rec.fields);
      expect(idsOf(await zohoAdapter.getMany(conn, model, [rec.remoteId, full[model]![0].remoteId]))).toEqual(idsOf([rec, full[model]![0]]));
    }
  });
});

/** Walks with the filter at pageSize 7 and 1 and compares with the full walk filtered by `pred`. */
async function expectFilter(model: ModelName, filters: ListFilters, pred: (r: RemoteRecord) => boolean, minHits = 1): Promise<RemoteRecord[]> {
  const expected = idsOf(full[model]!.filter(pred));
  expect(expected.length).toBeGreaterThanOrEqual(minHits);
  const got7 = await walk(model, 7, filters);
  expect(idsOf(got7)).toEqual(expected);
  const got1 = await walk(model, 1, filters);
  expect(idsOf(got1)).toEqual(expected);
  return got7;
}

const rel = (field: string, id: string) => (r: RemoteRecord) => {
  const v = r.fields[field];
  return Array.isArray(v) ? (v as RemoteRef[]).some((x) => x.remoteId === id) : refId(v) === id;
};
const mostCommon = (records: RemoteRecord[], field: string): string => {
  const n = new Map<string, number>();
  for (const r of records) {
    const id = refId(r.fields[field]);
    if (id) n.set(id, (n.get(id) ?? 0) + 1);
  }
  return [...n].sort((a, b) => b[1] - a[1])[0][0];
};
const emailsOf = (r: RemoteRecord) => ((r.fields.email_addresses ?? []) as { email_address: string }[]).map((e) => e.email_address.toLowerCase());
const phonesOf = (r: RemoteRecord) => ((r.fields.phone_numbers ?? []) as { phone_number: string }[]).map((p) => p.phone_number.replace(/\D/g, ''));

describe('zoho adapter: filters', () => {
  it('relation filters on every model that has them', async () => {
    for (const [model, field] of RELATION_FILTER_CASES) {
      const id = mostCommon(full[model]!, field);
      await expectFilter(model, { relations: { [field]: id } }, rel(field, id));
    }
    // an id that matches nothing
    expect(await walk('Contact', 7, { relations: { account: '3652397002999999999' } })).toEqual([]);
  });

  it('lead conversion relations', async () => {
    const converted = full.Lead!.filter((l) => refId(l.fields.converted_account));
    for (const l of converted.slice(0, 2)) {
      await expectFilter('Lead', { relations: { converted_account: refId(l.fields.converted_account)! } }, rel('converted_account', refId(l.fields.converted_account)!));
      await expectFilter('Lead', { relations: { converted_contact: refId(l.fields.converted_contact)! } }, rel('converted_contact', refId(l.fields.converted_contact)!));
    }
  });

  it('strings, email and phone', async () => {
    const name = String(full.Account![0].fields.name).split(' ')[1] ?? String(full.Account![0].fields.name);
    await expectFilter('Account', { strings: { name: name.toLowerCase() } }, (r) => String(r.fields.name).toLowerCase().includes(name.toLowerCase()));
    const user = full.User![2];
    await expectFilter('User', { strings: { email: String(user.fields.email).toUpperCase() } }, (r) => r.remoteId === user.remoteId);
    for (const model of ['Contact', 'Lead'] as ModelName[]) {
      const withEmail = full[model]!.find((r) => emailsOf(r).length)!;
      const email = emailsOf(withEmail)[0];
      await expectFilter(model, { email: email.toUpperCase() }, (r) => emailsOf(r).includes(email));
      const withPhone = full[model]!.find((r) => phonesOf(r).length)!;
      const phone = (withPhone.fields.phone_numbers as { phone_number: string }[])[0].phone_number;
      await expectFilter(model, { phone }, (r) => phonesOf(r).includes(phone.replace(/\D/g, '')));
    }
  });

  it('enums: opportunity status', async () => {
    for (const status of ['OPEN', 'WON', 'LOST']) {
      await expectFilter('Opportunity', { enums: { status } }, (r) => r.fields.status === status, 0);
    }
    expect(full.Opportunity!.filter((r) => r.fields.status === 'OPEN').length).toBeGreaterThan(0);
  });

  it('created and modified ranges, remote_created_after and engagement start times', async () => {
    const sorted = (xs: (string | null)[]) => xs.filter((x): x is string => Boolean(x)).sort();
    const created = sorted(full.Contact!.map((r) => r.remoteCreatedAt));
    const lo = new Date(created[10]);
    const hi = new Date(created[40]);
    await expectFilter('Contact', { createdAfter: lo }, (r) => r.remoteCreatedAt! > lo.toISOString());
    await expectFilter('Contact', { createdAfter: lo, createdBefore: hi }, (r) => r.remoteCreatedAt! > lo.toISOString() && r.remoteCreatedAt! < hi.toISOString());
    const modified = sorted(full.Contact!.map((r) => r.remoteUpdatedAt));
    const mlo = new Date(modified[20]);
    const mhi = new Date(modified[50]);
    await expectFilter('Contact', { modifiedAfter: mlo }, (r) => r.remoteUpdatedAt! > mlo.toISOString());
    await expectFilter('Contact', { modifiedBefore: mhi }, (r) => r.remoteUpdatedAt! < mhi.toISOString());
    await expectFilter('Account', { modifiedAfter: new Date(sorted(full.Account!.map((r) => r.remoteUpdatedAt))[5]), relations: { owner: mostCommon(full.Account!, 'owner') } }, (r) =>
      r.remoteUpdatedAt! > new Date(sorted(full.Account!.map((x) => x.remoteUpdatedAt))[5]).toISOString() && refId(r.fields.owner) === mostCommon(full.Account!, 'owner'), 0);
    const ocreated = sorted(full.Opportunity!.map((r) => r.remoteCreatedAt));
    const olo = new Date(ocreated[4]);
    await expectFilter('Opportunity', { datetimes: { remote_created_at: { gt: olo } } }, (r) => r.remoteCreatedAt! > olo.toISOString());
    const starts = sorted(full.Engagement!.map((r) => r.fields.start_time as string));
    const slo = new Date(starts[5]);
    const shi = new Date(starts[20]);
    await expectFilter('Engagement', { datetimes: { start_time: { gt: slo } } }, (r) => String(r.fields.start_time) > slo.toISOString());
    await expectFilter('Engagement', { datetimes: { start_time: { gt: slo, lt: shi } } }, (r) => String(r.fields.start_time) > slo.toISOString() && String(r.fields.start_time) < shi.toISOString());
  });

  it('remoteId', async () => {
    for (const model of ALL_MODELS) {
      const target = full[model]![1];
      const got = await walk(model, 7, { remoteId: target.remoteId });
      expect(idsOf(got)).toEqual([target.remoteId]);
    }
    expect(await walk('Contact', 7, { remoteId: '3652397003999999999' })).toEqual([]);
  });
});

describe('zoho adapter: writes', () => {
  const stamp = Date.now().toString(36);
  const W: { model: ModelName; create: () => Record<string, unknown>; update: Record<string, unknown>; remote: [string, unknown, unknown] }[] = [
    {
      model: 'Account',
      create: () => ({ name: `Zed Corp ${stamp}`, website: 'https://zed.example', number_of_employees: 42, owner: full.User![1].remoteId, addresses: [{ street_1: '1 Main St', street_2: null, city: 'Berlin', state: null, postal_code: '10115', country: 'DE', address_type: 'BILLING' }], phone_numbers: [{ phone_number: '+49 30 1234', phone_number_type: 'PHONE' }] }),
      update: { name: `Zed Corp ${stamp} II`, industry: 'Finance' },
      remote: ['Tier', 'Gold', 'Silver'],
    },
    {
      model: 'Contact',
      create: () => ({ first_name: 'Zoe', last_name: `Zed${stamp}`, account: full.Account![0].remoteId, email_addresses: [{ email_address: `zoe.${stamp}@example.com`, email_address_type: 'PRIMARY' }], phone_numbers: [{ phone_number: '555-0100', phone_number_type: 'MOBILE' }] }),
      get update() {
        return { first_name: 'Zoey', account: full.Account![1].remoteId };
      },
      remote: ['Loyalty_Score', 17, 99],
    },
    {
      model: 'Lead',
      create: () => ({ first_name: 'Lee', last_name: `Lead${stamp}`, company: 'Acme', title: 'CTO', status: 'QUALIFIED', lead_source: 'Web', email_addresses: [{ email_address: `lee.${stamp}@example.com`, email_address_type: 'PRIMARY' }] }),
      update: { status: 'UNQUALIFIED', company: 'Acme 2' },
      remote: ['Website', 'https://lee.example', 'https://lee2.example'],
    },
    {
      model: 'Opportunity',
      create: () => ({ name: `Deal ${stamp}`, amount: 1234.5, account: full.Account![0].remoteId, stage: full.Stage![0].remoteId, close_date: '2026-12-31T00:00:00.000Z' }),
      get update() {
        return { status: 'WON', stage: full.Stage!.find((s) => s.fields.name === 'Closed Won')!.remoteId };
      },
      remote: ['Type', 'New Business', 'Existing Business'],
    },
    {
      model: 'Note',
      create: () => ({ content: `Note ${stamp}`, contact: full.Contact![0].remoteId }),
      update: { content: `Note ${stamp} edited` },
      remote: ['Note_Title', 'Title A', 'Title B'],
    },
    {
      model: 'Task',
      create: () => ({ subject: `Task ${stamp}`, content: 'do it', status: 'OPEN', due_date: '2026-12-01T00:00:00.000Z', contact: full.Contact![0].remoteId, opportunity: full.Opportunity![0].remoteId }),
      update: { status: 'CLOSED' },
      remote: ['Priority', 'High', 'Low'],
    },
    {
      model: 'Engagement',
      create: () => ({ subject: `Call ${stamp}`, engagement_type: 'Calls', direction: 'INBOUND', start_time: '2026-01-05T10:00:00.000Z', end_time: '2026-01-05T10:05:00.000Z', contacts: [full.Contact![0].remoteId], account: full.Account![0].remoteId }),
      update: { direction: 'OUTBOUND', subject: `Call ${stamp} b` },
      remote: ['Call_Purpose', 'Demo', 'Negotiation'],
    },
    {
      model: 'Engagement',
      create: () => ({ subject: `Meeting ${stamp}`, engagement_type: 'Events', start_time: '2026-01-06T10:00:00.000Z', end_time: '2026-01-06T11:00:00.000Z', contacts: [full.Contact![0].remoteId, full.Contact![1].remoteId] }),
      update: { end_time: '2026-01-06T12:00:00.000Z' },
      remote: ['Venue', 'Room 1', 'Room 2'],
    },
  ];
  /** Common write values: relations as RemoteRef. */
  const asInput = (model: ModelName, v: Record<string, unknown>) => {
    const refs: Record<string, ModelName> = { owner: 'User', account: 'Account', contact: 'Contact', opportunity: 'Opportunity', stage: 'Stage', engagement_type: 'EngagementType' };
    const out: Record<string, any> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'contacts') out[k] = (x as string[]).map((remoteId) => ({ model: 'Contact', remoteId }));
      else if (refs[k] && typeof x === 'string') out[k] = { model: refs[k], remoteId: x };
      else out[k] = x;
    }
    void model;
    return out;
  };
  const remoteValue = (r: RemoteRecord, name: string) => r.remoteFields.find((f) => f.remote_field_class.name === name)?.value;
  const expectFields = (r: RemoteRecord, v: Record<string, unknown>) => {
    for (const [k, x] of Object.entries(asInput(r.model, v))) {
      if (k === 'engagement_type' || k === 'status') continue;
      if (k === 'addresses') expect(r.fields.addresses).toEqual(x);
      else if (k === 'contacts') expect(idsOf((r.fields.contacts as RemoteRef[]).map((c) => ({ remoteId: c.remoteId }) as RemoteRecord))).toEqual(idsOf((x as RemoteRef[]).map((c) => ({ remoteId: c.remoteId }) as RemoteRecord)));
      else if (k === 'email_addresses' || k === 'phone_numbers') expect(r.fields[k]).toEqual(x);
      else if (typeof x === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(x)) expect(r.fields[k]).toBe(new Date(x).toISOString());
      else expect(r.fields[k]).toEqual(x);
    }
  };

  for (const w of W) {
    it(`${w.model} (${w.remote[0]}): create -> get -> update -> delete, remote fields written and read back`, async () => {
      const [rf, v1, v2] = w.remote;
      const created = await zohoAdapter.create(conn, w.model, { fields: asInput(w.model, w.create()), remoteFields: [{ remote_field_class: rf, value: v1 }] });
      expect(created.remoteId).toMatch(/^\d+$/);
      expectFields(created, w.create());
      expect(remoteValue(created, rf)).toEqual(v1);
      if ('status' in w.create()) expect(created.fields.status).toBe(w.create().status);
      const got = await zohoAdapter.get(conn, w.model, created.remoteId);
      expect(got?.fields).toEqual(created.fields);
      const updated = await zohoAdapter.update(conn, w.model, created.remoteId, { fields: asInput(w.model, w.update), remoteFields: [{ remote_field_class: rf, value: v2 }] });
      expectFields(updated, w.update);
      if ('status' in w.update) expect(updated.fields.status).toBe(w.update.status);
      expect(remoteValue(updated, rf)).toEqual(v2);
      expect(updated.remoteUpdatedAt! >= created.remoteUpdatedAt!).toBe(true);
      await zohoAdapter.delete(conn, w.model, created.remoteId);
      expect(await zohoAdapter.get(conn, w.model, created.remoteId)).toBeNull();
      await expect(zohoAdapter.delete(conn, w.model, created.remoteId)).rejects.toMatchObject({ kind: 'not_found' });
      await expect(zohoAdapter.update(conn, w.model, created.remoteId, { fields: asInput(w.model, w.update), remoteFields: [] })).rejects.toMatchObject({ kind: 'not_found' });
      // includeDeleted: the deleted record comes back flagged, and only then
      const live = await walk(w.model, 100);
      expect(live.some((r) => r.remoteId === created.remoteId)).toBe(false);
      const withDeleted = await walk(w.model, 7, { includeDeleted: true });
      const gone = withDeleted.filter((r) => r.remoteId === created.remoteId);
      expect(gone).toHaveLength(1);
      expect(gone[0].remoteWasDeleted).toBe(true);
      expect(withDeleted.filter((r) => !r.remoteWasDeleted).length).toBe(live.length);
      expect(await walk(w.model, 7, { remoteId: created.remoteId, includeDeleted: true })).toMatchObject([{ remoteId: created.remoteId, remoteWasDeleted: true }]);
      expect(await walk(w.model, 7, { remoteId: created.remoteId })).toEqual([]);
    });
  }

  it('vendor validation errors surface as VendorError with the vendor message and the common field', async () => {
    const err = await zohoAdapter.create(conn, 'Contact', { fields: { first_name: 'No last name' }, remoteFields: [] }).catch((e) => e);
    expect(err).toMatchObject({ name: 'VendorError', vendor: 'zoho', kind: 'validation', vendorCode: 'MANDATORY_NOT_FOUND', vendorMessage: 'required field not found', fields: ['last_name'] });
    const bad = await zohoAdapter.create(conn, 'Contact', { fields: { last_name: 'X', account: { model: 'Account', remoteId: '3652397002999999999' } }, remoteFields: [] }).catch((e) => e);
    expect(bad).toMatchObject({ kind: 'validation', vendorCode: 'INVALID_DATA', fields: ['account'] });
    const typed = await zohoAdapter.create(conn, 'Contact', { fields: { last_name: 'X' }, remoteFields: [{ remote_field_class: 'Loyalty_Score', value: 'lots' }] }).catch((e) => e);
    expect(typed).toMatchObject({ kind: 'validation', vendorCode: 'INVALID_DATA', fields: ['Loyalty_Score'] });
    const email = emailsOf(full.Contact!.find((c) => emailsOf(c).length)!)[0];
    const dup = await zohoAdapter.create(conn, 'Contact', { fields: { last_name: 'Dup', email_addresses: [{ email_address: email, email_address_type: 'PRIMARY' }] }, remoteFields: [] }).catch((e) => e);
    expect(dup).toMatchObject({ kind: 'duplicate', vendorCode: 'DUPLICATE_DATA' });
  });

  it('an unmapped enum value comes back raw', async () => {
    const call = await zohoAdapter.create(conn, 'Engagement', { fields: { subject: 'missed', engagement_type: { model: 'EngagementType', remoteId: 'Calls' }, direction: 'Missed', start_time: '2026-02-01T09:00:00.000Z' }, remoteFields: [] });
    expect(call.fields.direction).toBe('Missed');
    const lead = await zohoAdapter.create(conn, 'Lead', { fields: { last_name: 'Raw', status: 'Contact in Future' }, remoteFields: [] });
    expect(lead.fields.status).toBe('OPEN');
    const lead2 = await zohoAdapter.update(conn, 'Lead', lead.remoteId, { fields: {}, remoteFields: [{ remote_field_class: 'Lead_Status', value: 'Warm (custom)' }] });
    expect(lead2.fields.status).toBe('Warm (custom)');
    await zohoAdapter.delete(conn, 'Engagement', call.remoteId);
    await zohoAdapter.delete(conn, 'Lead', lead.remoteId);
  });

  it('remote field classes and writable fields', async () => {
    const classes = await zohoAdapter.remoteFieldClasses(conn, 'Contact');
    expect(classes.find((c) => c.name === 'Loyalty_Score')).toMatchObject({ is_custom: true, field_type: 'number', is_required: false });
    expect(classes.find((c) => c.name === 'Last_Name')).toMatchObject({ is_custom: false, is_required: true });
    const eng = await zohoAdapter.remoteFieldClasses(conn, 'Engagement');
    expect(eng.some((c) => c.name === 'Call_Type') && eng.some((c) => c.name === 'Venue')).toBe(true);
    expect(zohoAdapter.writableFields('Contact', 'create')).toContainEqual({ field: 'last_name', required: true });
    expect(zohoAdapter.writableFields('Contact', 'update')).toContainEqual({ field: 'last_name', required: false });
    expect(zohoAdapter.writableFields('Opportunity', 'create')).toContainEqual({ field: 'stage', required: true });
    expect(zohoAdapter.writableFields('Engagement', 'create')).toEqual(expect.arrayContaining([{ field: 'subject', required: true }, { field: 'start_time', required: true }, { field: 'end_time', required: false }]));
    expect(zohoAdapter.writableFields('User', 'create')).toEqual([]);
  });
});

describe('zoho adapter: records modified during a paged walk', () => {
  /** Walks while the emulator creates, updates and deletes records between pages. */
  async function mutatingWalk(model: ModelName, object: string, pageSize: number, filters: ListFilters, pred: (r: RemoteRecord) => boolean) {
    const before = await walk(model, 100, filters);
    const touched = new Set<string>();
    const got = await walk(model, pageSize, filters, async (page) => {
      if (page % 2 === 1) return;
      const res = await control('POST', '/__sandbox/mutate', { object, create: 2, update: 4, delete: page === 2 ? 1 : 0 });
      for (const id of [...res.created, ...res.updated, ...res.deleted]) touched.add(id);
    });
    // walk() already asserted: each record at most once. No untouched record may be skipped.
    const gotIds = new Set(got.map((r) => r.remoteId));
    const untouched = before.filter((r) => !touched.has(r.remoteId));
    expect(untouched.length).toBeGreaterThan(0);
    for (const r of untouched) expect(gotIds.has(r.remoteId)).toBe(true);
    // Everything returned matches the filter as read.
    for (const r of got) expect(pred(r)).toBe(true);
    expect(touched.size).toBeGreaterThan(0);
  }

  it('list API walk (contacts, no filter) and with modified-after', async () => {
    await mutatingWalk('Contact', 'Contacts', 7, {}, () => true);
    const since = new Date(Date.parse(full.Contact!.map((r) => r.remoteUpdatedAt!).sort()[30]));
    await mutatingWalk('Contact', 'Contacts', 5, { modifiedAfter: since }, (r) => r.remoteUpdatedAt! > since.toISOString());
  });

  it('search walk (opportunities by status, stages change underneath)', async () => {
    await mutatingWalk('Opportunity', 'Deals', 2, { enums: { status: 'OPEN' } }, (r) => r.fields.status === 'OPEN');
    const owner = mostCommon(full.Task!, 'owner');
    await mutatingWalk('Task', 'Tasks', 3, { relations: { owner } }, (r) => refId(r.fields.owner) === owner);
  });

  it('engagements across both modules', async () => {
    await mutatingWalk('Engagement', 'Calls', 4, {}, () => true);
  });
});

describe('zoho adapter: past record 2,000', () => {
  let big: RunningEmulator;
  let bigConn: VendorConnection;
  beforeAll(async () => {
    big = await startStandalone(createZohoEmulator({ seed: 5, contacts: 2300 }));
    const tok = (await (await fetch(`${big.url}/__sandbox/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { api_domain: string; access_token: string };
    bigConn = new VendorHttpClient({ maxAttempts: 2 }).connection({ vendor: 'zoho', linkedAccountId: 'big', apiBaseUrl: tok.api_domain, auth: zohoAdapter.auth, tokens: staticTokenSource(tok.access_token) });
  });
  afterAll(async () => {
    await big?.close();
  });

  async function bigWalk(filters: ListFilters): Promise<string[]> {
    const ids: string[] = [];
    let state = null;
    do {
      const page = await zohoAdapter.list(bigConn, 'Contact', { pageSize: 100, state, filters });
      expect(page.records.length).toBeLessThanOrEqual(100);
      if (page.nextState) expect(JSON.stringify(page.nextState).length).toBeLessThan(300);
      ids.push(...page.records.map((r) => r.remoteId));
      state = page.nextState;
    } while (state);
    expect(new Set(ids).size).toBe(ids.length);
    return ids;
  }

  it('the list API pages on with page_token and the search keyset passes the 2,000-result cap', async () => {
    const total = ((await (await fetch(`${big.url}/__sandbox`)).json()) as { counts: Record<string, number> }).counts['sandbox-1:Contacts'];
    expect(total).toBeGreaterThan(2000);
    const listed = await bigWalk({});
    expect(listed.length).toBe(total);
    // createdAfter far in the past: a search (criteria) walk over every contact
    const searched = await bigWalk({ createdAfter: new Date('2000-01-01T00:00:00Z') });
    expect(searched).toEqual(listed);
  });
});

describe('zoho adapter: recycle bin walk', () => {
  // An emulator of its own: no deletions of other tests in the bin, 400 contacts so that the bin
  // can hold more than one vendor page (200) of entries.
  let bin: RunningEmulator;
  let binConn: VendorConnection;
  const binControl = async (path: string, body: unknown): Promise<any> =>
    (await fetch(bin.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
  const deleteContacts = async (n: number): Promise<string[]> => (await binControl('/__sandbox/mutate', { object: 'Contacts', create: 0, update: 0, delete: n })).deleted;
  const binWalk = (pageSize: number, filters: ListFilters, between?: (page: number) => Promise<void>, on?: VendorConnection) => walk('Contact', pageSize, filters, between, on ?? binConn);
  const goneIds = (records: RemoteRecord[]) => records.filter((r) => r.remoteWasDeleted).map((r) => r.remoteId);
  beforeAll(async () => {
    bin = await startStandalone(createZohoEmulator({ seed: 7, contacts: 400 }));
    const tok = await binControl('/__sandbox/tokens', {});
    binConn = new VendorHttpClient({ maxAttempts: 2 }).connection({ vendor: 'zoho', linkedAccountId: 'bin', apiBaseUrl: tok.api_domain, auth: zohoAdapter.auth, tokens: staticTokenSource(tok.access_token) });
  });
  afterAll(async () => {
    await bin?.close();
  });

  it('deletions sharing one deleted_time come exactly once, in small and large pages, over two vendor pages', async () => {
    // Recycle-bin entries deleted in one call share a deleted_time (Zoho shows seconds) and come
    // in deletion order, not id order, so the walk's position must not rely on either.
    const walkStart = new Date(Date.now() - 1000);
    const deleted = await deleteContacts(12);
    expect(deleted.length).toBe(12);
    const sorted = [...deleted].sort((a, b) => (a.length - b.length) || (a < b ? -1 : a > b ? 1 : 0));
    expect(deleted).not.toEqual(sorted); // ties not in id order, or the test proves nothing
    for (const pageSize of [1, 3, 5, 100]) {
      const got = await binWalk(pageSize, { modifiedAfter: walkStart, includeDeleted: true });
      expect(goneIds(got).sort()).toEqual([...deleted].sort());
    }
    // 250 entries: the bin is two vendor pages, with same-second groups across the page boundary.
    const more = await deleteContacts(238);
    expect(more.length).toBe(238);
    const all = [...deleted, ...more].sort();
    for (const pageSize of [1, 7, 200]) {
      const got = await binWalk(pageSize, { includeDeleted: true });
      expect(goneIds(got).sort()).toEqual(all);
      expect(got.length).toBe(400);
    }
  });

  it('deletions between pages: every earlier one exactly once', async () => {
    const before = new Set(goneIds(await binWalk(200, { includeDeleted: true })));
    expect(before.size).toBeGreaterThan(200);
    // Between pages: new deletions land at the top of the bin (often in the same second); every
    // earlier one still comes exactly once (walk() checks once), later ones at most once.
    const later = new Set<string>();
    const got = await binWalk(2, { includeDeleted: true }, async (page) => {
      if (page > 3) return;
      for (const id of await deleteContacts(3)) later.add(id);
    });
    expect(later.size).toBe(12);
    const gone = new Set(goneIds(got));
    for (const id of before) expect(gone.has(id)).toBe(true);
    for (const id of gone) expect(before.has(id) || later.has(id)).toBe(true);
  });

  it('deletions between the vendor pages one step reads: the second page repeats the end of the first, kept once', async () => {
    const known = new Set(goneIds(await binWalk(200, { includeDeleted: true })));
    expect(known.size).toBeGreaterThan(200);
    const during = new Set<string>();
    const shifting = Object.assign(Object.create(binConn) as VendorConnection, {
      request: async (req: Parameters<VendorConnection['request']>[0]) => {
        const res = await binConn.request(req);
        if (req.path.endsWith('/deleted')) for (const id of await deleteContacts(4)) during.add(id);
        return res;
      },
    });
    const got = await binWalk(150, { includeDeleted: true }, undefined, shifting);
    expect(during.size).toBeGreaterThan(0);
    const gone = new Set(goneIds(got));
    for (const id of known) expect(gone.has(id)).toBe(true);
    for (const id of gone) expect(known.has(id) || during.has(id)).toBe(true);
  });

  it('records deleted while the live records are listed, some of them listed already: each id once', async () => {
    // walk() checks each id comes once; no untouched record may be missed.
    const liveBefore = (await binWalk(200, {})).map((r) => r.remoteId);
    const deletedNow = new Set<string>();
    let liveFetches = 0;
    const deleting = Object.assign(Object.create(binConn) as VendorConnection, {
      request: async (req: Parameters<VendorConnection['request']>[0]) => {
        const res = await binConn.request(req);
        if (req.path.endsWith('/Contacts') && liveFetches++ < 10) for (const id of await deleteContacts(2)) deletedNow.add(id);
        return res;
      },
    });
    const got = await binWalk(5, { includeDeleted: true }, undefined, deleting);
    expect(deletedNow.size).toBe(20);
    const ids = new Set(got.map((r) => r.remoteId));
    for (const id of liveBefore) if (!deletedNow.has(id)) expect(ids.has(id)).toBe(true);
  });

  it('a walk begun before the bin came first (state without v) keeps the old order', async () => {
    // Old states: source 0 the live contacts, source 1 the bin.
    const page = await zohoAdapter.list(binConn, 'Contact', { pageSize: 10, state: { s: 1 }, filters: { includeDeleted: true } });
    expect(page.records.length).toBe(10);
    expect(page.records.every((r) => r.remoteWasDeleted)).toBe(true);
    expect(page.nextState?.v).toBeUndefined();
    const fresh = await zohoAdapter.list(binConn, 'Contact', { pageSize: 10, state: null, filters: { includeDeleted: true } });
    expect(fresh.records.every((r) => r.remoteWasDeleted)).toBe(true);
    expect(fresh.nextState?.v).toBe(2);
    const live = await zohoAdapter.list(binConn, 'Contact', { pageSize: 10, state: { s: 1, v: 2 }, filters: { includeDeleted: true } });
    expect(live.records.length).toBe(10);
    expect(live.records.some((r) => r.remoteWasDeleted)).toBe(false);
  });
});
