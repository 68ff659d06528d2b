import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubspotAdapter } from '../../src/integrations/hubspot';
import { forgetMetadata } from '../../src/integrations/hubspot/metadata';
import { VendorError, type ListFilters, type ParsedTokenSet, type RemoteRecord, type RemoteRef, type TokenEndpointError, type VendorConnection } from '../../src/integrations/contract';
import { VendorHttpClient, staticTokenSource } from '../../src/integrations/http/vendor-http-client';
import { MODEL_NAMES, type ModelName } from '../../src/models/spec';
import { startStandalone, type RunningEmulator } from '../../src/sandbox/common/standalone';
import { createHubspotEmulator } from '../../src/sandbox/hubspot/emulator';
import { modelCounts } from '../support/model-counts';

/**
 * The HubSpot adapter against the HubSpot emulator (seed 3, 60 contacts): every model listed to
 * the end at several page sizes, every filter, batched reads, writes with relations and remote
 * fields, vendor errors, auth answers, and a walk while the CRM is being edited.
 */

let emu: RunningEmulator;
let conn: VendorConnection;
let token: Record<string, unknown>;

const post = async (path: string, body: unknown = {}) =>
  (await fetch(`${emu.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<Record<string, unknown>>;
const control = async () => (await (await fetch(`${emu.url}/__sandbox`)).json()) as { counts: Record<string, number>; apiRequests: number };
const vendorGet = async (path: string) =>
  (await (await fetch(`${emu.url}${path}`, { headers: { authorization: `Bearer ${String(token.access_token)}` } })).json()) as Record<string, unknown>;

/** The emulator's objects counted into the common models (modelCounts); owners and stages read from its API. */
async function vendorCount(model: ModelName): Promise<number> {
  const c = (await control()).counts;
  const active = (await vendorGet('/crm/v3/owners?limit=500')).results as unknown[];
  const inactive = (await vendorGet('/crm/v3/owners?limit=500&archived=true')).results as unknown[];
  const pipelines = (await vendorGet('/crm/v3/pipelines/deals')).results as { stages: unknown[] }[];
  const dataset = {
    accounts: c.companies,
    contacts: c.contacts,
    leads: c.leads,
    deals: c.deals,
    notes: c.notes,
    tasks: c.tasks,
    calls: c.calls,
    meetings: c.meetings,
    emails: c.emails,
    users: active.length + inactive.length,
    stages: pipelines.reduce((n, p) => n + p.stages.length, 0),
  };
  return modelCounts(dataset, ['CALL', 'MEETING', 'EMAIL'])[model];
}

/** Walks a list to the end; checks page sizes, JSON-small states and that no id repeats. */
async function walk(model: ModelName, filters: ListFilters = {}, pageSize = 7, between?: (page: number) => Promise<void>): Promise<RemoteRecord[]> {
  const all: RemoteRecord[] = [];
  let state = null;
  let pages = 0;
  do {
    const page = await hubspotAdapter.list(conn, model, { pageSize, state, filters });
    expect(page.records.length).toBeLessThanOrEqual(pageSize);
    if (page.nextState) {
      expect(page.records.length).toBeGreaterThan(0);
      const json = JSON.stringify(page.nextState);
      expect(JSON.parse(json)).toEqual(page.nextState);
      expect(json.length).toBeLessThan(300);
    }
    all.push(...page.records);
    state = page.nextState;
    pages++;
    if (between) await between(pages);
    expect(pages).toBeLessThan(1000);
  } while (state);
  const ids = all.map((r) => r.remoteId);
  expect(new Set(ids).size).toBe(ids.length);
  return all;
}

const idsOf = (rs: RemoteRecord[]) => rs.map((r) => r.remoteId).sort();
const refId = (v: unknown) => (v as RemoteRef | null)?.remoteId;

beforeAll(async () => {
  forgetMetadata();
  emu = await startStandalone(createHubspotEmulator({ seed: 3, contacts: 60 }));
  token = await post('/__sandbox/tokens');
  const parsed = hubspotAdapter.auth.parseTokenResponse(200, token, {}) as ParsedTokenSet;
  const apiBaseUrl = hubspotAdapter.auth.endpoints({ sandboxBaseUrl: emu.url }).apiBaseUrl as string;
  conn = new VendorHttpClient({ maxAttempts: 2 }).connection({
    vendor: 'hubspot',
    linkedAccountId: 'test',
    apiBaseUrl,
    auth: hubspotAdapter.auth,
    tokens: staticTokenSource(parsed.accessToken),
    retryDelayMs: hubspotAdapter.auth.retryDelayMs,
  });
});

afterAll(async () => {
  await emu?.close();
});

describe('auth', () => {
  it('parses the emulator token answer and identifies the portal', async () => {
    const parsed = hubspotAdapter.auth.parseTokenResponse(200, token, {}) as ParsedTokenSet;
    expect(parsed.accessToken).toBe(token.access_token);
    expect(parsed.refreshToken).toBe(token.refresh_token);
    expect(parsed.expiresInSeconds).toBe(1800);
    expect(parsed.remoteAccountId).toBe('146000101');
    const who = await hubspotAdapter.auth.identify(conn, parsed);
    expect(who).toEqual({ remoteAccountId: '146000101', displayName: 'switchboard-sandbox-a.hubspot.com' });
  });

  it('keeps the refresh token when a refresh answer has none, and detects a dead refresh token', async () => {
    const refreshed = hubspotAdapter.auth.parseTokenResponse(200, { access_token: 'C146000101x', expires_in: 1800, token_type: 'bearer' }, {}) as ParsedTokenSet;
    expect(refreshed.accessToken).toBe('C146000101x');
    expect(refreshed.refreshToken).toBeUndefined();
    const { tokenUrl } = hubspotAdapter.auth.endpoints({ sandboxBaseUrl: emu.url });
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'na1-dead', client_id: 'sandbox-client', client_secret: 's' }).toString(),
    });
    const err = hubspotAdapter.auth.parseTokenResponse(res.status, await res.json(), {}) as TokenEndpointError;
    expect(err).toMatchObject({ error: 'BAD_REFRESH_TOKEN', invalidGrant: true });
    expect(err.description).toBe('missing or invalid refresh token');
  });
});

describe('lists', () => {
  it.each(MODEL_NAMES)('%s: every record exactly once at page sizes 1, 7 and 100', async (model) => {
    const expected = await vendorCount(model);
    expect(expected).toBeGreaterThan(0);
    const reference = idsOf(await walk(model, {}, 100));
    expect(reference.length).toBe(expected);
    expect(idsOf(await walk(model, {}, 7))).toEqual(reference);
    expect(idsOf(await walk(model, {}, 1))).toEqual(reference);
  });

  it('maps records as HubSpot holds them', async () => {
    const raw = (await vendorGet('/crm/v3/objects/contacts/100000000000?properties=firstname,lastname,email,loyalty_score,country')) as { properties: Record<string, string> };
    const contact = (await hubspotAdapter.get(conn, 'Contact', '100000000000')) as RemoteRecord;
    expect(contact.fields.first_name).toBe(raw.properties.firstname);
    expect(contact.fields.last_name).toBe(raw.properties.lastname);
    expect(contact.fields.email_addresses).toEqual([{ email_address: raw.properties.email, email_address_type: 'PRIMARY' }]);
    expect(contact.remoteFields.find((f) => f.remote_field_class.name === 'loyalty_score')).toMatchObject({
      remote_field_class: { is_custom: true, field_type: 'number' },
      value: raw.properties.loyalty_score,
    });
    expect(contact.remoteData[0].path).toBe('/crm/v3/objects/contacts/100000000000');
    const assoc = (await vendorGet('/crm/v4/objects/contacts/100000000000/associations/companies')) as { results: { toObjectId: number }[] };
    expect(refId(contact.fields.account)).toBe(String(assoc.results[0].toObjectId));

    const deals = await walk('Opportunity', {}, 100);
    for (const d of deals) {
      const stage = refId(d.fields.stage);
      expect(d.fields.status).toBe(stage === 'closedwon' ? 'WON' : stage === 'closedlost' ? 'LOST' : 'OPEN');
    }
    const tasks = await walk('Task', {}, 100);
    expect(new Set(tasks.map((t) => t.fields.status))).toEqual(new Set(['OPEN', 'CLOSED']));
    const engagements = await walk('Engagement', {}, 100);
    expect(new Set(engagements.map((e) => refId(e.fields.engagement_type)))).toEqual(new Set(['call', 'meeting', 'email']));
    for (const e of engagements) expect(Array.isArray(e.fields.contacts)).toBe(true);
  });
});

describe('filters', () => {
  /** Filtered walk equals the unfiltered walk narrowed by `keep`, and is not empty. */
  async function check(model: ModelName, filters: ListFilters, keep: (r: RemoteRecord) => boolean, pageSize = 7) {
    const all = await walk(model, {}, 100);
    const expected = idsOf(all.filter(keep));
    expect(expected.length).toBeGreaterThan(0);
    expect(idsOf(await walk(model, filters, pageSize))).toEqual(expected);
    return expected;
  }
  const median = (values: (string | null)[]) => {
    const sorted = values.filter((v): v is string => !!v).sort();
    return new Date(sorted[Math.floor(sorted.length / 2)]);
  };

  it('created / modified ranges and remoteId on every object model', async () => {
    for (const model of ['Account', 'Contact', 'Lead', 'Opportunity', 'Note', 'Task', 'Engagement'] as const) {
      const all = await walk(model, {}, 100);
      const m = median(all.map((r) => r.remoteUpdatedAt));
      await check(model, { modifiedAfter: m }, (r) => Date.parse(r.remoteUpdatedAt as string) > m.getTime());
      await check(model, { modifiedBefore: m }, (r) => Date.parse(r.remoteUpdatedAt as string) < m.getTime());
      const created = [...new Set(all.map((r) => r.remoteCreatedAt as string))].sort();
      const c = new Date(created[Math.floor(created.length / 2)]);
      await check(model, { createdAfter: new Date(0), createdBefore: new Date(c.getTime() + 1) }, (r) => Date.parse(r.remoteCreatedAt as string) <= c.getTime());
      const pick = all[Math.floor(all.length / 2)];
      expect(idsOf(await walk(model, { remoteId: pick.remoteId }))).toEqual([pick.remoteId]);
    }
  });

  it('Account: owner and name (contains)', async () => {
    const all = await walk('Account', {}, 100);
    const owner = refId(all[0].fields.owner) as string;
    await check('Account', { relations: { owner } }, (r) => refId(r.fields.owner) === owner);
    const word = String(all[1].fields.name).split(' ')[0].slice(1, 4);
    await check('Account', { strings: { name: word } }, (r) => String(r.fields.name).toLowerCase().includes(word.toLowerCase()), 2);
    const twoWords = String(all[1].fields.name);
    await check('Account', { strings: { name: twoWords } }, (r) => String(r.fields.name).toLowerCase().includes(twoWords.toLowerCase()), 1);
  });

  it('Contact: account, email and phone', async () => {
    const all = await walk('Contact', {}, 100);
    const account = refId(all[3].fields.account) as string;
    const viaAccount = await check('Contact', { relations: { account } }, (r) => refId(r.fields.account) === account, 1);
    expect(viaAccount.length).toBeGreaterThan(1);
    const email = (all[5].fields.email_addresses as { email_address: string }[])[0].email_address;
    await check('Contact', { email: email.toUpperCase() }, (r) => r.remoteId === all[5].remoteId);
    const mobile = (all[6].fields.phone_numbers as { phone_number: string; phone_number_type: string }[]).find((p) => p.phone_number_type === 'MOBILE')!.phone_number;
    await check('Contact', { phone: mobile }, (r) => (r.fields.phone_numbers as { phone_number: string }[]).some((p) => p.phone_number === mobile));
  });

  it('Lead: owner, status, email, phone, converted account and contact', async () => {
    const all = await walk('Lead', {}, 100);
    const owner = refId(all[0].fields.owner) as string;
    await check('Lead', { relations: { owner } }, (r) => refId(r.fields.owner) === owner);
    const withEmail = all.find((r) => (r.fields.email_addresses as unknown[]).length)!;
    const email = (withEmail.fields.email_addresses as { email_address: string }[])[0].email_address;
    await check('Lead', { email }, (r) => (r.fields.email_addresses as { email_address: string }[]).some((e) => e.email_address === email));
    const phone = (withEmail.fields.phone_numbers as { phone_number: string }[])[0].phone_number;
    await check('Lead', { phone }, (r) => (r.fields.phone_numbers as { phone_number: string }[]).some((p) => p.phone_number === phone));
    const converted = all.find((r) => r.fields.status === 'QUALIFIED' && r.fields.converted_account);
    expect(converted).toBeDefined();
    const acc = refId(converted!.fields.converted_account) as string;
    await check('Lead', { relations: { converted_account: acc } }, (r) => refId(r.fields.converted_account) === acc);
    const con = refId(converted!.fields.converted_contact) as string;
    await check('Lead', { relations: { converted_contact: con } }, (r) => refId(r.fields.converted_contact) === con);
  });

  it('Opportunity: account, owner, stage, status, remote_created_after', async () => {
    const all = await walk('Opportunity', {}, 100);
    const account = refId(all.find((r) => r.fields.account)!.fields.account) as string;
    await check('Opportunity', { relations: { account } }, (r) => refId(r.fields.account) === account);
    const owner = refId(all[0].fields.owner) as string;
    await check('Opportunity', { relations: { owner } }, (r) => refId(r.fields.owner) === owner);
    const stage = refId(all[2].fields.stage) as string;
    await check('Opportunity', { relations: { stage } }, (r) => refId(r.fields.stage) === stage);
    for (const status of ['OPEN', 'WON', 'LOST']) {
      if (all.some((r) => r.fields.status === status)) await check('Opportunity', { enums: { status } }, (r) => r.fields.status === status, 3);
    }
    const created = [...new Set(all.map((r) => r.remoteCreatedAt as string))].sort();
    const gt = new Date(created[Math.floor(created.length / 2)]);
    const after = all.filter((r) => Date.parse(r.remoteCreatedAt as string) > gt.getTime());
    expect(idsOf(await walk('Opportunity', { datetimes: { remote_created_at: { gt } } }))).toEqual(idsOf(after));
  });

  it('Note and Task: account, contact, opportunity, owner', async () => {
    for (const model of ['Note', 'Task'] as const) {
      const all = await walk(model, {}, 100);
      for (const [field, id] of [
        ['account', refId(all.find((r) => r.fields.account)?.fields.account)],
        ['contact', refId(all.find((r) => r.fields.contact)?.fields.contact)],
        ['opportunity', refId(all.find((r) => r.fields.opportunity)?.fields.opportunity)],
        ['owner', refId(all[0].fields.owner)],
      ] as const) {
        expect(id).toBeDefined();
        await check(model, { relations: { [field]: id as string } }, (r) => refId(r.fields[field]) === id, 2);
      }
    }
  });

  it('Engagement: started after / before across calls, meetings and emails', async () => {
    const all = await walk('Engagement', {}, 100);
    const m = median(all.map((r) => r.fields.start_time as string));
    await check('Engagement', { datetimes: { start_time: { gt: m } } }, (r) => Date.parse(r.fields.start_time as string) > m.getTime(), 5);
    await check('Engagement', { datetimes: { start_time: { lt: m } } }, (r) => Date.parse(r.fields.start_time as string) < m.getTime(), 5);
  });

  it('User: email', async () => {
    const all = await walk('User', {}, 100);
    const email = all[1].fields.email as string;
    await check('User', { strings: { email } }, (r) => r.fields.email === email, 1);
  });
});

describe('reads by id', () => {
  it('get and one batched call for many ids', async () => {
    const contacts = await walk('Contact', {}, 100);
    const ids = contacts.slice(10, 40).map((r) => r.remoteId);
    await hubspotAdapter.getMany(conn, 'Contact', ids.slice(0, 1)); // metadata cached
    const before = (await control()).apiRequests;
    const many = await hubspotAdapter.getMany(conn, 'Contact', [...ids, '100000099999']);
    const calls = (await control()).apiRequests - before;
    expect(many.map((r) => r.remoteId)).toEqual(ids);
    expect(calls).toBeLessThanOrEqual(2); // batch/read + associations batch read
    expect(many[3]).toEqual(contacts[13]);
    expect(await hubspotAdapter.get(conn, 'Contact', ids[0])).toEqual(contacts[10]);
    expect(await hubspotAdapter.get(conn, 'Contact', '100000099999')).toBeNull();

    const engagements = await walk('Engagement', {}, 100);
    const mixed = [engagements[0], engagements[20], engagements[40]].map((r) => r.remoteId);
    expect((await hubspotAdapter.getMany(conn, 'Engagement', mixed)).map((r) => r.remoteId)).toEqual(mixed);
    expect((await hubspotAdapter.getMany(conn, 'User', ['41000001'])).map((r) => r.remoteId)).toEqual(['41000001']);
    expect((await hubspotAdapter.get(conn, 'Stage', 'closedwon'))?.fields.name).toBe('Closed Won');
    expect((await hubspotAdapter.get(conn, 'EngagementType', 'meeting'))?.fields).toEqual({ activity_type: 'MEETING', name: 'Meeting' });
  });

  it('remote field classes from the vendor metadata, custom ones included', async () => {
    const classes = await hubspotAdapter.remoteFieldClasses(conn, 'Account');
    expect(classes.find((c) => c.name === 'tier')).toMatchObject({ is_custom: true, field_type: 'enum', field_choices: ['Gold', 'Silver', 'Bronze'] });
    expect(classes.find((c) => c.name === 'name')).toMatchObject({ is_custom: false });
    const deals = await hubspotAdapter.remoteFieldClasses(conn, 'Opportunity');
    expect(deals.find((c) => c.name === 'dealname')?.is_required).toBe(true);
    expect(hubspotAdapter.writableFields('Opportunity', 'create')).toContainEqual({ field: 'name', required: true });
    expect(hubspotAdapter.writableFields('User', 'create')).toEqual([]);
  });
});

describe('writes', () => {
  const custom = (r: RemoteRecord, name: string) => r.remoteFields.find((f) => f.remote_field_class.name === name)?.value;

  it('Account and Contact: create, get, update, delete with custom fields and relations', async () => {
    const account = await hubspotAdapter.create(conn, 'Account', {
      fields: { name: 'Switchboard Test Co', industry: 'Software', number_of_employees: 42, addresses: [{ street_1: '1 Main St', street_2: null, city: 'Berlin', state: null, postal_code: '10115', country: 'DE', address_type: 'BILLING' }] },
      remoteFields: [{ remote_field_class: 'tier', value: 'Gold' }],
    });
    expect(account.fields).toMatchObject({ name: 'Switchboard Test Co', number_of_employees: 42 });
    expect((account.fields.addresses as { country: string }[])[0].country).toBe('DE');
    expect(custom(account, 'tier')).toBe('Gold');
    expect(await hubspotAdapter.get(conn, 'Account', account.remoteId)).toEqual(account);

    const contact = await hubspotAdapter.create(conn, 'Contact', {
      fields: {
        first_name: 'Grace',
        last_name: 'Hopper',
        account: { model: 'Account', remoteId: account.remoteId },
        email_addresses: [{ email_address: 'grace@switchboard-test.example', email_address_type: 'PRIMARY' }],
        phone_numbers: [{ phone_number: '+49 30 1234', phone_number_type: 'MOBILE' }],
      },
      remoteFields: [{ remote_field_class: 'loyalty_score', value: 77 }],
    });
    expect(refId(contact.fields.account)).toBe(account.remoteId);
    expect(contact.fields.phone_numbers).toEqual([{ phone_number: '+49 30 1234', phone_number_type: 'MOBILE' }]);
    expect(custom(contact, 'loyalty_score')).toBe('77');
    expect(idsOf(await walk('Contact', { relations: { account: account.remoteId } }))).toEqual([contact.remoteId]);

    const other = (await walk('Account', {}, 3))[0];
    const updated = await hubspotAdapter.update(conn, 'Contact', contact.remoteId, {
      fields: { last_name: 'Hopper-Murray', account: { model: 'Account', remoteId: other.remoteId } },
      remoteFields: [{ remote_field_class: 'loyalty_score', value: 80 }],
    });
    expect(updated.fields.last_name).toBe('Hopper-Murray');
    expect(refId(updated.fields.account)).toBe(other.remoteId);
    expect(custom(updated, 'loyalty_score')).toBe('80');
    expect(Date.parse(updated.remoteUpdatedAt as string)).toBeGreaterThanOrEqual(Date.parse(contact.remoteUpdatedAt as string));

    // Duplicate email: HubSpot's 409 CONFLICT.
    const dup = await hubspotAdapter
      .create(conn, 'Contact', { fields: { email_addresses: [{ email_address: 'grace@switchboard-test.example', email_address_type: null }] }, remoteFields: [] })
      .catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(VendorError);
    expect(dup).toMatchObject({ kind: 'duplicate', status: 409, vendorCode: 'CONFLICT' });
    expect((dup as VendorError).vendorMessage).toContain(`Existing ID: ${contact.remoteId}`);

    // Delete, then includeDeleted shows it as deleted.
    const liveBefore = (await walk('Contact', {}, 100)).length;
    await hubspotAdapter.delete(conn, 'Contact', contact.remoteId);
    expect(await hubspotAdapter.get(conn, 'Contact', contact.remoteId)).toBeNull();
    const live = await walk('Contact', {}, 7);
    expect(live.length).toBe(liveBefore - 1);
    expect(live.some((r) => r.remoteId === contact.remoteId)).toBe(false);
    const withDeleted = await walk('Contact', { includeDeleted: true }, 7);
    expect(withDeleted.length).toBe(liveBefore);
    expect(withDeleted.find((r) => r.remoteId === contact.remoteId)).toMatchObject({ remoteWasDeleted: true, fields: { last_name: 'Hopper-Murray' } });
    const deletedOnly = await walk('Contact', { includeDeleted: true, remoteId: contact.remoteId }, 7);
    expect(deletedOnly.map((r) => [r.remoteId, r.remoteWasDeleted])).toEqual([[contact.remoteId, true]]);
    const filteredDeleted = await walk('Contact', { includeDeleted: true, modifiedAfter: new Date(Date.now() - 3_600_000) }, 2);
    expect(filteredDeleted.some((r) => r.remoteId === contact.remoteId && r.remoteWasDeleted)).toBe(true);

    await hubspotAdapter.delete(conn, 'Account', account.remoteId);
    expect(await hubspotAdapter.get(conn, 'Account', account.remoteId)).toBeNull();
  });

  it('Lead: create with person data on its contact, status, update, delete', async () => {
    const lead = await hubspotAdapter.create(conn, 'Lead', {
      fields: { first_name: 'Alan', last_name: 'Turing', title: 'Researcher', email_addresses: [{ email_address: 'alan@switchboard-test.example', email_address_type: null }], status: 'OPEN' },
      remoteFields: [{ remote_field_class: 'hs_lead_type', value: 'UPSELL' }],
    });
    expect(lead.fields).toMatchObject({ first_name: 'Alan', last_name: 'Turing', title: 'Researcher', status: 'OPEN' });
    expect(custom(lead, 'hs_lead_type')).toBe('UPSELL');
    const updated = await hubspotAdapter.update(conn, 'Lead', lead.remoteId, { fields: { status: 'QUALIFIED', title: 'Professor' }, remoteFields: [] });
    expect(updated.fields.status).toBe('QUALIFIED');
    expect(updated.fields.title).toBe('Professor');
    expect(updated.fields.converted_contact).toMatchObject({ model: 'Contact' });
    expect(idsOf(await walk('Lead', { email: 'alan@switchboard-test.example' }))).toEqual([lead.remoteId]);
    await hubspotAdapter.delete(conn, 'Lead', lead.remoteId);
    expect(await hubspotAdapter.get(conn, 'Lead', lead.remoteId)).toBeNull();
  });

  it('Opportunity: status and stage, validation errors with the vendor message', async () => {
    const account = (await walk('Account', {}, 1))[0];
    const deal = await hubspotAdapter.create(conn, 'Opportunity', {
      fields: { name: 'Big deal', amount: 12500.5, status: 'OPEN', close_date: '2025-03-01T00:00:00.000Z', account: { model: 'Account', remoteId: account.remoteId } },
      remoteFields: [],
    });
    expect(deal.fields).toMatchObject({ name: 'Big deal', amount: 12500.5, status: 'OPEN', close_date: '2025-03-01T00:00:00.000Z' });
    expect(refId(deal.fields.stage)).toBe('appointmentscheduled');
    expect(refId(deal.fields.account)).toBe(account.remoteId);
    const won = await hubspotAdapter.update(conn, 'Opportunity', deal.remoteId, { fields: { status: 'WON' }, remoteFields: [] });
    expect(won.fields.status).toBe('WON');
    expect(refId(won.fields.stage)).toBe('closedwon');
    const lost = await hubspotAdapter.update(conn, 'Opportunity', deal.remoteId, { fields: { stage: { model: 'Stage', remoteId: 'closedlost' } }, remoteFields: [] });
    expect(lost.fields.status).toBe('LOST');

    const missing = await hubspotAdapter.create(conn, 'Opportunity', { fields: { amount: 5, status: 'OPEN' }, remoteFields: [] }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(VendorError);
    expect(missing).toMatchObject({ kind: 'validation', status: 400, vendorCode: 'VALIDATION_ERROR', fields: ['name'] });
    expect((missing as VendorError).vendorMessage).toMatch(/^Property values were not valid: .*dealname is required/);

    const badAmount = await hubspotAdapter.update(conn, 'Opportunity', deal.remoteId, { fields: { amount: 'lots' as unknown as number }, remoteFields: [] }).catch((e: unknown) => e);
    expect(badAmount).toMatchObject({ kind: 'validation', fields: ['amount'] });
    const badCustom = await hubspotAdapter.update(conn, 'Account', account.remoteId, { fields: {}, remoteFields: [{ remote_field_class: 'tier', value: 'Platinum' }] }).catch((e: unknown) => e);
    expect(badCustom).toMatchObject({ kind: 'validation', fields: ['tier'] });
    expect((badCustom as VendorError).vendorMessage).toContain('Platinum was not one of the allowed options');
    const gone = await hubspotAdapter.update(conn, 'Opportunity', '120000099999', { fields: { name: 'x' }, remoteFields: [] }).catch((e: unknown) => e);
    expect(gone).toMatchObject({ kind: 'not_found' });

    await hubspotAdapter.delete(conn, 'Opportunity', deal.remoteId);
    expect(await hubspotAdapter.get(conn, 'Opportunity', deal.remoteId)).toBeNull();
  });

  it('Note and Task: create, get, update, delete with relations and unmapped fields', async () => {
    const contact = (await walk('Contact', {}, 1))[0];
    const deal = (await walk('Opportunity', {}, 1))[0];
    const note = await hubspotAdapter.create(conn, 'Note', {
      fields: { content: 'Met at the fair', contact: { model: 'Contact', remoteId: contact.remoteId }, opportunity: { model: 'Opportunity', remoteId: deal.remoteId }, owner: { model: 'User', remoteId: '41000001' } },
      remoteFields: [],
    });
    expect(note.fields).toMatchObject({ content: 'Met at the fair', contact: { remoteId: contact.remoteId }, opportunity: { remoteId: deal.remoteId }, owner: { remoteId: '41000001' } });
    expect(await hubspotAdapter.get(conn, 'Note', note.remoteId)).toEqual(note);
    const note2 = await hubspotAdapter.update(conn, 'Note', note.remoteId, { fields: { content: 'Met twice', opportunity: null }, remoteFields: [] });
    expect(note2.fields).toMatchObject({ content: 'Met twice', opportunity: null, contact: { remoteId: contact.remoteId } });
    await hubspotAdapter.delete(conn, 'Note', note.remoteId);
    expect(await hubspotAdapter.get(conn, 'Note', note.remoteId)).toBeNull();

    const task = await hubspotAdapter.create(conn, 'Task', {
      fields: { subject: 'Call back', due_date: '2025-01-02T09:00:00.000Z', status: 'OPEN', contact: { model: 'Contact', remoteId: contact.remoteId } },
      remoteFields: [{ remote_field_class: 'hs_task_priority', value: 'HIGH' }],
    });
    expect(task.fields).toMatchObject({ subject: 'Call back', due_date: '2025-01-02T09:00:00.000Z', status: 'OPEN' });
    expect(custom(task, 'hs_task_priority')).toBe('HIGH');
    const done = await hubspotAdapter.update(conn, 'Task', task.remoteId, { fields: { status: 'CLOSED' }, remoteFields: [{ remote_field_class: 'hs_task_priority', value: 'LOW' }] });
    expect(done.fields.status).toBe('CLOSED');
    expect(custom(done, 'hs_task_priority')).toBe('LOW');
    await hubspotAdapter.delete(conn, 'Task', task.remoteId);
    expect(await hubspotAdapter.get(conn, 'Task', task.remoteId)).toBeNull();
  });

  it('Engagement: calls, meetings and emails; an unmapped direction comes back raw', async () => {
    const contacts = (await walk('Contact', {}, 2)).map((r) => ({ model: 'Contact' as const, remoteId: r.remoteId }));
    const call = await hubspotAdapter.create(conn, 'Engagement', {
      fields: {
        engagement_type: { model: 'EngagementType', remoteId: 'call' },
        subject: 'Intro call',
        direction: 'INBOUND',
        start_time: '2025-02-01T10:00:00.000Z',
        end_time: '2025-02-01T10:30:00.000Z',
        contacts,
      },
      remoteFields: [{ remote_field_class: 'hs_call_status', value: 'COMPLETED' }],
    });
    expect(call.fields).toMatchObject({ subject: 'Intro call', direction: 'INBOUND', start_time: '2025-02-01T10:00:00.000Z', end_time: '2025-02-01T10:30:00.000Z', engagement_type: { remoteId: 'call' } });
    expect(idsOf(call.fields.contacts as unknown as RemoteRecord[])).toEqual(contacts.map((c) => c.remoteId).sort());
    expect(custom(call, 'hs_call_status')).toBe('COMPLETED');
    const call2 = await hubspotAdapter.update(conn, 'Engagement', call.remoteId, { fields: { subject: 'Intro call (2)', contacts: contacts.slice(0, 1) }, remoteFields: [] });
    expect(call2.fields.subject).toBe('Intro call (2)');
    expect(call2.fields.contacts).toEqual(contacts.slice(0, 1));

    const meeting = await hubspotAdapter.create(conn, 'Engagement', {
      fields: { engagement_type: { model: 'EngagementType', remoteId: 'meeting' }, subject: 'Demo', start_time: '2025-02-03T14:00:00.000Z', end_time: '2025-02-03T15:00:00.000Z' },
      remoteFields: [{ remote_field_class: 'hs_meeting_location', value: 'Zoom' }],
    });
    expect(meeting.fields).toMatchObject({ subject: 'Demo', direction: null, start_time: '2025-02-03T14:00:00.000Z', end_time: '2025-02-03T15:00:00.000Z' });
    expect(custom(meeting, 'hs_meeting_location')).toBe('Zoom');

    const email = await hubspotAdapter.create(conn, 'Engagement', {
      fields: { engagement_type: { model: 'EngagementType', remoteId: 'email' }, subject: 'Fwd: pricing', direction: 'FORWARDED_EMAIL', content: 'see below' },
      remoteFields: [],
    });
    expect(email.fields.direction).toBe('FORWARDED_EMAIL');
    const email2 = await hubspotAdapter.update(conn, 'Engagement', email.remoteId, { fields: { direction: 'INBOUND' }, remoteFields: [] });
    expect(email2.fields.direction).toBe('INBOUND');
    expect(email2.remoteData[0].data).toMatchObject({ properties: { hs_email_direction: 'INCOMING_EMAIL' } });

    const noType = await hubspotAdapter.create(conn, 'Engagement', { fields: { subject: 'x' }, remoteFields: [] }).catch((e: unknown) => e);
    expect(noType).toMatchObject({ kind: 'validation', fields: ['engagement_type'] });

    for (const r of [call, meeting, email]) {
      await hubspotAdapter.delete(conn, 'Engagement', r.remoteId);
      expect(await hubspotAdapter.get(conn, 'Engagement', r.remoteId)).toBeNull();
    }
    const deleted = await walk('Engagement', { includeDeleted: true }, 7);
    expect(deleted.filter((r) => r.remoteWasDeleted).map((r) => r.remoteId).sort()).toEqual([call, meeting, email].map((r) => r.remoteId).sort());
  });
});

describe('paging while the CRM changes', () => {
  for (const [label, filters] of [
    ['list API', {}],
    ['search API (filtered)', { createdAfter: new Date(0) }],
  ] as [string, ListFilters][]) {
    it(`${label}: modified records at most once, no unmodified record skipped`, async () => {
      const before = await walk('Contact', filters, 100);
      const touched = new Set<string>();
      const seen = await walk('Contact', filters, 7, async (page) => {
        if (page > 3) return;
        const r = (await post('/__sandbox/mutate', { object: 'contacts', create: 2, update: 8, delete: 1 })) as { created: string[]; updated: string[]; deleted: string[] };
        for (const id of [...r.created, ...r.updated, ...r.deleted]) touched.add(id);
      });
      const seenIds = new Set(seen.map((r) => r.remoteId));
      for (const r of before) if (!touched.has(r.remoteId)) expect(seenIds.has(r.remoteId)).toBe(true);
      expect(touched.size).toBeGreaterThan(10);
    });
  }
});

describe('vendor failures', () => {
  const faults = async (body: unknown) => {
    const res = await fetch(`${emu.url}/__sandbox/faults`, body ? { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : { method: 'DELETE' });
    expect(res.status).toBeLessThan(300);
  };

  it('rate limits and outages surface as VendorError kinds', async () => {
    await faults({ errorRates: { '429': 1 } });
    try {
      const limited = await hubspotAdapter.list(conn, 'Account', { pageSize: 5, state: null, filters: {} }).catch((e: unknown) => e);
      expect(limited).toMatchObject({ kind: 'rate_limited', status: 429, vendorCode: 'RATE_LIMIT', retryAfterSeconds: 1, vendorMessage: 'You have reached your secondly limit.' });
      await faults({ errorRates: { '503': 1 } });
      const down = await hubspotAdapter.get(conn, 'Account', '110000000001').catch((e: unknown) => e);
      expect(down).toMatchObject({ kind: 'unavailable', status: 503 });
    } finally {
      await faults(null);
    }
    expect(await hubspotAdapter.get(conn, 'Account', '110000000001')).not.toBeNull();
  });
});
