import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VendorSlug } from '../../src/integrations/contract';
import { SANDBOX_VENDORS } from '../../src/sandbox/registry';
import { linkSandboxAccount, mountedSandbox } from '../support/linked-account';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * SSRF: hostile pass-through inputs are a 400 naming the field, and nothing leaves the server:
 * a canary HTTP server that most inputs aim at sees no request, and neither does the vendor
 * emulator the account is linked to.
 */

let t: TestApp;
let apiKey: string;
let canary: Server;
let canaryHits = 0;
let canaryHost: string;
const tokens: Partial<Record<VendorSlug, string>> = {};

beforeAll(async () => {
  canary = createServer((req, res) => {
    canaryHits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"stolen":true}');
  });
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  canaryHost = `127.0.0.1:${(canary.address() as AddressInfo).port}`;
  t = await startTestApp({ SANDBOX_CONTACTS: '4' });
  const org = await t.createOrganization();
  apiKey = org.apiKey;
  for (const vendor of SANDBOX_VENDORS) tokens[vendor] = (await linkSandboxAccount(t, org.organizationId, vendor)).accountToken;
}, 120_000);

afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => canary?.close(resolve));
});

type Case = [name: string, body: (ctx: { sandboxBase: string; otherSandboxBase: string }) => Record<string, unknown>, pointer: string];

const GET = (path: string, extra: Record<string, unknown> = {}) => ({ method: 'GET', path, ...extra });

const CASES: Case[] = [
  ['absolute http URL to another host', () => GET(`http://${canaryHost}/`), '/body/path'],
  ['absolute https URL', () => GET('https://evil.example/steal'), '/body/path'],
  ['cloud metadata IP', () => GET('http://169.254.169.254/latest/meta-data/iam/security-credentials/'), '/body/path'],
  ['IPv6 literal', () => GET(`http://[::ffff:127.0.0.1]:${canaryHost.split(':')[1]}/`), '/body/path'],
  ['scheme-relative //host', () => GET(`//${canaryHost}/x`), '/body/path'],
  ['dot-dot then //host', () => GET(`/..//${canaryHost}/x`), '/body/path'],
  ['dot-dot out of the emulator into our own API', () => GET('/../../api/crm/v1/linked-accounts'), '/body/path'],
  ['percent-encoded dot-dot', () => GET('/%2e%2e/%2e%2e/api/crm/v1/linked-accounts'), '/body/path'],
  ['double-encoded dot-dot', () => GET('/%252e%252e/%252e%252e/health'), '/body/path'],
  ['mixed dot and encoded dot', () => GET('/.%2E/.%2e/health'), '/body/path'],
  ['encoded //host', () => GET(`/%2F%2F${canaryHost}/x`), '/body/path'],
  ['backslash host', () => GET(`/\\${canaryHost}/x`), '/body/path'],
  ['encoded backslash', () => GET('/x/%5c..%5c..%5chealth'), '/body/path'],
  ['userinfo trick without slash', () => GET(`@${canaryHost}/x`), '/body/path'],
  ['userinfo trick with scheme', () => GET(`http://api.hubapi.com@${canaryHost}/`), '/body/path'],
  ['CR/LF request splitting', () => GET('/x HTTP/1.1\r\nHost: evil.example\r\n\r\nGET /'), '/body/path'],
  ['encoded CR/LF header injection in the query', () => GET('/x?a=%0d%0aAuthorization:%20Bearer%20evil'), '/body/path'],
  ['fragment', () => GET('/x#@evil.example'), '/body/path'],
  ['base_url_override to another host', () => GET('/x', { base_url_override: `http://${canaryHost}` }), '/body/base_url_override'],
  ['base_url_override lookalike', () => GET('/x', { base_url_override: 'https://salesforce.com.evil.example' }), '/body/base_url_override'],
  ['base_url_override to the metadata IP', () => GET('/x', { base_url_override: 'http://169.254.169.254' }), '/body/base_url_override'],
  ['base_url_override with userinfo', (c) => GET('/x', { base_url_override: c.sandboxBase.replace('://', '://user:pw@') }), '/body/base_url_override'],
  ['base_url_override escaping the emulator with ..', (c) => GET('/x', { base_url_override: `${c.sandboxBase}/../../api/crm/v1` }), '/body/base_url_override'],
  ['base_url_override to another vendor’s emulator', (c) => GET('/x', { base_url_override: c.otherSandboxBase }), '/body/base_url_override'],
  ['Authorization header override', () => GET('/x', { headers: { Authorization: 'Bearer attacker' } }), '/body/headers/Authorization'],
  ['lower-case authorization override', () => GET('/x', { headers: { authorization: 'Zoho-oauthtoken attacker' } }), '/body/headers/authorization'],
  ['Cookie header', () => GET('/x', { headers: { Cookie: 'sid=attacker' } }), '/body/headers/Cookie'],
  ['X-Account-Token header', () => GET('/x', { headers: { 'X-Account-Token': 'sba_other' } }), '/body/headers/X-Account-Token'],
  ['Host header', () => GET('/x', { headers: { Host: 'evil.example' } }), '/body/headers/Host'],
  ['X-Forwarded-Host header', () => GET('/x', { headers: { 'X-Forwarded-Host': 'evil.example' } }), '/body/headers/X-Forwarded-Host'],
  ['header value with CR/LF', () => GET('/x', { headers: { 'X-Note': 'a\r\nAuthorization: Bearer attacker' } }), '/body/headers/X-Note'],
];

describe.each(SANDBOX_VENDORS)('SSRF guard (%s account)', (vendor) => {
  it(`rejects ${CASES.length} hostile inputs with a 400 naming the field and sends nothing`, async () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
    const sandbox = mountedSandbox(t, vendor);
    const other = mountedSandbox(t, SANDBOX_VENDORS.find((v) => v !== vendor)!);
    const runtime = sandbox.emulator.runtime;
    const apiBefore = runtime.apiRequests;
    const refreshesBefore = runtime.tokens.stats.refreshes;
    for (const [name, build, pointer] of CASES) {
      const body = build({ sandboxBase: sandbox.baseUrl, otherSandboxBase: other.baseUrl });
      for (const route of ['passthrough', 'async-passthrough']) {
        const res = await t.request(`/api/crm/v1/${route}`, { method: 'POST', apiKey, headers: { 'x-account-token': tokens[vendor]! }, json: body });
        expect(res.status, `${route}: ${name}: ${res.text}`).toBe(400);
        expect(res.body.errors[0].source.pointer, `${route}: ${name}`).toBe(pointer);
        expect(res.text).not.toContain('stolen');
      }
    }
    expect(canaryHits).toBe(0);
    expect(runtime.apiRequests).toBe(apiBefore);
    expect(runtime.tokens.stats.refreshes).toBe(refreshesBefore);
    // Nothing was queued either: no receipt exists for a rejected async request.
    expect(await t.db.prisma.asyncPassthroughReceipt.count()).toBe(0);
  });

  it('a legitimate request on the same account still works (the guard is not simply closed)', async () => {
    const path = { salesforce: '/services/data/v62.0/limits', hubspot: '/crm/v3/objects/contacts?limit=1', zoho: '/crm/v8/Contacts?fields=Last_Name&per_page=1' }[vendor];
    const sandbox = mountedSandbox(t, vendor);
    const res = await t.request('/api/crm/v1/passthrough', {
      method: 'POST',
      apiKey,
      headers: { 'x-account-token': tokens[vendor]! },
      json: { method: 'GET', path, base_url_override: sandbox.baseUrl, headers: { Accept: 'application/json' } },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe(200);
    expect(canaryHits).toBe(0);
  });
});
