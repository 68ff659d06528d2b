import { MergeClient } from '@mergeapi/merge-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VendorSlug } from '../../src/integrations/contract';
import { SANDBOX_VENDORS } from '../../src/sandbox/registry';
import { linkSandboxAccount, mountedSandbox } from '../support/linked-account';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Pass-through end to end: the real server, the mounted vendor emulators, every method, JSON,
 * XML and multipart bodies, refresh on 401, size and time limits, the shared rate-limit budget,
 * and Merge's official SDK.
 */

let t: TestApp;
let apiKey: string;
const tokens: Partial<Record<VendorSlug, string>> = {};
const accountIds: Partial<Record<VendorSlug, string>> = {};

beforeAll(async () => {
  t = await startTestApp({ SANDBOX_CONTACTS: '12', PASSTHROUGH_TIMEOUT_MS: '1500', PASSTHROUGH_MAX_RESPONSE_BYTES: '10000' });
  const org = await t.createOrganization();
  apiKey = org.apiKey;
  for (const vendor of SANDBOX_VENDORS) {
    const linked = await linkSandboxAccount(t, org.organizationId, vendor, undefined, { refreshable: true });
    tokens[vendor] = linked.accountToken;
    accountIds[vendor] = linked.linkedAccountId;
  }
}, 120_000);

afterAll(async () => {
  if (!t) return;
  // The slow-vendor tests gave up on requests the mounted emulator is still delaying (its injected
  // latency). Let them finish first: a connection still busy when the server starts closing stays
  // open until its keep-alive timeout once it turns idle. (A real vendor is another server.)
  const server = t.app.getHttpAdapter().getHttpServer();
  for (let i = 0; i < 300; i++) {
    server.closeIdleConnections();
    const open = await new Promise<number>((resolve) => server.getConnections((_err: unknown, n: number) => resolve(n)));
    if (open === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await t.close();
}, 120_000);

function passthrough(vendor: VendorSlug, body: unknown, prefix = '/api/crm/v1') {
  return t.request(`${prefix}/passthrough`, { method: 'POST', apiKey, headers: { 'x-account-token': tokens[vendor]! }, json: body });
}

const runtime = (vendor: VendorSlug) => mountedSandbox(t, vendor).emulator.runtime;

describe('every method against each emulator', () => {
  it('Salesforce: GET, HEAD, OPTIONS, POST, PATCH, PUT, DELETE', async () => {
    const base = '/services/data/v62.0';
    const q = await passthrough('salesforce', { method: 'GET', path: `${base}/query?q=SELECT+Id,Name+FROM+Account+LIMIT+2` });
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ method: 'GET', path: `${base}/query?q=SELECT+Id,Name+FROM+Account+LIMIT+2`, status: 200, response_type: 'JSON' });
    expect(q.body.response.records).toHaveLength(2);
    expect(q.body.response_headers['content-type']).toContain('application/json');
    expect(q.body.headers.authorization).toBe('<redacted>');

    const head = await passthrough('salesforce', { method: 'HEAD', path: `${base}/limits` });
    expect(head.body).toMatchObject({ method: 'HEAD', status: 200, response: null });

    const created = await passthrough('salesforce', { method: 'POST', path: `${base}/sobjects/Account`, data: JSON.stringify({ Name: 'Passthrough Co' }), headers: { 'Content-Type': 'application/json' } });
    expect(created.body.status).toBe(201);
    const id = created.body.response.id as string;
    expect(created.body.response.success).toBe(true);

    const patched = await passthrough('salesforce', { method: 'PATCH', path: `${base}/sobjects/Account/${id}`, data: { Name: 'Passthrough Co 2' }, request_format: 'JSON' });
    expect(patched.body).toMatchObject({ status: 204, response: null });
    const read = await passthrough('salesforce', { method: 'get', path: `${base}/sobjects/Account/${id}?fields=Name` });
    expect(read.body.response.Name).toBe('Passthrough Co 2');

    // Salesforce has no PUT or OPTIONS on sObject rows: the vendor's own answer comes back.
    const put = await passthrough('salesforce', { method: 'PUT', path: `${base}/sobjects/Account/${id}`, data: { Name: 'x' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ method: 'PUT', status: 404, response: [{ errorCode: 'NOT_FOUND' }] });
    const options = await passthrough('salesforce', { method: 'OPTIONS', path: `${base}/sobjects/Account` });
    expect(options.body).toMatchObject({ method: 'OPTIONS', status: 404, response: [{ errorCode: 'NOT_FOUND' }] });

    const deleted = await passthrough('salesforce', { method: 'DELETE', path: `${base}/sobjects/Account/${id}` });
    expect(deleted.body.status).toBe(204);
    const gone = await passthrough('salesforce', { method: 'GET', path: `${base}/sobjects/Account/${id}` });
    expect(gone.body.status).toBe(404);
    expect(gone.body.response[0].errorCode).toBe('NOT_FOUND');
  });

  it('HubSpot: GET, HEAD, OPTIONS, POST, PATCH, PUT, DELETE', async () => {
    const list = await passthrough('hubspot', { method: 'GET', path: '/crm/v3/objects/contacts?limit=2&properties=email' });
    expect(list.body.status).toBe(200);
    expect(list.body.response.results).toHaveLength(2);
    const contactId = list.body.response.results[0].id as string;

    const head = await passthrough('hubspot', { method: 'HEAD', path: '/crm/v3/objects/contacts?limit=1' });
    expect(head.body).toMatchObject({ status: 200, response: null });

    const created = await passthrough('hubspot', { method: 'POST', path: '/crm/v3/objects/companies', data: JSON.stringify({ properties: { name: 'Passthrough Inc' } }), request_format: 'JSON' });
    expect(created.body.status).toBe(201);
    const id = created.body.response.id as string;
    const patched = await passthrough('hubspot', { method: 'PATCH', path: `/crm/v3/objects/companies/${id}`, data: { properties: { name: 'Passthrough Inc 2' } } });
    expect(patched.body.status).toBe(200);
    expect(patched.body.response.properties.name).toBe('Passthrough Inc 2');

    const put = await passthrough('hubspot', { method: 'PUT', path: `/crm/v4/objects/companies/${id}/associations/default/contacts/${contactId}` });
    expect(put.body.status).toBeLessThan(300);
    const assoc = await passthrough('hubspot', { method: 'GET', path: `/crm/v4/objects/companies/${id}/associations/contacts` });
    expect(assoc.body.response.results.map((r: { toObjectId: unknown }) => String(r.toObjectId))).toContain(contactId);

    const options = await passthrough('hubspot', { method: 'OPTIONS', path: '/crm/v3/objects/companies' });
    expect(options.body).toMatchObject({ method: 'OPTIONS', status: 404 });

    const deleted = await passthrough('hubspot', { method: 'DELETE', path: `/crm/v3/objects/companies/${id}` });
    expect(deleted.body.status).toBe(204);
  });

  it('Zoho: GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE', async () => {
    const list = await passthrough('zoho', { method: 'GET', path: '/crm/v8/Contacts?fields=Last_Name,Email&per_page=2' });
    expect(list.body.status).toBe(200);
    expect(list.body.response.data).toHaveLength(2);
    const head = await passthrough('zoho', { method: 'HEAD', path: '/crm/v8/Contacts?fields=Last_Name&per_page=1' });
    expect(head.body).toMatchObject({ status: 200, response: null });

    const created = await passthrough('zoho', { method: 'POST', path: '/crm/v8/Accounts', data: { data: [{ Account_Name: 'Passthrough GmbH' }] } });
    expect(created.body.status).toBe(201);
    const id = created.body.response.data[0].details.id as string;
    const put = await passthrough('zoho', { method: 'PUT', path: `/crm/v8/Accounts/${id}`, data: { data: [{ Account_Name: 'Passthrough GmbH 2' }] } });
    expect(put.body.status).toBe(200);
    const read = await passthrough('zoho', { method: 'GET', path: `/crm/v8/Accounts/${id}?fields=Account_Name` });
    expect(read.body.response.data[0].Account_Name).toBe('Passthrough GmbH 2');

    const patch = await passthrough('zoho', { method: 'PATCH', path: `/crm/v8/Accounts/${id}`, data: { data: [{ Account_Name: 'x' }] } });
    expect(patch.body).toMatchObject({ method: 'PATCH', status: 404, response: { code: 'INVALID_URL_PATTERN' } });
    const options = await passthrough('zoho', { method: 'OPTIONS', path: '/crm/v8/Accounts' });
    expect(options.body).toMatchObject({ method: 'OPTIONS', status: 404, response: { code: 'INVALID_URL_PATTERN' } });

    const deleted = await passthrough('zoho', { method: 'DELETE', path: `/crm/v8/Accounts/${id}` });
    expect(deleted.body.status).toBe(200);
    expect(deleted.body.response.data[0].code).toBe('SUCCESS');
  });

  it('serves the /crm/v1 alias too and answers normalize_response', async () => {
    const res = await passthrough('hubspot', { method: 'GET', path: '/crm/v3/objects/contacts?limit=1', normalize_response: true }, '/crm/v1');
    expect(res.status).toBe(200);
    expect(res.body.response.type).toBe('object');
    expect(res.body.response.value.results).toHaveLength(1);
  });
});

describe('request formats', () => {
  it('XML body and XML answer reach Salesforce intact', async () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?><Account><Name>XML &amp; Sons &lt;Ltd&gt;</Name><Phone xsi:nil="true"/></Account>';
    const res = await passthrough('salesforce', {
      method: 'POST',
      path: '/services/data/v62.0/sobjects/Account',
      data: xml,
      request_format: 'XML',
      headers: { Accept: 'application/xml' },
    });
    expect(res.body.status).toBe(201);
    expect(typeof res.body.response).toBe('string');
    const id = /<id>([^<]+)<\/id>/.exec(res.body.response as string)?.[1];
    expect(id).toBeTruthy();
    const read = await passthrough('salesforce', { method: 'GET', path: `/services/data/v62.0/sobjects/Account/${id}?fields=Name,Phone` });
    expect(read.body.response).toMatchObject({ Name: 'XML & Sons <Ltd>', Phone: null });
  });

  it('multipart body (Merge multipart_form_data, all encodings) reaches Salesforce intact', async () => {
    const fields = { Name: 'Multipart Ltd', Description: 'sent as a multipart part' };
    const res = await passthrough('salesforce', {
      method: 'POST',
      path: '/services/data/v62.0/sobjects/Account',
      request_format: 'MULTIPART',
      multipart_form_data: [
        { name: 'entity_account', data: Buffer.from(JSON.stringify(fields)).toString('base64'), encoding: 'BASE64', content_type: 'application/json' },
        { name: 'Body', data: 'aGVsbG8gd29ybGQ=', encoding: 'BASE64', file_name: 'hello.txt', content_type: 'text/plain' },
        { name: 'note', data: 'raw text' },
      ],
    });
    expect(res.body.status).toBe(201);
    expect(res.body.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const read = await passthrough('salesforce', { method: 'GET', path: `/services/data/v62.0/sobjects/Account/${res.body.response.id}?fields=Name,Description` });
    expect(read.body.response).toMatchObject(fields);
  });

  it('a malformed XML body gets the vendor’s own parser error', async () => {
    const res = await passthrough('salesforce', { method: 'POST', path: '/services/data/v62.0/sobjects/Account', data: '<Account><Name>x</Account>', request_format: 'XML' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe(400);
    expect(res.body.response[0].errorCode).toBe('XML_PARSER_ERROR');
  });

  it('rejects bodies that do not fit the method or format, naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ method: 'GET', path: '/crm/v3/objects/contacts', data: '{}' }, '/body/data'],
      [{ method: 'POST', path: '/crm/v3/objects/contacts', request_format: 'MULTIPART' }, '/body/multipart_form_data'],
      [{ method: 'POST', path: '/crm/v3/objects/contacts', request_format: 'XML', data: { a: 1 } }, '/body/data'],
      [{ method: 'POST', path: '/x', request_format: 'MULTIPART', multipart_form_data: [{ name: 'a"b', data: 'x' }] }, '/body/multipart_form_data/0/name'],
      [{ method: 'POST', path: '/x', request_format: 'MULTIPART', multipart_form_data: [{ name: 'a', data: '!!', encoding: 'BASE64' }] }, '/body/multipart_form_data/0/data'],
      [{ method: 'POST', path: '/x', request_format: 'CSV', data: 'a' }, '/body/request_format'],
      [{ method: 'TRACE', path: '/x' }, '/body/method'],
      [{ path: '/x' }, '/body/method'],
    ];
    cases.push([[{ method: 'GET', path: '/x' }], '/body']);
    for (const [body, pointer] of cases) {
      const res = await passthrough('hubspot', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors[0].source.pointer).toBe(pointer);
    }
  });
});

describe('credentials, limits and budget', () => {
  it('answers 413 for a request body past BODY_LIMIT_BYTES', async () => {
    const res = await passthrough('hubspot', { method: 'POST', path: '/crm/v3/objects/companies', data: 'x'.repeat(1_100_000) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBeTruthy();
  });

  it('refreshes the token once after a 401 and retries', async () => {
    const rt = runtime('zoho');
    const refreshesBefore = rt.tokens.stats.refreshes;
    rt.tokens.expireAllAccessTokens();
    const res = await passthrough('zoho', { method: 'GET', path: '/crm/v8/Contacts?fields=Last_Name&per_page=1' });
    expect(res.body.status, JSON.stringify(res.body)).toBe(200);
    expect(rt.tokens.stats.refreshes - refreshesBefore).toBe(1);
  });

  it('answers 413 when the vendor’s answer passes the size limit, and stops reading', async () => {
    // 10 000 bytes is the limit of this server; Salesforce's describe of Account is about twice that.
    const res = await passthrough('salesforce', { method: 'GET', path: '/services/data/v62.0/sobjects/Account/describe' });
    expect(res.status, `${JSON.stringify(res.body).length}`).toBe(413);
    expect(res.body.code).toBe('RESPONSE_TOO_LARGE');
    const small = await passthrough('salesforce', { method: 'GET', path: '/services/data/v62.0/limits' });
    expect(small.status).toBe(200);
  });

  it('answers 408 when the vendor does not answer in time', async () => {
    const rt = runtime('hubspot');
    rt.faults.set({ errorRates: {}, latencyMs: 4_000, dropRate: 0 });
    try {
      const res = await passthrough('hubspot', { method: 'POST', path: '/crm/v3/objects/companies', data: { properties: { name: 'slow' } } });
      expect(res.status).toBe(408);
      expect(res.body.code).toBe('PASSTHROUGH_TIMEOUT');
      expect(res.body.detail).toContain('async-passthrough');
    } finally {
      rt.faults.reset();
    }
  }, 30_000);

  it('shares the account’s rate-limit budget: a vendor 429 is visible and honoured by every caller', async () => {
    const rt = runtime('hubspot');
    const daily = rt.budgets().daily!;
    const saved = daily.settings;
    daily.configure({ limit: 0, windowMs: 86_400_000 });
    try {
      const first = await passthrough('hubspot', { method: 'GET', path: '/crm/v3/objects/contacts?limit=1' });
      expect(first.status).toBe(200);
      expect(first.body.status).toBe(429);
      expect(first.body.response_headers['x-hubspot-ratelimit-daily-remaining']).toBe('0');
      const seen = rt.apiRequests;
      // The same account's unified API calls and further pass-throughs now wait instead of spending more budget.
      const list = await t.request('/api/crm/v1/contacts?page_size=1', { apiKey, headers: { 'x-account-token': tokens.hubspot! } });
      expect(list.status).toBe(429);
      expect(Number(list.headers.get('retry-after'))).toBeGreaterThan(60);
      const again = await passthrough('hubspot', { method: 'GET', path: '/crm/v3/objects/contacts?limit=1' });
      expect(again.status).toBe(429);
      expect(again.body.code).toBe('VENDOR_RATE_LIMITED');
      expect(rt.apiRequests).toBe(seen);
    } finally {
      daily.configure(saved);
    }
  });
});

describe('official Merge SDK', () => {
  it('passthrough.create and asyncPassthrough.create / retrieve work unchanged', async () => {
    const merge = new MergeClient({ apiKey, accountToken: tokens.salesforce!, baseUrl: `${t.url}/api` });
    const res = await merge.crm.passthrough.create({ method: 'GET', path: '/services/data/v62.0/limits', headers: { Accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.method).toBe('GET');
    expect((res.response as { DailyApiRequests?: unknown }).DailyApiRequests).toBeDefined();
    expect(res.responseHeaders?.['content-type']).toContain('json');

    const receipt = await merge.crm.asyncPassthrough.create({ method: 'POST', path: '/services/data/v62.0/sobjects/Account', data: JSON.stringify({ Name: 'Async SDK Co' }), requestFormat: 'JSON' });
    expect(receipt.asyncPassthroughReceiptId).toMatch(/^[0-9a-f-]{36}$/);
    let result = await merge.crm.asyncPassthrough.retrieve(receipt.asyncPassthroughReceiptId);
    for (let i = 0; typeof result === 'string' && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      result = await merge.crm.asyncPassthrough.retrieve(receipt.asyncPassthroughReceiptId);
    }
    expect(typeof result).toBe('object');
    const remote = result as { status: number; response: { id: string; success: boolean } };
    expect(remote.status).toBe(201);
    expect(remote.response.success).toBe(true);
  });

  it('the SDK sees a 400 for a hostile path', async () => {
    const merge = new MergeClient({ apiKey, accountToken: tokens.hubspot!, baseUrl: t.url, maxRetries: 0 });
    await expect(merge.crm.passthrough.create({ method: 'GET', path: 'https://evil.example/' })).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('async pass-through', () => {
  const poll = async (id: string, token: string) => {
    let res = await t.request(`/api/crm/v1/async-passthrough/${id}`, { apiKey, headers: { 'x-account-token': token } });
    for (let i = 0; res.status === 202 && i < 600; i++) {
      await new Promise((r) => setTimeout(r, 50));
      res = await t.request(`/api/crm/v1/async-passthrough/${id}`, { apiKey, headers: { 'x-account-token': token } });
    }
    return res;
  };

  it('answers the result once done; receipts are scoped to their organization and account', async () => {
    const created = await t.request('/api/crm/v1/async-passthrough', { method: 'POST', apiKey, headers: { 'x-account-token': tokens.zoho! }, json: { method: 'GET', path: '/crm/v8/Contacts?fields=Last_Name&per_page=1' } });
    expect(created.status).toBe(200);
    const id = created.body.async_passthrough_receipt_id as string;
    const done = await poll(id, tokens.zoho!);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ method: 'GET', status: 200, response_type: 'JSON' });
    expect(done.body.response.data).toHaveLength(1);

    // Another linked account of the same organization, and another organization, see nothing.
    const otherAccount = await t.request(`/api/crm/v1/async-passthrough/${id}`, { apiKey, headers: { 'x-account-token': tokens.hubspot! } });
    expect(otherAccount.status).toBe(404);
    const stranger = await t.createOrganization();
    const strangerAccount = await linkSandboxAccount(t, stranger.organizationId, 'zoho');
    const otherOrg = await t.request(`/api/crm/v1/async-passthrough/${id}`, { apiKey: stranger.apiKey, headers: { 'x-account-token': strangerAccount.accountToken } });
    expect(otherOrg.status).toBe(404);
    const bad = await t.request('/api/crm/v1/async-passthrough/not-a-uuid', { apiKey, headers: { 'x-account-token': tokens.zoho! } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].source.pointer).toBe('/path/async_passthrough_receipt_id');

    // Stored encrypted: neither the path nor the answer is readable in the table.
    const row = await t.db.prisma.asyncPassthroughReceipt.findUniqueOrThrow({ where: { id } });
    expect(row.requestCipher).toMatch(/^v1\./);
    expect(row.requestCipher).not.toContain('crm/v8');
    expect(row.resultCipher).toMatch(/^v1\./);
    expect(row.resultCipher).not.toContain('Last_Name');
  });

  it('answers 202 while the vendor is slow, then stores the timeout as a 408', async () => {
    // The vendor takes 8 s; async pass-through waits 4 x 1.5 s = 6 s, so the job cannot be done before its timeout.
    const rt = runtime('salesforce');
    rt.faults.set({ errorRates: {}, latencyMs: 8_000, dropRate: 0 });
    try {
      const created = await t.request('/api/crm/v1/async-passthrough', { method: 'POST', apiKey, headers: { 'x-account-token': tokens.salesforce! }, json: { method: 'GET', path: '/services/data/v62.0/limits' } });
      const id = created.body.async_passthrough_receipt_id as string;
      const pending = await t.request(`/api/crm/v1/async-passthrough/${id}`, { apiKey, headers: { 'x-account-token': tokens.salesforce! } });
      expect(pending.status).toBe(202);
      expect(typeof pending.body).toBe('string');
      expect(pending.headers.get('retry-after')).toBe('1');
      const done = await poll(id, tokens.salesforce!);
      expect(done.status).toBe(408);
      expect(done.body.code).toBe('PASSTHROUGH_TIMEOUT');
    } finally {
      rt.faults.reset();
    }
  }, 60_000);

  it('answers a receipt whose process died mid-request as interrupted (never re-sent)', async () => {
    const account = await t.db.prisma.linkedAccount.findUniqueOrThrow({ where: { id: accountIds.zoho! } });
    const row = await t.db.prisma.asyncPassthroughReceipt.create({
      data: { organizationId: account.organizationId, linkedAccountId: account.id, status: 'RUNNING', requestCipher: 'v1.x.x.x.x', createdAt: new Date(Date.now() - 60 * 60_000), expiresAt: new Date(Date.now() + 60_000) },
    });
    const res = await t.request(`/api/crm/v1/async-passthrough/${row.id}`, { apiKey, headers: { 'x-account-token': tokens.zoho! } });
    expect(res.status).toBe(502);
    expect(res.body.code).toBe('PASSTHROUGH_INTERRUPTED');
  });

  it('validates before queueing', async () => {
    const before = await t.db.prisma.asyncPassthroughReceipt.count();
    const hostile = await t.request('/api/crm/v1/async-passthrough', { method: 'POST', apiKey, headers: { 'x-account-token': tokens.zoho! }, json: { method: 'GET', path: '//evil.example/' } });
    expect(hostile.status).toBe(400);
    expect(hostile.body.errors[0].source.pointer).toBe('/body/path');
    expect(await t.db.prisma.asyncPassthroughReceipt.count()).toBe(before);
  });
});
