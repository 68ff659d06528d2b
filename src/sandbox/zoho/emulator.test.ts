import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pkceS256 } from '../common/oauth-tokens';
import { startStandalone, type RunningEmulator } from '../common/standalone';
import { createZohoEmulator } from './emulator';
import type { ZohoRuntime } from './runtime';

let running: RunningEmulator;
let runtime: ZohoRuntime;
let url: string;
let token: string;
let receiver: FastifyInstance;
let receiverUrl: string;
const received: Record<string, unknown>[] = [];

async function call(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; auth?: string | null } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const auth = opts.auth === undefined ? token : opts.auth;
  if (auth) headers.authorization = `Zoho-oauthtoken ${auth}`;
  if (opts.body !== undefined && typeof opts.body !== 'string' && !(opts.body instanceof FormData) && !(opts.body instanceof URLSearchParams)) headers['content-type'] = 'application/json';
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' || opts.body instanceof FormData || opts.body instanceof URLSearchParams ? opts.body : JSON.stringify(opts.body);
  const res = await fetch(`${url}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

async function authorizeCode(extra: Record<string, string> = {}, decision = 'allow', tenant = 'sandbox-1'): Promise<URL> {
  const params = { response_type: 'code', client_id: '1000.UNIT', scope: 'ZohoCRM.modules.ALL,ZohoCRM.users.READ', redirect_uri: 'https://app.example/cb', access_type: 'offline', state: 's1', ...extra };
  const page = await call('GET', `/oauth/v2/auth?${new URLSearchParams(params)}`, { auth: null });
  expect(page.status).toBe(200);
  const res = await call('POST', '/oauth/v2/auth', { auth: null, body: new URLSearchParams({ ...params, tenant, decision }) });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') as string);
}

beforeAll(async () => {
  receiver = Fastify();
  receiver.post('/hook', async (request) => {
    received.push(request.body as Record<string, unknown>);
    return { ok: true };
  });
  await receiver.listen({ port: 0, host: '127.0.0.1' });
  const addr = receiver.server.address() as { port: number };
  receiverUrl = `http://127.0.0.1:${addr.port}/hook`;
  const emulator = createZohoEmulator({ contacts: 3000, seed: 5 });
  runtime = emulator.runtime as ZohoRuntime;
  running = await startStandalone(emulator);
  url = running.url;
  token = (await call('POST', '/__sandbox/tokens', { auth: null, body: {} })).json.access_token;
});

afterAll(async () => {
  await running.close();
  await receiver.close();
});

describe('Zoho OAuth', () => {
  it('redirects with code, state, location and accounts-server; the code exchanges once (multipart), PKCE enforced', async () => {
    const verifier = 'v'.repeat(50);
    const redirect = await authorizeCode({ code_challenge: pkceS256(verifier), code_challenge_method: 'S256' });
    expect(redirect.origin + redirect.pathname).toBe('https://app.example/cb');
    expect(redirect.searchParams.get('state')).toBe('s1');
    expect(redirect.searchParams.get('location')).toBe('us');
    expect(redirect.searchParams.get('accounts-server')).toBe(url);
    const code = redirect.searchParams.get('code') as string;
    const form = (extra: Record<string, string>) => {
      const f = new FormData();
      for (const [k, v] of Object.entries({ grant_type: 'authorization_code', client_id: '1000.UNIT', client_secret: 'sec', redirect_uri: 'https://app.example/cb', code, ...extra })) f.append(k, v);
      return f;
    };
    const bad = await call('POST', '/oauth/v2/token', { auth: null, body: form({ code_verifier: 'wrong' }) });
    expect(bad.status).toBe(200);
    expect(bad.json).toEqual({ error: 'invalid_code' });
    // a failed verifier does not burn the code in this emulator; the right one works
    const ok = await call('POST', '/oauth/v2/token', { auth: null, body: form({ code_verifier: verifier }) });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600, api_domain: url });
    expect(ok.json.access_token).toMatch(/^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
    expect(ok.json.refresh_token).toMatch(/^1000\./);
    const again = await call('POST', '/oauth/v2/token', { auth: null, body: form({ code_verifier: verifier }) });
    expect(again.json).toEqual({ error: 'invalid_code' });

    // refresh: urlencoded, no refresh_token in the answer; a different secret is refused
    const refresh = (secret: string) => call('POST', '/oauth/v2/token', { auth: null, body: new URLSearchParams({ grant_type: 'refresh_token', client_id: '1000.UNIT', client_secret: secret, refresh_token: ok.json.refresh_token }) });
    const r1 = await refresh('sec');
    expect(r1.json.access_token).toBeTruthy();
    expect(r1.json.refresh_token).toBeUndefined();
    expect(r1.json.api_domain).toBe(url);
    expect((await refresh('other')).json).toEqual({ error: 'invalid_client_secret' });

    // revoke the refresh token: refresh and its access tokens stop working
    const rev = await call('POST', `/oauth/v2/token/revoke?token=${encodeURIComponent(ok.json.refresh_token)}`, { auth: null });
    expect(rev.json).toEqual({ status: 'success' });
    expect((await refresh('sec')).json).toEqual({ error: 'invalid_code' });
    const api = await call('GET', '/crm/v8/Contacts?fields=Last_Name', { auth: r1.json.access_token });
    expect(api.status).toBe(401);
    expect(api.json).toEqual({ code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' });
    expect((await call('POST', '/oauth/v2/token/revoke?token=nope', { auth: null })).status).toBe(400);
  });

  it('deny redirects with access_denied; bad authorize parameters get an error page', async () => {
    const redirect = await authorizeCode({}, 'deny');
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('state')).toBe('s1');
    expect(redirect.searchParams.get('code')).toBeNull();
    const page = await call('GET', '/oauth/v2/auth?response_type=code&client_id=x', { auth: null });
    expect(page.status).toBe(400);
    const unknownGrant = await call('POST', '/oauth/v2/token', { auth: null, body: new URLSearchParams({ grant_type: 'password', client_id: 'x' }) });
    expect(unknownGrant.json).toEqual({ error: 'unsupported_grant_type' });
  });

  it('answers missing, invalid and expired tokens and scope mismatches like Zoho', async () => {
    expect((await call('GET', '/crm/v8/Contacts?fields=Last_Name', { auth: null })).json.code).toBe('AUTHENTICATION_FAILURE');
    expect((await call('GET', '/crm/v8/Contacts?fields=Last_Name', { auth: 'garbage' })).json.code).toBe('INVALID_TOKEN');
    const narrow = (await call('POST', '/__sandbox/tokens', { auth: null, body: { scope: 'ZohoCRM.modules.contacts.READ' } })).json.access_token;
    expect((await call('GET', '/crm/v8/Contacts?fields=Last_Name&per_page=1', { auth: narrow })).status).toBe(200);
    const denied = await call('GET', '/crm/v8/Deals?fields=Deal_Name', { auth: narrow });
    expect(denied.status).toBe(401);
    expect(denied.json.code).toBe('OAUTH_SCOPE_MISMATCH');
    expect((await call('POST', '/crm/v8/Contacts', { auth: narrow, body: { data: [{ Last_Name: 'x' }] } })).json.code).toBe('OAUTH_SCOPE_MISMATCH');
    const short = (await call('POST', '/__sandbox/tokens', { auth: null, body: {} })).json.access_token;
    await call('POST', '/__sandbox/tokens/expire', { auth: null });
    expect((await call('GET', '/crm/v8/Contacts?fields=Last_Name', { auth: short })).json.code).toBe('INVALID_TOKEN');
    token = (await call('POST', '/__sandbox/tokens', { auth: null, body: {} })).json.access_token;
  });
});

describe('Zoho records API', () => {
  it('switches from page to page_token at record 2,000 and returns every record exactly once', async () => {
    const ids: string[] = [];
    let next: string | undefined;
    for (let page = 1; page <= 10; page++) {
      const r = await call('GET', `/crm/v8/Contacts?fields=Last_Name&per_page=200&page=${page}&sort_order=asc`);
      expect(r.status).toBe(200);
      expect(r.json.info).toMatchObject({ page, per_page: 200, count: 200, more_records: true, sort_by: 'id', sort_order: 'asc' });
      ids.push(...r.json.data.map((d: { id: string }) => d.id));
      next = r.json.info.next_page_token;
    }
    const over = await call('GET', '/crm/v8/Contacts?fields=Last_Name&per_page=200&page=11');
    expect(over.status).toBe(400);
    expect(over.json.code).toBe('DISCRETE_PAGINATION_LIMIT_EXCEEDED');
    const both = await call('GET', `/crm/v8/Contacts?fields=Last_Name&page=2&page_token=${next}`);
    expect(both.status).toBe(400);
    for (;;) {
      const r = await call('GET', `/crm/v8/Contacts?fields=Last_Name&per_page=200&page_token=${next}`);
      expect(r.status).toBe(200);
      ids.push(...r.json.data.map((d: { id: string }) => d.id));
      if (!r.json.info.more_records) {
        expect(r.json.info.next_page_token).toBeNull();
        break;
      }
      next = r.json.info.next_page_token;
      expect(r.json.info.page_token_expiry).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(runtime.tenant('sandbox-1').modules.Contacts.coll.liveCount);
    expect([...ids].sort()).toEqual(ids); // ascending ids
  });

  it('requires fields, caps per_page, answers 204 when nothing matches and 304 when nothing changed', async () => {
    expect((await call('GET', '/crm/v8/Contacts')).json).toEqual({ code: 'REQUIRED_PARAM_MISSING', details: { param: 'fields' }, message: 'One of the expected parameter is missing', status: 'error' });
    expect((await call('GET', '/crm/v8/Contacts?fields=Last_Name&per_page=201')).status).toBe(400);
    expect((await call('GET', '/crm/v8/Unknown?fields=x')).json.code).toBe('INVALID_MODULE');
    expect((await call('GET', '/crm/v8/Contacts?fields=Last_Name', { headers: { 'if-modified-since': new Date(Date.now() + 60_000).toISOString() } })).status).toBe(304);
    expect((await call('GET', '/crm/v8/Contacts/search?criteria=(Last_Name:equals:Nobody)')).status).toBe(204);
    expect((await call('GET', '/crm/v8/nothing/here/at/all')).json.code).toBe('INVALID_URL_PATTERN');
  });

  it('creates with validation (mandatory, type, duplicate) and answers 201 / 207 / 400', async () => {
    const ok = await call('POST', '/crm/v8/Contacts', { body: { data: [{ Last_Name: 'Unit', Email: 'unit.one@example.com', Loyalty_Score: 7, Account_Name: { id: (await firstId('Accounts')) } }] } });
    expect(ok.status).toBe(201);
    expect(ok.json.data[0]).toMatchObject({ code: 'SUCCESS', message: 'record added', status: 'success' });
    const id = ok.json.data[0].details.id;
    const read = await call('GET', `/crm/v8/Contacts/${id}`);
    expect(read.json.data[0]).toMatchObject({ id, Last_Name: 'Unit', Full_Name: 'Unit', Loyalty_Score: 7, Account_Name: { id: await firstId('Accounts') } });
    const mixed = await call('POST', '/crm/v8/Contacts', { body: { data: [{ Last_Name: 'Two' }, { First_Name: 'no last name' }, { Last_Name: 'x', Loyalty_Score: 'high' }, { Last_Name: 'dup', Email: 'UNIT.ONE@example.com' }] } });
    expect(mixed.status).toBe(207);
    expect(mixed.json.data.map((d: { code: string }) => d.code)).toEqual(['SUCCESS', 'MANDATORY_NOT_FOUND', 'INVALID_DATA', 'DUPLICATE_DATA']);
    expect(mixed.json.data[1].details).toEqual({ api_name: 'Last_Name', json_path: '$.data[1].Last_Name' });
    expect(mixed.json.data[2].details).toMatchObject({ api_name: 'Loyalty_Score', expected_data_type: 'integer' });
    expect(mixed.json.data[3].details.duplicate_record.id).toBe(id);
    const allBad = await call('POST', '/crm/v8/Deals', { body: { data: [{ Deal_Name: 'No stage' }] } });
    expect(allBad.status).toBe(400);
    expect(allBad.json.data[0].details.api_name).toBe('Stage');
    // no Content-Type at all (what the Zoho SDK sends)
    const raw = await fetch(`${url}/crm/v8/Accounts`, { method: 'POST', headers: { authorization: `Zoho-oauthtoken ${token}` }, body: Buffer.from(JSON.stringify({ data: [{ Account_Name: 'Raw Co', Tier: 'Gold' }] })) });
    expect(raw.status).toBe(201);
  });

  it('updates and deletes in bulk, shows the deleted records, and finds records by search', async () => {
    const a = await firstId('Leads');
    const upd = await call('PUT', '/crm/v8/Leads', { body: { data: [{ id: a, Lead_Status: 'Contacted' }, { id: '1', Lead_Status: 'x' }, { Lead_Status: 'no id' }] } });
    expect(upd.status).toBe(207);
    expect(upd.json.data.map((d: { code: string }) => d.code)).toEqual(['SUCCESS', 'INVALID_DATA', 'MANDATORY_NOT_FOUND']);
    const lead = (await call('GET', `/crm/v8/Leads/${a}?fields=Lead_Status,Modified_Time`)).json.data[0];
    expect(lead.Lead_Status).toBe('Contacted');
    const s = await call('GET', `/crm/v8/Leads/search?criteria=${encodeURIComponent(`(id:equals:${a})`)}&converted=both`);
    expect(s.json.data[0].id).toBe(a);

    const c1 = await firstId('Calls');
    const del = await call('DELETE', `/crm/v8/Calls?ids=${c1},999`);
    expect(del.status).toBe(207);
    expect(del.json.data[0]).toEqual({ code: 'SUCCESS', details: { id: c1 }, message: 'record deleted', status: 'success' });
    expect((await call('GET', `/crm/v8/Calls/${c1}`)).json.code).toBe('INVALID_DATA');
    const deleted = await call('GET', '/crm/v8/Calls/deleted?type=all');
    expect(deleted.json.data[0]).toMatchObject({ id: c1, type: 'recycle', deleted_by: { id: expect.any(String) } });
    expect(deleted.json.info).toMatchObject({ count: 1, page: 1, more_records: false });
    expect((await call('GET', '/crm/v8/Calls/deleted?type=permanent')).status).toBe(204);
    const email = (await call('GET', '/crm/v8/Contacts?fields=Email&per_page=1&sort_order=asc')).json.data[0].Email;
    const byEmail = await call('GET', `/crm/v8/Contacts/search?email=${encodeURIComponent(email)}`);
    expect(byEmail.json.data).toHaveLength(1);
    expect((await call('GET', '/crm/v8/Contacts/search?criteria=(Bogus:equals:1)')).json.code).toBe('INVALID_QUERY');
  });

  it('serves field metadata with custom fields, pipelines via the Deals layout, users and the org', async () => {
    const fields = (await call('GET', '/crm/v8/settings/fields?module=Contacts')).json.fields;
    const loyalty = fields.find((f: { api_name: string }) => f.api_name === 'Loyalty_Score');
    expect(loyalty).toMatchObject({ data_type: 'integer', custom_field: true, system_mandatory: false });
    expect(fields.find((f: { api_name: string }) => f.api_name === 'Last_Name')).toMatchObject({ system_mandatory: true, custom_field: false });
    const tier = (await call('GET', '/crm/v8/settings/fields?module=Accounts')).json.fields.find((f: { api_name: string }) => f.api_name === 'Tier');
    expect(tier.pick_list_values.map((v: { actual_value: string }) => v.actual_value)).toEqual(['-None-', 'Gold', 'Silver', 'Bronze']);
    const layoutId = (await call('GET', '/crm/v8/settings/layouts?module=Deals')).json.layouts[0].id;
    const pipeline = (await call('GET', `/crm/v8/settings/pipeline?layout_id=${layoutId}`)).json.pipeline[0];
    expect(pipeline.maps).toHaveLength(7);
    expect((await call('GET', '/crm/v8/settings/pipeline')).json.code).toBe('REQUIRED_PARAM_MISSING');
    const me = (await call('GET', '/crm/v8/users?type=CurrentUser')).json.users;
    expect(me).toHaveLength(1);
    expect(me[0].email).toMatch(/@sandbox-crm\.example$/);
    expect((await call('GET', '/crm/v8/org')).json.org[0].zgid).toMatch(/^\d+$/);
  });

  it('answers COQL queries, incremental ones through the modified index', async () => {
    const since = new Date(Date.now() - 5_000).toISOString().slice(0, 19) + '+00:00';
    const m = await call('POST', '/__sandbox/mutate', { auth: null, body: { object: 'Deals', update: 2 } });
    const r = await call('POST', '/crm/v8/coql', { body: { select_query: `select Deal_Name, Stage, Account_Name, Account_Name.name from Deals where Modified_Time > '${since}' order by Modified_Time asc limit 0, 200` } });
    expect(r.status).toBe(200);
    expect(new Set(r.json.data.map((d: { id: string }) => d.id))).toEqual(new Set(m.json.updated));
    expect(Object.keys(r.json.data[0])).toEqual(['id', 'Deal_Name', 'Stage', 'Account_Name', 'Account_Name.name']);
    expect(Object.keys(r.json.data[0].Account_Name)).toEqual(['id']);
    expect(r.json.info).toEqual({ count: r.json.data.length, more_records: false });
    const page = await call('POST', '/crm/v8/coql', { body: { select_query: "select Last_Name from Contacts where Last_Name is not null order by Last_Name desc limit 3" } });
    expect(page.json.data).toHaveLength(3);
    expect(page.json.info.more_records).toBe(true);
    expect((await call('POST', '/crm/v8/coql', { body: { select_query: 'select Nope from Contacts' } })).json).toMatchObject({ code: 'INVALID_QUERY', details: { column_name: 'Nope' } });
    expect((await call('POST', '/crm/v8/coql', { body: { select_query: 'select from' } })).json.code).toBe('SYNTAX_ERROR');
    expect((await call('POST', '/crm/v8/coql', { body: { select_query: "select Last_Name from Contacts where Last_Name = 'Nobody Here'" } })).status).toBe(204);
  });

  it('never serves stale rows from its caches after a write', async () => {
    const list = async () => (await call('GET', '/crm/v8/Accounts?fields=Account_Name,Phone&per_page=50&sort_order=asc')).json.data;
    await list();
    const before = await list(); // second read: rows now cached
    const target = before[10];
    await call('PUT', `/crm/v8/Accounts/${target.id}`, { body: { data: [{ Phone: '+1 000 111 2222', Account_Name: 'Renamed Co' }] } });
    const after = await list();
    expect(after[10]).toEqual({ id: target.id, Account_Name: 'Renamed Co', Phone: '+1 000 111 2222' });
    // and lookups pointing at it show the new name
    const contacts = (await call('GET', `/crm/v8/Contacts/search?criteria=${encodeURIComponent(`(Account_Name.id:equals:${target.id})`)}&fields=Account_Name`)).json.data;
    expect(contacts[0].Account_Name).toEqual({ name: 'Renamed Co', id: target.id });
  });

  it('keeps tenants apart: the second org has its own dataset and ids', async () => {
    const t2 = (await call('POST', '/__sandbox/tokens', { auth: null, body: { tenantKey: 'sandbox-2' } })).json.access_token;
    const one = (await call('GET', '/crm/v8/Contacts?fields=Email&per_page=1')).json.data[0];
    const two = (await call('GET', '/crm/v8/Contacts?fields=Email&per_page=1', { auth: t2 })).json.data[0];
    expect(one.id.slice(0, 7)).not.toBe(two.id.slice(0, 7));
    expect(one.Email).not.toBe(two.Email);
    expect((await call('GET', `/crm/v8/Contacts/${one.id}`, { auth: t2 })).status).toBe(400);
  });
});

describe('Zoho notifications, mutate and faults', () => {
  it('notifies the fallback webhook and watch channels of API writes and simulated edits', async () => {
    await call('PUT', '/__sandbox/settings', { auth: null, body: { webhookUrl: receiverUrl, webhookSecret: 'chan-token' } });
    const created = await call('POST', '/crm/v8/Accounts', { body: { data: [{ Account_Name: 'Hooked Inc' }] } });
    const accountId = created.json.data[0].details.id;
    const watch = await call('POST', '/crm/v8/actions/watch', { body: { watch: [{ channel_id: '1000000068001', events: ['Contacts.edit', 'Deals.all'], token: 'TOKEN_1', notify_url: `${receiverUrl}?src=watch` }] } });
    expect(watch.status).toBe(200);
    expect(watch.json.watch[0].code).toBe('SUCCESS');
    expect((await call('GET', '/crm/v8/actions/watch')).json.watch[0].events).toEqual(['Contacts.edit', 'Deals.all']);
    const m = await call('POST', '/__sandbox/mutate', { auth: null, body: { object: 'Contacts', update: 3, create: 1 } });
    expect(m.json.updated).toHaveLength(3);
    expect(m.json.created).toHaveLength(1);
    await runtime.webhooks.drain();
    const fallback = received.filter((b) => b.token === 'chan-token');
    expect(fallback.find((b) => b.module === 'Accounts' && b.operation === 'insert')).toMatchObject({ ids: [accountId], channel_id: runtime.tenant('sandbox-1').orgId, resource_uri: `${url}/crm/v8/Accounts` });
    expect(fallback.find((b) => b.module === 'Contacts' && b.operation === 'update')?.ids).toEqual(m.json.updated.filter((x: string, i: number, a: string[]) => a.indexOf(x) === i));
    const viaChannel = received.filter((b) => b.channel_id === '1000000068001');
    expect(viaChannel).toHaveLength(1); // edit only, no insert
    expect(viaChannel[0]).toMatchObject({ operation: 'update', module: 'Contacts', token: 'TOKEN_1', query_params: { src: 'watch' } });
    // updated records moved their Modified_Time
    const rec = (await call('GET', `/crm/v8/Contacts/${m.json.updated[0]}?fields=Modified_Time`)).json.data[0];
    expect(Date.parse(rec.Modified_Time)).toBeGreaterThan(Date.now() - 60_000);
    expect((await call('DELETE', '/crm/v8/actions/watch?channel_ids=1000000068001')).json.watch[0].code).toBe('SUCCESS');
    expect((await call('GET', '/crm/v8/actions/watch')).status).toBe(204);
    await call('PUT', '/__sandbox/settings', { auth: null, body: { webhookUrl: null } });
  });

  it('injects vendor-styled faults on the API only, and enforces concurrency/credit budgets with 429', async () => {
    await call('PUT', '/__sandbox/faults', { auth: null, body: { errorRates: { 500: 1 } } });
    const r = await call('GET', '/crm/v8/Contacts?fields=Last_Name');
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ code: 'INTERNAL_ERROR', details: {}, message: 'Internal server error occurred.', status: 'error' });
    expect((await call('GET', '/__sandbox', { auth: null })).status).toBe(200);
    await call('PUT', '/__sandbox/faults', { auth: null, body: { errorRates: { 429: 1 } } });
    expect((await call('GET', '/crm/v8/org')).json.code).toBe('TOO_MANY_REQUESTS');
    await call('DELETE', '/__sandbox/faults', { auth: null });
    await call('PUT', '/__sandbox/settings', { auth: null, body: { budgets: { credits: { limit: 2, windowMs: 60_000 } } } });
    expect((await call('GET', '/crm/v8/org')).status).toBe(200);
    expect((await call('GET', '/crm/v8/org')).status).toBe(200);
    const limited = await call('GET', '/crm/v8/org');
    expect(limited.status).toBe(429);
    expect(limited.json.code).toBe('TOO_MANY_REQUESTS');
    await call('PUT', '/__sandbox/settings', { auth: null, body: { budgets: { credits: { limit: null } } } });
    expect((await call('GET', '/crm/v8/org')).status).toBe(200);
  });
});

describe('mounted under a prefix inside another server', () => {
  it('serves every route under the prefix and returns URLs that point back at it', async () => {
    const host = Fastify();
    const emulator = createZohoEmulator({ contacts: 50 });
    await host.register(emulator.plugin, { prefix: '/sandbox/zoho' });
    await host.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(host.server.address() as { port: number }).port}/sandbox/zoho`;
    try {
      const page = await fetch(`${base}/oauth/v2/auth?response_type=code&client_id=c1&scope=ZohoCRM.modules.ALL&redirect_uri=https://x.example/cb&state=s`);
      const html = await page.text();
      expect(html).toContain('action="/sandbox/zoho/oauth/v2/auth"');
      const res = await fetch(`${base}/oauth/v2/auth`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ response_type: 'code', client_id: 'c1', scope: 'ZohoCRM.modules.ALL', redirect_uri: 'https://x.example/cb', state: 's', tenant: 'sandbox-2', decision: 'allow' }) });
      const loc = new URL(res.headers.get('location') as string);
      expect(loc.searchParams.get('accounts-server')).toBe(base);
      const tok = await (await fetch(`${base}/oauth/v2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'c1', client_secret: 'x', redirect_uri: 'https://x.example/cb', code: loc.searchParams.get('code') as string }) })).json() as { api_domain: string; access_token: string };
      expect(tok.api_domain).toBe(base);
      const list = await fetch(`${tok.api_domain}/crm/v8/Contacts?fields=Last_Name&per_page=1`, { headers: { authorization: `Zoho-oauthtoken ${tok.access_token}` } });
      expect(list.status).toBe(200);
      expect(((await list.json()) as { data: { id: string }[] }).data[0].id.startsWith('3652398')).toBe(true); // sandbox-2
      expect((await fetch(`${base}/__sandbox`)).status).toBe(200);
    } finally {
      await host.close();
    }
  });
});

async function firstId(module: string): Promise<string> {
  return (await call('GET', `/crm/v8/${module}?fields=id&per_page=1&sort_order=asc${module === 'Leads' ? '&converted=both' : ''}`)).json.data[0].id;
}
