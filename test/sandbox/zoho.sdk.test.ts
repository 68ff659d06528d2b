import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Z from '@zohocrm/typescript-sdk-8.0';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandalone, type RunningEmulator } from '../../src/sandbox/common/standalone';
import { createZohoEmulator } from '../../src/sandbox/zoho/emulator';
import type { ZohoRuntime } from '../../src/sandbox/zoho/runtime';

/**
 * Conformance of the Zoho CRM emulator with the official TypeScript SDK (@zohocrm/typescript-sdk-8.0),
 * pointed at the emulator through a custom Environment (vendor-apis.md section 8.3).
 */

const CONTACTS = 10_000;
const CLIENT_ID = '1000.SDKTESTCLIENT';
const CLIENT_SECRET = 'sdk-test-secret';
const REDIRECT = 'http://127.0.0.1:9/callback';

let running: RunningEmulator;
let runtime: ZohoRuntime;
let url: string;
let dir: string;

async function control(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/** The consent step with plain HTTP: GET the page, POST the form, read the redirect. */
async function authorize(state: string): Promise<URL> {
  const q = new URLSearchParams({
    scope: 'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.users.READ,ZohoCRM.org.READ',
    client_id: CLIENT_ID, response_type: 'code', access_type: 'offline', prompt: 'consent', redirect_uri: REDIRECT, state,
  });
  const page = await fetch(`${url}/oauth/v2/auth?${q}`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('name="tenant" value="sandbox-1"');
  expect(html).toContain('name="tenant" value="sandbox-2"');
  expect(html).toContain('<button id="allow" name="decision" value="allow"');
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] as string;
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(m[1], m[2].replace(/&amp;/g, '&'));
  form.set('tenant', 'sandbox-1');
  form.set('decision', 'allow');
  const res = await fetch(`${url}${action}`, { method: 'POST', body: form, redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') as string);
}

async function initSdk(token: ReturnType<Z.OAuthBuilder['build']>): Promise<void> {
  const env = new Z.Environment(url, `${url}/oauth/v2/token`, url);
  await (await new Z.InitializeBuilder())
    .environment(env)
    .token(token)
    .store(new Z.FileStore(join(dir, 'tokens.txt')))
    .SDKConfig(new Z.SDKConfigBuilder().pickListValidation(false).autoRefreshFields(false).build())
    .resourcePath(dir)
    .logger(new Z.LogBuilder().level(Z.Levels.OFF).filePath(join(dir, 'sdk.log')).build())
    .initialize();
}

async function listPage(params: { fields: string; perPage?: number; pageToken?: string; page?: number }, since?: Date) {
  const p = new Z.ParameterMap();
  await p.add(Z.Record.GetRecordsParam.FIELDS, params.fields);
  if (params.perPage) await p.add(Z.Record.GetRecordsParam.PER_PAGE, params.perPage);
  if (params.pageToken) await p.add(Z.Record.GetRecordsParam.PAGE_TOKEN, params.pageToken);
  if (params.page) await p.add(Z.Record.GetRecordsParam.PAGE, params.page);
  const h = new Z.HeaderMap();
  if (since) await h.add(Z.Record.GetRecordsHeader.IF_MODIFIED_SINCE, since);
  return new Z.Record.RecordOperations('Contacts').getRecords(p, h);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zoho-sdk-'));
  const emulator = createZohoEmulator({ contacts: CONTACTS, seed: 42 });
  runtime = emulator.runtime as ZohoRuntime;
  running = await startStandalone(emulator);
  url = running.url;
});

afterAll(async () => {
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Zoho CRM emulator with the official TypeScript SDK', () => {
  it('exchanges a grant token from the consent page, then refreshes by itself after forced expiry', async () => {
    const redirect = await authorize('xyz-state');
    expect(redirect.searchParams.get('state')).toBe('xyz-state');
    expect(redirect.searchParams.get('location')).toBe('us');
    expect(redirect.searchParams.get('accounts-server')).toBe(url);
    const code = redirect.searchParams.get('code') as string;
    expect(code).toMatch(/^1000\./);

    // Short-lived tokens: the SDK refreshes when fewer than 5 s remain.
    await control('PUT', '/__sandbox/settings', { accessTokenTtlSeconds: 5 });
    const token = new Z.OAuthBuilder().clientId(CLIENT_ID).clientSecret(CLIENT_SECRET).grantToken(code).redirectURL(REDIRECT).build();
    await initSdk(token);
    const first = await listPage({ fields: 'Last_Name,Email', perPage: 3 });
    expect(first.getStatusCode()).toBe(200);
    expect(runtime.tokens.stats.codeExchanges).toBe(1);

    // Every access token issued so far is now expired at the vendor.
    const expired = await control('POST', '/__sandbox/tokens/expire');
    expect(expired.expired).toBeGreaterThan(0);
    const refreshesBefore = runtime.tokens.stats.refreshes;
    const second = await listPage({ fields: 'Last_Name,Email', perPage: 3 });
    expect(second.getStatusCode()).toBe(200);
    expect(runtime.tokens.stats.refreshes).toBeGreaterThan(refreshesBefore);
    await control('PUT', '/__sandbox/settings', { accessTokenTtlSeconds: 3600 });
  });

  it('serves users?type=CurrentUser and org for the SDK (findUser)', async () => {
    const users = await new Z.Users.UsersOperations().getUsers(await (async () => {
      const p = new Z.ParameterMap();
      await p.add(Z.Users.GetUsersParam.TYPE, 'CurrentUser');
      return p;
    })());
    const wrapper = users.getObject() as Z.Users.ResponseWrapper;
    expect(wrapper).toBeInstanceOf(Z.Users.ResponseWrapper);
    expect(wrapper.getUsers()[0].getEmail()).toMatch(/@sandbox-crm\.example$/);
    const org = (await new Z.Org.OrgOperations().getOrganization()).getObject() as Z.Org.ResponseWrapper;
    expect(org.getOrg()[0].getZgid()).toBeTruthy();
  });

  it('pages through 10,000 contacts with page_token: every record exactly once', async () => {
    const ids = new Set<string>();
    let pageToken: string | undefined;
    let pages = 0;
    for (;;) {
      const res = await listPage({ fields: 'Last_Name,Email,Account_Name,Owner,Modified_Time', perPage: 200, pageToken });
      expect(res.getStatusCode()).toBe(200);
      const wrapper = res.getObject() as Z.Record.ResponseWrapper;
      for (const r of wrapper.getData()) ids.add(String(r.getId()));
      pages++;
      const info = wrapper.getInfo();
      if (!info.getMoreRecords()) break;
      pageToken = info.getNextPageToken();
      expect(pageToken).toBeTruthy();
    }
    expect(pages).toBe(CONTACTS / 200);
    expect(ids.size).toBe(runtime.tenant('sandbox-1').modules.Contacts.coll.liveCount);
    expect(ids.size).toBe(CONTACTS);
  });

  it('reads incrementally with If-Modified-Since and finds deleted records', async () => {
    const since = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
    const changed = await control('POST', '/__sandbox/mutate', { object: 'Contacts', create: 2, update: 5, delete: 3 });
    expect(changed.updated).toHaveLength(5);
    const res = await listPage({ fields: 'Last_Name,Modified_Time', perPage: 200 }, since);
    expect(res.getStatusCode()).toBe(200);
    const got = (res.getObject() as Z.Record.ResponseWrapper).getData().map((r) => String(r.getId()));
    const deleted = new Set<string>(changed.deleted);
    const expected = [...changed.created, ...changed.updated].filter((id: string) => !deleted.has(id));
    expect(new Set(got)).toEqual(new Set(expected));

    const p = new Z.ParameterMap();
    await p.add(Z.Record.GetDeletedRecordsParam.TYPE, 'all');
    const del = await new Z.Record.RecordOperations('Contacts').getDeletedRecords(p);
    expect(del.getStatusCode()).toBe(200);
    const delIds = (del.getObject() as Z.Record.DeletedRecordsWrapper).getData().map((d) => String(d.getId()));
    for (const id of changed.deleted) expect(delIds).toContain(id);
  });

  it('creates, updates and deletes a contact; vendor errors surface as APIException', async () => {
    const ops = new Z.Record.RecordOperations('Contacts');
    const rec = new Z.Record.Record();
    rec.addKeyValue('Last_Name', 'Newperson');
    rec.addKeyValue('First_Name', 'Sdk');
    rec.addKeyValue('Email', 'sdk.newperson@example.com');
    const body = new Z.Record.BodyWrapper();
    body.setData([rec]);
    const created = await ops.createRecords(body);
    expect(created.getStatusCode()).toBe(201);
    const action = (created.getObject() as Z.Record.ActionWrapper).getData()[0] as Z.Record.SuccessResponse;
    expect(action).toBeInstanceOf(Z.Record.SuccessResponse);
    expect(action.getCode().getValue()).toBe('SUCCESS');
    const id = BigInt(String(action.getDetails().get('id')));

    const upd = new Z.Record.Record();
    upd.addKeyValue('Title', 'Chief Tester');
    const ub = new Z.Record.BodyWrapper();
    ub.setData([upd]);
    const updated = await ops.updateRecord(id, ub);
    expect(updated.getStatusCode()).toBe(200);
    expect(((updated.getObject() as Z.Record.ActionWrapper).getData()[0] as Z.Record.SuccessResponse).getMessage().getValue()).toBe('record updated');

    const read = await ops.getRecord(id);
    const readRec = (read.getObject() as Z.Record.ResponseWrapper).getData()[0];
    expect(readRec.getKeyValue('Title')).toBe('Chief Tester');
    expect(readRec.getKeyValue('Full_Name')).toBe('Sdk Newperson');

    // Duplicate Email: a per-record APIException inside the ActionWrapper.
    const dupBody = new Z.Record.BodyWrapper();
    const dup = new Z.Record.Record();
    dup.addKeyValue('Last_Name', 'Again');
    dup.addKeyValue('Email', 'SDK.Newperson@example.com');
    dupBody.setData([dup]);
    const dupRes = await ops.createRecords(dupBody);
    expect(dupRes.getStatusCode()).toBe(400);
    const dupErr = (dupRes.getObject() as Z.Record.ActionWrapper).getData()[0] as Z.Record.APIException;
    expect(dupErr).toBeInstanceOf(Z.Record.APIException);
    expect(dupErr.getCode().getValue()).toBe('DUPLICATE_DATA');

    const deleted = await ops.deleteRecord(id);
    expect(deleted.getStatusCode()).toBe(200);
    const gone = await ops.getRecord(id);
    expect(gone.getStatusCode()).toBe(400);
    const err = gone.getObject() as Z.Record.APIException;
    expect(err).toBeInstanceOf(Z.Record.APIException);
    expect(err.getCode().getValue()).toBe('INVALID_DATA');

    // A list without `fields` is refused the way Zoho refuses it.
    const noFields = await new Z.Record.RecordOperations('Contacts').getRecords(new Z.ParameterMap());
    expect(noFields.getStatusCode()).toBe(400);
    expect((noFields.getObject() as Z.Record.APIException).getCode().getValue()).toBe('REQUIRED_PARAM_MISSING');
  });

  it('retries a 429 TOO_MANY_REQUESTS from the credit budget and then succeeds', async () => {
    await listPage({ fields: 'Last_Name', perPage: 1 }); // field metadata already cached after this
    const limitedBefore = runtime.rateLimited;
    await control('PUT', '/__sandbox/settings', { budgets: { credits: { limit: 1, windowMs: 700 } } });
    const a = await listPage({ fields: 'Last_Name', perPage: 1 });
    const b = await listPage({ fields: 'Last_Name', perPage: 1 });
    expect(a.getStatusCode()).toBe(200);
    expect(b.getStatusCode()).toBe(200);
    expect(runtime.rateLimited).toBeGreaterThan(limitedBefore);
    await control('PUT', '/__sandbox/settings', { budgets: { credits: { limit: null } } });
  });
});
