import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jsforce, { type Connection, type OAuth2 } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandalone, type RunningEmulator } from '../../src/sandbox/common/standalone';
import { createSalesforceEmulator, type SalesforceRuntime } from '../../src/sandbox/salesforce/emulator';

/**
 * Conformance of the Salesforce sandbox with the vendor's official SDK, jsforce 3.10.16, as the
 * product's adapter will use it: OAuth code flow, refresh on INVALID_SESSION_ID, SOQL paging,
 * incremental reads, deletes, writes, vendor errors, rate limits and retries.
 */

const CONTACTS = 10_000;
const CLIENT_ID = '3MVG9sandboxClientId';
const CLIENT_SECRET = 'sandbox-secret-1';
const REDIRECT_URI = 'http://127.0.0.1:9/callback';

let running: RunningEmulator;
let url: string;
let runtime: SalesforceRuntime;

async function control(path: string, method: string, body?: unknown): Promise<any> {
  const res = await fetch(`${url}/__sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

function oauth2(): OAuth2 {
  return new jsforce.OAuth2({ loginUrl: url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI });
}

/** The consent step with plain HTTP: GET the page, POST its form, read the redirect. */
async function consent(authUrl: string, tenant: string, decision: 'allow' | 'deny'): Promise<URL> {
  const page = await fetch(authUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('<button id="allow" name="decision" value="allow"');
  expect(html).toContain('<button id="deny" name="decision" value="deny"');
  expect(html).toContain(`name="tenant" value="${tenant}"`);
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(m[1], m[2].replace(/&amp;/g, '&').replace(/&quot;/g, '"'));
  form.set('tenant', tenant);
  form.set('decision', decision);
  const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '', authUrl);
  const res = await fetch(action, { method: 'POST', body: form, redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') as string);
}

async function connect(tenant = 'sandbox-org-1'): Promise<{ conn: Connection; refreshToken: string }> {
  const o = oauth2();
  const redirect = await consent(o.getAuthorizationUrl({ scope: 'api refresh_token', state: 'st-1' }), tenant, 'allow');
  expect(redirect.searchParams.get('state')).toBe('st-1');
  const conn = new jsforce.Connection({ oauth2: o, version: '62.0' });
  await conn.authorize(redirect.searchParams.get('code') as string);
  return { conn, refreshToken: conn.refreshToken as string };
}

beforeAll(async () => {
  const emulator = createSalesforceEmulator({ seed: 7, contacts: CONTACTS });
  runtime = emulator.runtime as SalesforceRuntime;
  running = await startStandalone(emulator);
  url = running.url;
});

afterAll(async () => {
  await running.close();
});

describe('OAuth with jsforce', () => {
  it('exchanges a code for tokens shaped like Salesforce (instance_url, id, signature, no expires_in)', async () => {
    const { conn, refreshToken } = await connect();
    expect(conn.instanceUrl).toBe(url);
    expect(conn.accessToken).toMatch(/^00D[0-9A-Za-z]{12}![0-9A-Za-z._]+$/);
    expect(refreshToken).toBeTruthy();
    expect(conn.userInfo?.organizationId).toMatch(/^00D/);
    expect(conn.userInfo?.id).toMatch(/^005/);
    // A second code exchange on raw HTTP, to see the whole body.
    const o = oauth2();
    const redirect = await consent(o.getAuthorizationUrl({ scope: 'api refresh_token' }), 'sandbox-org-1', 'allow');
    const res = await fetch(`${url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code: redirect.searchParams.get('code') as string, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: REDIRECT_URI }),
    });
    const body = (await res.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'id', 'instance_url', 'issued_at', 'refresh_token', 'scope', 'signature', 'token_type']);
    expect(body.issued_at).toMatch(/^\d{13}$/);
    const { createHmac } = await import('node:crypto');
    expect(body.signature).toBe(createHmac('sha256', CLIENT_SECRET).update(body.id + body.issued_at).digest('base64'));
    // Wrong secret for a known client id.
    const again = await consent(o.getAuthorizationUrl({}), 'sandbox-org-1', 'allow');
    const bad = await fetch(`${url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code: again.searchParams.get('code') as string, client_id: CLIENT_ID, client_secret: 'nope', redirect_uri: REDIRECT_URI }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
  });

  it('redirects with access_denied when the user denies', async () => {
    const redirect = await consent(oauth2().getAuthorizationUrl({ state: 'deny-state' }), 'sandbox-org-1', 'deny');
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('state')).toBe('deny-state');
    expect(redirect.searchParams.get('code')).toBeNull();
  });

  it('refreshes automatically on INVALID_SESSION_ID, also in the middle of a paginated read', async () => {
    const { conn } = await connect();
    let refreshed = 0;
    conn.on('refresh', () => refreshed++);
    const first = await conn.query<{ Id: string }>('SELECT Id FROM Contact ORDER BY Id', { headers: { 'Sforce-Query-Options': 'batchSize=500' } } as any);
    expect(first.records).toHaveLength(500);
    expect(first.done).toBe(false);
    // jsforce turns the relative nextRecordsUrl into an absolute one.
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v62\.0\/query\/01g[0-9A-Za-z]{15}-500$/);
    const raw = await conn.request<{ nextRecordsUrl: string }>({ method: 'GET', url: `/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`, headers: { 'Sforce-Query-Options': 'batchSize=200' } });
    expect(raw.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/01g[0-9A-Za-z]{15}-200$/);
    const before = conn.accessToken;
    expect((await control('/tokens/expire', 'POST')).expired).toBeGreaterThan(0);
    const second = await conn.queryMore<{ Id: string }>(first.nextRecordsUrl as string);
    expect(refreshed).toBe(1);
    expect(conn.accessToken).not.toBe(before);
    expect(second.records).toHaveLength(500);
    expect(second.records[0].Id > first.records[499].Id).toBe(true);
  });

  it('serves a second sandbox org with its own dataset, and revokes', async () => {
    const one = await connect('sandbox-org-1');
    const two = await connect('sandbox-org-2');
    expect(two.conn.userInfo?.organizationId).not.toBe(one.conn.userInfo?.organizationId);
    const q = 'SELECT Id, Name FROM Contact ORDER BY Id LIMIT 1';
    const [a, b] = await Promise.all([one.conn.query<{ Name: string }>(q), two.conn.query<{ Name: string }>(q)]);
    expect(a.records[0].Name).not.toBe(b.records[0].Name);
    await two.conn.oauth2.revokeToken(two.refreshToken);
    await expect(two.conn.oauth2.refreshToken(two.refreshToken)).rejects.toThrow(/expired access\/refresh token/);
    await control('/tokens/expire', 'POST');
    // jsforce tries to refresh on INVALID_SESSION_ID; the revoked refresh token makes that fail.
    await expect(two.conn.query(q)).rejects.toThrow('Unable to refresh session due to: expired access/refresh token');
  });
});

describe('reads with jsforce', () => {
  let conn: Connection;
  beforeAll(async () => {
    conn = (await connect()).conn;
  });

  it('pages 10,000 contacts to the end with autoFetch: every record exactly once', async () => {
    const counts = (await control('', 'GET')).counts;
    const res = await conn.query<{ Id: string; LastName: string }>('SELECT Id, LastName FROM Contact', { autoFetch: true, maxFetch: 100_000 });
    expect(res.totalSize).toBe(counts.Contact);
    expect(res.records).toHaveLength(CONTACTS);
    expect(new Set(res.records.map((r: { Id: string }) => r.Id)).size).toBe(CONTACTS);
    expect((res.records[0] as Record<string, unknown>).attributes).toEqual({ type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${res.records[0].Id}` });
    // maxFetch stops early.
    const capped = await conn.query('SELECT Id FROM Contact', { autoFetch: true, maxFetch: 2500 });
    expect(capped.records).toHaveLength(2500);
  });

  it('keyset pages with WHERE Id > :last ORDER BY Id LIMIT n cover the table once', async () => {
    const seen = new Set<string>();
    let last = '';
    let pages = 0;
    for (;;) {
      const where = last ? ` WHERE Id > '${last}'` : '';
      const page = await conn.query<{ Id: string }>(`SELECT Id FROM Contact${where} ORDER BY Id LIMIT 2000`);
      if (page.records.length === 0) break;
      for (const r of page.records) seen.add(r.Id);
      last = page.records[page.records.length - 1].Id;
      pages++;
    }
    expect(pages).toBe(5);
    expect(seen.size).toBe(CONTACTS);
  });

  it('describes objects with standard and custom fields', async () => {
    const account = await conn.sobject('Account').describe();
    const tier = account.fields.find((f) => f.name === 'Tier__c');
    expect(tier).toMatchObject({ custom: true, type: 'picklist' });
    expect(tier?.picklistValues?.map((p) => p.value)).toEqual(['Gold', 'Silver', 'Bronze']);
    const contact = await conn.sobject('Contact').describe();
    expect(contact.fields.find((f) => f.name === 'Loyalty_Score__c')).toMatchObject({ custom: true, type: 'double' });
    expect(contact.fields.find((f) => f.name === 'LastName')).toMatchObject({ nillable: false, createable: true });
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toEqual(expect.arrayContaining(['Account', 'Contact', 'Lead', 'Opportunity', 'OpportunityStage', 'Task', 'Event', 'Note', 'User']));
  });

  it('reads incrementally by SystemModstamp and through /updated', async () => {
    const since = new Date(Date.now() - 1000);
    const mutation = await control('/mutate', 'POST', { object: 'Contact', update: 3, create: 2 });
    expect(mutation.updated).toHaveLength(3);
    const iso = since.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const res = await conn.query<{ Id: string; SystemModstamp: string }>(`SELECT Id, SystemModstamp FROM Contact WHERE SystemModstamp > ${iso} ORDER BY SystemModstamp, Id`);
    expect(new Set(res.records.map((r: { Id: string }) => r.Id))).toEqual(new Set([...mutation.updated, ...mutation.created]));
    const stamps = res.records.map((r) => r.SystemModstamp);
    expect([...stamps].sort()).toEqual(stamps);
    const updated = await conn.sobject('Contact').updated(new Date(Date.now() - 3600_000), new Date(Date.now() + 60_000));
    expect(updated.ids).toEqual(expect.arrayContaining([...mutation.updated, ...mutation.created]));
    expect(updated.latestDateCovered).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
  });
});

describe('writes, deletes and errors with jsforce', () => {
  let conn: Connection;
  beforeAll(async () => {
    conn = (await connect()).conn;
  });

  it('creates, updates and destroys; deleted rows show in queryAll and /deleted', async () => {
    const created = await conn.sobject('Contact').create({ LastName: 'Sdk', FirstName: 'Jsforce', Email: 'jsforce.sdk@example.com', Loyalty_Score__c: 42 });
    expect(created).toMatchObject({ success: true, errors: [] });
    const id = (created as { id: string }).id;
    expect(id).toMatch(/^003[0-9A-Za-z]{15}$/);
    const read = await conn.sobject('Contact').retrieve(id);
    expect(read).toMatchObject({ Name: 'Jsforce Sdk', Email: 'jsforce.sdk@example.com', Loyalty_Score__c: 42, IsDeleted: false });
    const upd = await conn.sobject('Contact').update({ Id: id, LastName: 'Sdk2', Title: 'Tester' });
    expect(upd).toMatchObject({ id, success: true });
    expect(await conn.sobject('Contact').retrieve(id)).toMatchObject({ Name: 'Jsforce Sdk2', Title: 'Tester' });
    expect(await conn.sobject('Contact').destroy(id)).toMatchObject({ id, success: true });

    await expect(conn.sobject('Contact').retrieve(id)).rejects.toMatchObject({ errorCode: 'NOT_FOUND' });
    const live = await conn.query(`SELECT Id FROM Contact WHERE Id = '${id}'`);
    expect(live.totalSize).toBe(0);
    const all = await conn.query<{ Id: string; IsDeleted: boolean }>(`SELECT Id, IsDeleted FROM Contact WHERE IsDeleted = true`, { scanAll: true });
    expect(all.records.map((r: { Id: string }) => r.Id)).toContain(id);
    expect(all.records.every((r) => r.IsDeleted)).toBe(true);
    const deleted = await conn.sobject('Contact').deleted(new Date(Date.now() - 86_400_000), new Date(Date.now() + 60_000));
    expect(deleted.deletedRecords.map((d) => d.id)).toContain(id);
    expect(deleted.deletedRecords[0].deletedDate).toMatch(/\+0000$/);
  });

  it('writes and reads several records at once through sObject Collections', async () => {
    const results = await conn.sobject('Account').create([{ Name: 'Bulk A', Tier__c: 'Gold' }, { Name: 'Bulk B' }, { Tier__c: 'Silver' }]);
    expect(results.map((r) => r.success)).toEqual([true, true, false]);
    expect(results[2]).toMatchObject({ success: false, errors: [expect.objectContaining({ statusCode: 'REQUIRED_FIELD_MISSING' })] });
    const ids = results.filter((r) => r.success).map((r) => r.id as string);
    const rolledBack = await conn.sobject('Account').create([{ Name: 'Never' }, { Tier__c: 'Nope' }], { allOrNone: true }).then(
      (r) => r,
      (e: any) => e,
    );
    expect(JSON.stringify(rolledBack)).toMatch(/ALL_OR_NONE_OPERATION_ROLLED_BACK|INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST/);
    expect((await conn.query("SELECT Id FROM Account WHERE Name = 'Never'")).totalSize).toBe(0);
    const updated = await conn.sobject('Account').update(ids.map((Id) => ({ Id, Phone: '+1 555 0100' })));
    expect(updated.every((r) => r.success)).toBe(true);
    const read = await conn.sobject('Account').retrieve(ids, { fields: ['Name', 'Phone', 'Tier__c'] });
    expect(read.map((r: any) => r.Phone)).toEqual(['+1 555 0100', '+1 555 0100']);
    expect((await conn.sobject('Account').destroy(ids)).every((r) => r.success)).toBe(true);
    const gone = await conn.sobject('Account').retrieve(ids, { fields: ['Name'] });
    expect(gone).toEqual([null, null]);
  });

  it('surfaces vendor errors as jsforce errors with the errorCode', async () => {
    const missing = await conn.sobject('Contact').retrieve('003000000000404AAA').then(
      () => null,
      (e: any) => e,
    );
    expect(missing).toBeInstanceOf(Error);
    expect(missing).toMatchObject({ name: 'NOT_FOUND', errorCode: 'NOT_FOUND' });

    const required = await conn.sobject('Contact').create({ FirstName: 'NoLastName' }).then(
      () => null,
      (e: any) => e,
    );
    expect(required).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]' });
    expect(required.data.fields).toEqual(['LastName']);

    const badType = await conn.sobject('Opportunity').create({ Name: 'x', StageName: 'Prospecting', CloseDate: '2026-13-45' }).then(
      () => null,
      (e: any) => e,
    );
    expect(badType).toMatchObject({ errorCode: 'JSON_PARSER_ERROR' });

    const email = 'dup.check@example.com';
    await conn.sobject('Contact').create({ LastName: 'Dup', Email: email });
    const dup = await conn.sobject('Contact').create({ LastName: 'Dup2', Email: email.toUpperCase() }).then(
      () => null,
      (e: any) => e,
    );
    expect(dup).toMatchObject({ errorCode: 'DUPLICATES_DETECTED' });

    const soql = await conn.query('SELECT Id FROM Contact WHERE Nope = 1').then(
      () => null,
      (e: any) => e,
    );
    expect(soql).toMatchObject({ errorCode: 'INVALID_FIELD' });
    const malformed = await conn.query('SELECT Id FROM Contact WHERE').then(
      () => null,
      (e: any) => e,
    );
    expect(malformed).toMatchObject({ errorCode: 'MALFORMED_QUERY' });
  });

  it('retries injected 503/429 answers itself (GET), as jsforce does by default', async () => {
    const before = (await control('', 'GET')).injected.errors;
    await control('/faults/next', 'POST', { status: 503, count: 1 });
    const res = await conn.query('SELECT Id FROM Account LIMIT 1');
    expect(res.records).toHaveLength(1);
    await control('/faults/next', 'POST', { status: 429, count: 1 });
    expect((await conn.query('SELECT Id FROM Account LIMIT 1')).records).toHaveLength(1);
    expect((await control('', 'GET')).injected.errors).toBe(before + 2);
  });

  it('exhausts the daily budget: 403 REQUEST_LIMIT_EXCEEDED, Sforce-Limit-Info in conn.limitInfo', async () => {
    await control('/settings', 'PUT', { budgets: { DailyApiRequests: { limit: 3 } } });
    try {
      await conn.query('SELECT Id FROM Account LIMIT 1');
      expect(conn.limitInfo.apiUsage).toEqual({ used: 1, limit: 3 });
      await conn.query('SELECT Id FROM Account LIMIT 1');
      await conn.query('SELECT Id FROM Account LIMIT 1');
      const err = await conn.query('SELECT Id FROM Account LIMIT 1').then(
        () => null,
        (e: any) => e,
      );
      expect(err).toMatchObject({ name: 'REQUEST_LIMIT_EXCEEDED', errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' });
      expect(conn.limitInfo.apiUsage).toEqual({ used: 3, limit: 3 });
    } finally {
      await control('/settings', 'PUT', { budgets: { DailyApiRequests: { limit: null } } });
    }
  });
});

describe('outbound messages', () => {
  let server: Server;
  const received: string[] = [];
  let nack = 1;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(body);
        res.setHeader('content-type', 'text/xml');
        const ack = nack-- > 0 ? 'false' : 'true';
        res.end(`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>${ack}</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await control('/settings', 'PUT', { webhookUrl: null });
    await new Promise((r) => server.close(r));
  });

  it('POSTs SOAP notifications for changed records and retries until <Ack>true</Ack>', async () => {
    await control('/settings', 'PUT', { webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/om` });
    const result = await control('/mutate', 'POST', { object: 'Account', update: 2 });
    await runtime.webhooks.drain();
    expect(received).toHaveLength(2); // first answer was <Ack>false</Ack>, so it was sent again
    const xml = received[1];
    expect(xml).toContain('<notifications xmlns="http://soap.sforce.com/2005/09/outbound">');
    expect(xml).toContain(`<OrganizationId>${runtime.org('sandbox-org-1').orgId}</OrganizationId>`);
    expect(xml).toContain('<SessionId xsi:nil="true"/>');
    for (const id of result.updated) expect(xml).toContain(`<sf:Id>${id}</sf:Id>`);
    expect(xml.match(/<Notification>/g)).toHaveLength(2);
  });
});
