import * as hubspot from '@hubspot/api-client';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_VENDORS } from '../../src/sandbox/registry';
import { startTestApp, type TestApp } from '../support/test-app';

/** Sandbox mode inside the server: emulators mounted under /sandbox/<vendor>, reachable by SDKs. */
describe('sandbox vendors mounted in the server', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SANDBOX_CONTACTS: '120' });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function issueToken(vendor: string): Promise<Record<string, any>> {
    const res = await t.request(`/sandbox/${vendor}/__sandbox/tokens`, { method: 'POST', json: {} });
    expect(res.status).toBe(200);
    return res.body;
  }

  it('serves Salesforce under its prefix; jsforce follows instance_url and nextRecordsUrl', async () => {
    const token = await issueToken('salesforce');
    expect(token.instance_url).toBe(`${t.url}/sandbox/salesforce`);
    const conn = new jsforce.Connection({ instanceUrl: token.instance_url, accessToken: token.access_token, version: '62.0' });
    const result = await conn.query('SELECT Id, LastName FROM Contact', { autoFetch: true, maxFetch: 10_000 });
    expect(result.totalSize).toBe(120);
    expect(result.records).toHaveLength(120);
  });

  it('serves HubSpot under its prefix for the official client', async () => {
    const token = await issueToken('hubspot');
    const client = new hubspot.Client({ accessToken: token.access_token, basePath: `${t.url}/sandbox/hubspot` });
    const all = await client.crm.contacts.getAll(100);
    expect(all).toHaveLength(120);
  });

  it('serves Zoho under its prefix with api_domain pointing back at it', async () => {
    const token = await issueToken('zoho');
    expect(token.api_domain).toBe(`${t.url}/sandbox/zoho`);
    const res = await fetch(`${token.api_domain}/crm/v8/Contacts?fields=Last_Name&per_page=200`, { headers: { authorization: `Zoho-oauthtoken ${token.access_token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(120);
  });

  it('keeps the sandbox outside API-key auth and the CRM rate limit', async () => {
    const res = await t.request('/sandbox/hubspot/__sandbox');
    expect(res.status).toBe(200);
    expect(res.body.vendor).toBe('hubspot');
  });
});

describe('vendors with real credentials are not sandboxed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SALESFORCE_CLIENT_ID: 'id', SALESFORCE_CLIENT_SECRET: 'secret' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('mounts no Salesforce emulator, but still the others', async () => {
    expect((await t.request('/sandbox/salesforce/__sandbox')).status).toBe(404);
    expect((await t.request('/sandbox/zoho/__sandbox')).status).toBe(200);
  });
});

describe('SANDBOX=off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SANDBOX: 'off' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('mounts nothing', async () => {
    for (const vendor of SANDBOX_VENDORS) expect((await t.request(`/sandbox/${vendor}/__sandbox`)).status).toBe(404);
  });
});
