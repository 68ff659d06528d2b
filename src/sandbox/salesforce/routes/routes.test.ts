import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSalesforceEmulator } from '../emulator';
import type { SalesforceRuntime } from '../runtime';

/** The REST surface through fastify.inject, mounted under a prefix as the product server does. */

const PREFIX = '/sandbox/salesforce';
let app: FastifyInstance;
let runtime: SalesforceRuntime;
let auth: { authorization: string };

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'GET', url: PREFIX + path, headers: { host: 'sf.test:8080', ...auth, ...headers } });
  return { status: res.statusCode, headers: res.headers, body: res.body ? (String(res.headers['content-type'] ?? '').includes('json') ? JSON.parse(res.body) : res.body) : undefined };
}

async function send(method: 'POST' | 'PATCH' | 'DELETE', path: string, payload?: unknown, headers: Record<string, string> = {}) {
  const res = await app.inject({ method, url: PREFIX + path, payload: payload as any, headers: { host: 'sf.test:8080', ...auth, ...headers } });
  return { status: res.statusCode, headers: res.headers, body: res.body ? JSON.parse(res.body) : undefined };
}

const q = (soql: string) => `/services/data/v62.0/query?q=${encodeURIComponent(soql)}`;

beforeAll(async () => {
  const emulator = createSalesforceEmulator({ seed: 5, contacts: 3000 });
  runtime = emulator.runtime as SalesforceRuntime;
  app = Fastify();
  await app.register(emulator.plugin, { prefix: PREFIX });
  await app.ready();
  const tok = await app.inject({ method: 'POST', url: `${PREFIX}/__sandbox/tokens`, headers: { host: 'sf.test:8080' }, payload: {} });
  const body = tok.json();
  expect(body.instance_url).toBe('http://sf.test:8080/sandbox/salesforce');
  expect(body.id).toMatch(/^http:\/\/sf\.test:8080\/sandbox\/salesforce\/id\/00D\w{15}\/005\w{15}$/);
  auth = { authorization: `Bearer ${body.access_token}` };
});

afterAll(async () => {
  await app.close();
});

describe('query paging', () => {
  it('pages with nextRecordsUrl in Sforce-Query-Options batch sizes (clamped to 200..2000)', async () => {
    const seen = new Set<string>();
    let page = await get(q('SELECT Id FROM Contact'), { 'sforce-query-options': 'batchSize=500' });
    expect(page.body.totalSize).toBe(3000);
    expect(page.headers['sforce-limit-info']).toMatch(/^api-usage=\d+\/15000$/);
    let pages = 0;
    for (;;) {
      pages++;
      for (const r of page.body.records) seen.add(r.Id);
      if (page.body.done) break;
      expect(page.body.records).toHaveLength(500);
      expect(page.body.nextRecordsUrl).toMatch(new RegExp(`^/services/data/v62\\.0/query/01g\\w{15}-${pages * 500}$`));
      page = await get(page.body.nextRecordsUrl);
    }
    expect(pages).toBe(6);
    expect(seen.size).toBe(3000);
    expect(page.body.nextRecordsUrl).toBeUndefined();
    expect((await get(q('SELECT Id FROM Contact'), { 'sforce-query-options': 'batchSize=5' })).body.records).toHaveLength(200);
    expect((await get(q('SELECT Id FROM Contact'))).body.records).toHaveLength(2000);
    expect((await get(q('SELECT Id FROM Contact'), { 'sforce-query-options': 'batchSize=9999' })).body.records).toHaveLength(2000);
  });

  it('never serves a stale rendering after an update', async () => {
    const id = runtime.org('sandbox-org-1').id('Contact', 42);
    const soql = q(`SELECT Id, Title FROM Contact WHERE Id >= '${id}' ORDER BY Id LIMIT 2`);
    expect((await get(soql)).body.records[0].Title).not.toBe('Changed Title');
    expect((await send('PATCH', `/services/data/v62.0/sobjects/Contact/${id}`, { Title: 'Changed Title' })).status).toBe(204);
    expect((await get(soql)).body.records[0].Title).toBe('Changed Title');
  });

  it('jumps to any offset of a locator, and rejects unknown locators', async () => {
    const first = await get(q('SELECT Id FROM Contact ORDER BY Id'), { 'sforce-query-options': 'batchSize=200' });
    const locator = first.body.nextRecordsUrl.replace(/-\d+$/, '');
    const jump = await get(`${locator}-2900`);
    expect(jump.body.records).toHaveLength(100);
    expect(jump.body.done).toBe(true);
    expect(jump.body.records[0].Id).toBe(runtime.org('sandbox-org-1').id('Contact', 2900));
    const bad = await get('/services/data/v62.0/query/01g5g0000000zzzAAA-200');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual([{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
  });

  it('LIMIT larger than the batch pages too; COUNT(); missing q; unknown version', async () => {
    const r = await get(q('SELECT Id, Name FROM Contact ORDER BY Id LIMIT 450'), { 'sforce-query-options': 'batchSize=200' });
    expect(r.body).toMatchObject({ totalSize: 450, done: false });
    const r2 = await get(r.body.nextRecordsUrl);
    const r3 = await get(r2.body.nextRecordsUrl);
    expect(r3.body).toMatchObject({ totalSize: 450, done: true });
    expect(r3.body.records).toHaveLength(50);
    expect((await get(q('SELECT COUNT() FROM Lead'))).body).toEqual({ totalSize: runtime.org('sandbox-org-1').ds.counts.leads, done: true, records: [] });
    expect((await get('/services/data/v62.0/query')).body).toEqual([{ message: 'A query string has to be specified', errorCode: 'MALFORMED_QUERY' }]);
    expect((await get('/services/data/v49.0/limits')).status).toBe(404);
    expect((await get('/services/data/v66.0/limits')).status).toBe(200);
    const versions = await get('/services/data/');
    expect(versions.headers['sforce-limit-info']).toBeUndefined();
    expect(versions.body.find((v: { version: string }) => v.version === '62.0')).toEqual({ label: "Winter '25", url: '/services/data/v62.0', version: '62.0' });
  });

  it('answers 401 INVALID_SESSION_ID without or with a bad token', async () => {
    const res = await app.inject({ method: 'GET', url: `${PREFIX}/services/data/v62.0/limits`, headers: { authorization: 'Bearer 00Dxx!nope' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });
});

describe('records', () => {
  it('reads one record with ?fields= and 404s', async () => {
    const id = runtime.org('sandbox-org-1').id('Account', 3);
    const r = await get(`/services/data/v62.0/sobjects/Account/${id}?fields=Name,Tier__c`);
    expect(Object.keys(r.body)).toEqual(['attributes', 'Name', 'Tier__c']);
    expect(r.body.attributes).toEqual({ type: 'Account', url: `/services/data/v62.0/sobjects/Account/${id}` });
    expect((await get(`/services/data/v62.0/sobjects/Account/${id.slice(0, 15)}`)).body.Id).toBe(id);
    expect((await get(`/services/data/v62.0/sobjects/Account/${id}?fields=Nope`)).body[0].errorCode).toBe('INVALID_FIELD');
    expect((await get('/services/data/v62.0/sobjects/Account/001000000000000AAA')).status).toBe(404);
    expect((await get('/services/data/v62.0/sobjects/Nope/001000000000000AAA')).body).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  });

  it('validates writes with Salesforce error codes', async () => {
    const o = runtime.org('sandbox-org-1');
    const err = async (object: string, body: unknown) => (await send('POST', `/services/data/v62.0/sobjects/${object}`, body)).body[0];
    expect(await err('Contact', { LastName: 'x', Foo: 1 })).toEqual({ message: "No such column 'Foo' on sobject of type Contact", errorCode: 'INVALID_FIELD' });
    expect(await err('Contact', { LastName: 'x', Name: 'y' })).toMatchObject({ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['Name'] });
    expect(await err('Contact', { LastName: 'x'.repeat(81) })).toMatchObject({ errorCode: 'STRING_TOO_LONG', fields: ['LastName'] });
    expect(await err('Contact', { LastName: 'x', Email: 'nope' })).toMatchObject({ errorCode: 'INVALID_EMAIL_ADDRESS' });
    expect(await err('Contact', { LastName: 'x', AccountId: 'abc' })).toMatchObject({ errorCode: 'MALFORMED_ID', fields: ['AccountId'] });
    expect(await err('Contact', { LastName: 'x', AccountId: o.id('Contact', 1) })).toMatchObject({ errorCode: 'FIELD_INTEGRITY_EXCEPTION' });
    expect(await err('Contact', { LastName: 'x', AccountId: o.id('Account', 99_999) })).toMatchObject({ errorCode: 'INVALID_CROSS_REFERENCE_KEY' });
    expect(await err('Account', { Name: 'x', Tier__c: 'Platinum' })).toMatchObject({ errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: 'Tier: bad value for restricted picklist field: Platinum' });
    expect(await err('Opportunity', { Name: 'x' })).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['StageName', 'CloseDate'] });
    expect(await err('Opportunity', { Name: 'x', StageName: 'Prospecting', CloseDate: '2026-01-01', Amount: 'lots' })).toMatchObject({ errorCode: 'JSON_PARSER_ERROR' });
    expect(await err('User', { LastName: 'x' })).toMatchObject({ errorCode: 'INVALID_TYPE_FOR_OPERATION' });
    const raw = await app.inject({ method: 'POST', url: `${PREFIX}/services/data/v62.0/sobjects/Contact`, headers: { ...auth, 'content-type': 'application/json' }, payload: '{bad' });
    expect(raw.statusCode).toBe(400);
    expect(raw.json()[0].errorCode).toBe('JSON_PARSER_ERROR');
    // Duplicate rule, bypassed with the allowSave header.
    const email = String(o.stores.Contact.segments[0].peek(10)!.Email);
    expect(await err('Contact', { LastName: 'x', Email: email })).toMatchObject({ errorCode: 'DUPLICATES_DETECTED' });
    const ok = await send('POST', '/services/data/v62.0/sobjects/Contact', { LastName: 'x', Email: email }, { 'sforce-duplicate-rule-header': 'allowSave=true' });
    expect(ok.status).toBe(201);
  });

  it('derives fields and bumps timestamps on update; Tasks as calls; Events', async () => {
    const o = runtime.org('sandbox-org-1');
    const opp = await send('POST', '/services/data/v62.0/sobjects/Opportunity', { Name: 'Big', StageName: 'Prospecting', CloseDate: '2026-12-01', AccountId: o.id('Account', 1) });
    expect(opp.status).toBe(201);
    const before = (await get(`/services/data/v62.0/sobjects/Opportunity/${opp.body.id}`)).body;
    expect(before).toMatchObject({ IsClosed: false, IsWon: false, Probability: 10, ForecastCategoryName: 'Pipeline' });
    await new Promise((r) => setTimeout(r, 5));
    expect((await send('PATCH', `/services/data/v62.0/sobjects/Opportunity/${opp.body.id}`, { StageName: 'Closed Won' })).status).toBe(204);
    const after = (await get(`/services/data/v62.0/sobjects/Opportunity/${opp.body.id}`)).body;
    expect(after).toMatchObject({ IsClosed: true, IsWon: true, Probability: 100, ForecastCategoryName: 'Closed' });
    expect(after.SystemModstamp > before.SystemModstamp).toBe(true);
    expect(after.CreatedDate).toBe(before.CreatedDate);
    const call = await send('POST', '/services/data/v62.0/sobjects/Task', { Subject: 'Call', TaskSubtype: 'Call', CallType: 'Outbound', CallDurationInSeconds: 60, WhoId: o.id('Contact', 2) });
    expect(call.body.id.slice(0, 6)).toBe('00T5g1');
    const ev = await send('POST', '/services/data/v62.0/sobjects/Event', { Subject: 'Meet', StartDateTime: '2026-12-01T10:00:00Z', DurationInMinutes: 45 });
    expect((await get(`/services/data/v62.0/sobjects/Event/${ev.body.id}`)).body).toMatchObject({ EndDateTime: '2026-12-01T10:45:00.000+0000', ActivityDate: '2026-12-01' });
    expect((await send('POST', '/services/data/v62.0/sobjects/Event', { Subject: 'Meet' })).body[0]).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING' });
    expect((await send('DELETE', `/services/data/v62.0/sobjects/Event/${ev.body.id}`)).status).toBe(204);
    expect((await send('DELETE', `/services/data/v62.0/sobjects/Event/${ev.body.id}`)).body).toEqual([{ message: 'entity is deleted', errorCode: 'ENTITY_IS_DELETED' }]);
  });

  it('/deleted honours the 15-day window with the emulator clock', async () => {
    const o = runtime.org('sandbox-org-1');
    const id = o.id('Lead', 4);
    expect((await send('DELETE', `/services/data/v62.0/sobjects/Lead/${id}`)).status).toBe(204);
    const start = new Date(Date.now() - 3600_000).toISOString();
    const end = new Date(Date.now() + 3600_000).toISOString();
    const r = await get(`/services/data/v62.0/sobjects/Lead/deleted/?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`);
    expect(r.body.deletedRecords.map((d: { id: string }) => d.id)).toEqual([id]);
    const realNow = runtime.now;
    runtime.now = () => Date.now() + 16 * 86_400_000;
    try {
      const late = await get(`/services/data/v62.0/sobjects/Lead/deleted?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`);
      expect(late.status).toBe(400);
      expect(late.body[0].errorCode).toBe('INVALID_REPLICATION_DATE');
    } finally {
      runtime.now = realNow;
    }
  });
});

describe('sObject Collections and unknown routes', () => {
  it('allOrNone rolls every record back when one fails', async () => {
    const r = await send('POST', '/services/data/v62.0/composite/sobjects', {
      allOrNone: true,
      records: [
        { attributes: { type: 'Lead' }, LastName: 'Ok', Company: 'Co' },
        { attributes: { type: 'Lead' }, LastName: 'No company' },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual([
      { id: null, success: false, errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: expect.stringContaining('rolled back'), fields: [] }] },
      { id: null, success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Company]', fields: ['Company'] }] },
    ]);
    const tooMany = await send('POST', '/services/data/v62.0/composite/sobjects', { records: Array.from({ length: 201 }, () => ({ attributes: { type: 'Lead' } })) });
    expect(tooMany.body[0].errorCode).toBe('EXCEEDED_ID_LIMIT');
  });

  it('answers NOT_FOUND in Salesforce shape for unknown resources', async () => {
    const r = await get('/services/data/v62.0/nope/thing');
    expect(r.status).toBe(404);
    expect(r.body).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
    expect(r.headers['sforce-limit-info']).toBeDefined();
  });
});

describe('OAuth details', () => {
  it('supports PKCE without a client secret and rejects a wrong verifier', async () => {
    const verifier = 'v'.repeat(50);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authorize = async () => {
      const res = await app.inject({
        method: 'POST',
        url: `${PREFIX}/services/oauth2/authorize`,
        headers: { host: 'login.test' },
        payload: { response_type: 'code', client_id: 'pkce-app', redirect_uri: 'http://app.test/cb', code_challenge: challenge, code_challenge_method: 'S256', tenant: 'sandbox-org-2', decision: 'allow' },
      });
      expect(res.statusCode).toBe(302);
      return new URL(res.headers.location as string).searchParams.get('code') as string;
    };
    const token = (code: string, v: string) =>
      app.inject({ method: 'POST', url: `${PREFIX}/services/oauth2/token`, headers: { host: 'login.test' }, payload: { grant_type: 'authorization_code', code, client_id: 'pkce-app', redirect_uri: 'http://app.test/cb', code_verifier: v } });
    const bad = await token(await authorize(), 'wrong');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('invalid_grant');
    const good = await token(await authorize(), verifier);
    expect(good.statusCode).toBe(200);
    expect(good.json().id).toContain(runtime.org('sandbox-org-2').orgId);
    expect(good.json()).not.toHaveProperty('expires_in');
    const reuse = await app.inject({ method: 'POST', url: `${PREFIX}/services/oauth2/token`, payload: { grant_type: 'password', client_id: 'x' } });
    expect(reuse.json()).toEqual({ error: 'unsupported_grant_type', error_description: 'grant type not supported' });
  });

  it('renders injected faults as Salesforce does', async () => {
    await app.inject({ method: 'POST', url: `${PREFIX}/__sandbox/faults/next`, payload: { status: 503, count: 1 } });
    const r = await get('/services/data/v62.0/limits');
    expect(r.status).toBe(503);
    expect(r.body).toEqual([{ message: 'Server is temporarily unavailable. Please try again later.', errorCode: 'SERVER_UNAVAILABLE' }]);
    expect((await get('/services/data/v62.0/limits')).status).toBe(200);
  });
});

describe('API usage without limits', () => {
  it('never reports the allocation spent, past the 15,000 Developer Edition shows', async () => {
    const emulator = createSalesforceEmulator({ seed: 5, contacts: 10 });
    const rt = emulator.runtime as SalesforceRuntime;
    const own = Fastify();
    await own.register(emulator.plugin, { prefix: PREFIX });
    await own.ready();
    try {
      const tok = (await own.inject({ method: 'POST', url: `${PREFIX}/__sandbox/tokens`, headers: { host: 'sf.test:8080' }, payload: {} })).json();
      const call = async (path: string) => own.inject({ method: 'GET', url: PREFIX + path, headers: { host: 'sf.test:8080', authorization: `Bearer ${tok.access_token}` } });
      expect((await call(q('SELECT Id FROM Contact'))).headers['sforce-limit-info']).toBe('api-usage=1/15000');
      // As if 20,000 more requests had been served (the budget counts them, nothing refuses them).
      for (const key of rt.orgs.keys()) for (let i = 0; i < 20_000; i++) rt.budget(key).consume();
      const r = await call(q('SELECT Id FROM Contact'));
      expect(r.statusCode).toBe(200);
      const [, used, max] = /^api-usage=(\d+)\/(\d+)$/.exec(String(r.headers['sforce-limit-info']))!.map(Number);
      expect(used).toBe(20_002);
      expect(max - used).toBeGreaterThanOrEqual(15_000);
      const limits = JSON.parse((await call('/services/data/v62.0/limits')).body);
      expect(limits.DailyApiRequests.Remaining).toBeGreaterThanOrEqual(15_000);
    } finally {
      await own.close();
    }
  });
});
