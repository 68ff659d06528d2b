import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as hubspot from '@hubspot/api-client';
import { ApiException } from '@hubspot/api-client/lib/codegen/crm/contacts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandalone, type RunningEmulator } from '../../src/sandbox/common/standalone';
import { createHubspotEmulator } from '../../src/sandbox/hubspot/emulator';
import { signatureV3 } from '../../src/sandbox/hubspot/webhooks';

/**
 * Conformance of the HubSpot emulator with the official SDK (@hubspot/api-client 13.5.0) pointed
 * at it through `basePath`.
 */

const CLIENT_ID = 'sdk-test-client';
const CLIENT_SECRET = 'sdk-test-secret';
const REDIRECT = 'http://127.0.0.1:9/callback';

let server: RunningEmulator;
let url: string;

async function control(path: string, body: unknown, method = 'POST'): Promise<any> {
  const res = await fetch(`${url}/__sandbox${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBeLessThan(300);
  return res.status === 204 ? null : res.json();
}

async function directToken(): Promise<string> {
  return (await control('/tokens', {})).access_token;
}

function sdk(accessToken?: string, retries = 2) {
  return new hubspot.Client({ accessToken, basePath: url, numberOfApiCallRetries: retries });
}

/** The consent step done with plain HTTP: GET the page, POST the form, read the redirect. */
async function authorize(opts: { tenant?: string; decision?: 'allow' | 'deny'; challenge?: string; hubId?: number } = {}): Promise<URL> {
  const path = opts.hubId ? `/oauth/${opts.hubId}/authorize` : '/oauth/authorize';
  const q = new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: 'oauth crm.objects.contacts.read', state: 'st-42' });
  if (opts.challenge) {
    q.set('code_challenge', opts.challenge);
    q.set('code_challenge_method', 'S256');
  }
  const page = await fetch(`${url}${path}?${q}`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('<button id="allow" name="decision" value="allow"');
  expect(html).toContain('<button id="deny" name="decision" value="deny"');
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] as string;
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.set(m[1], m[2].replace(/&#(\d+);/g, (_s, c) => String.fromCharCode(Number(c))));
  const radios = [...html.matchAll(/<input type="radio" name="tenant" value="([^"]+)"/g)].map((m) => m[1]);
  expect(radios.length).toBeGreaterThanOrEqual(1);
  fields.set('tenant', opts.tenant ?? radios[0]);
  fields.set('decision', opts.decision ?? 'allow');
  const res = await fetch(`${url}${action}`, { method: 'POST', body: fields, redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') as string);
}

beforeAll(async () => {
  server = await startStandalone(createHubspotEmulator({ seed: 7, contacts: 10_000 }));
  url = server.url;
});
afterAll(async () => {
  await server?.close();
});

describe('HubSpot emulator with @hubspot/api-client', () => {
  it('OAuth: consent page, code exchange and refresh through tokensApi', async () => {
    const page = await (await fetch(`${url}/oauth/authorize?client_id=${CLIENT_ID}&redirect_uri=${encodeURIComponent(REDIRECT)}`)).text();
    expect([...page.matchAll(/name="tenant"/g)].length).toBeGreaterThanOrEqual(2);
    const redirect = await authorize();
    expect(redirect.origin + redirect.pathname).toBe(REDIRECT);
    expect(redirect.searchParams.get('state')).toBe('st-42');
    const code = redirect.searchParams.get('code') as string;
    const client = sdk();
    const tokens = await client.oauth.tokensApi.create('authorization_code', code, REDIRECT, CLIENT_ID, CLIENT_SECRET);
    expect(tokens.tokenType).toBe('bearer');
    expect(tokens.expiresIn).toBe(1800);
    expect(tokens.accessToken.length).toBeLessThanOrEqual(300);
    // The code is single use.
    await expect(client.oauth.tokensApi.create('authorization_code', code, REDIRECT, CLIENT_ID, CLIENT_SECRET)).rejects.toMatchObject({ code: 400 });
    const info = await client.oauth.accessTokensApi.get(tokens.accessToken);
    expect(info.hubId).toBe(146000101);
    expect(info.scopes).toContain('crm.objects.contacts.read');
    const refreshed = await client.oauth.tokensApi.create('refresh_token', undefined, undefined, CLIENT_ID, CLIENT_SECRET, tokens.refreshToken);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(refreshed.refreshToken).toBe(tokens.refreshToken);
    const page1 = await sdk(refreshed.accessToken).crm.contacts.basicApi.getPage(5);
    expect(page1.results).toHaveLength(5);
    // A wrong secret for a known client is refused.
    await expect(client.oauth.tokensApi.create('refresh_token', undefined, undefined, CLIENT_ID, 'other', tokens.refreshToken)).rejects.toMatchObject({ code: 400 });
    // Revocation through the refresh-token endpoint kills the refresh token and its access tokens.
    await client.oauth.refreshTokensApi.archive(tokens.refreshToken);
    await expect(client.oauth.tokensApi.create('refresh_token', undefined, undefined, CLIENT_ID, CLIENT_SECRET, tokens.refreshToken)).rejects.toMatchObject({ code: 400, body: { status: 'BAD_REFRESH_TOKEN' } });
    const revoked = await fetch(`${url}/crm/v3/objects/contacts?limit=1`, { headers: { authorization: `Bearer ${refreshed.accessToken}` } });
    expect(revoked.status).toBe(401);
  });

  it('OAuth: second portal has its own dataset; PKCE; deny gives access_denied', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirect = await authorize({ hubId: 146000102, challenge });
    const code = redirect.searchParams.get('code') as string;
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, code_verifier: verifier });
    const res = await fetch(`${url}/oauth/v1/token`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { access_token: string; hub_id: number };
    expect(tokens.hub_id).toBe(146000102);
    const a = await sdk(await directToken()).crm.contacts.basicApi.getPage(1, undefined, ['email']);
    const b = await sdk(tokens.access_token).crm.contacts.basicApi.getPage(1, undefined, ['email']);
    expect(a.results[0].id).toBe(b.results[0].id);
    expect(a.results[0].properties.email).not.toBe(b.results[0].properties.email);
    const denied = await authorize({ decision: 'deny' });
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('st-42');
    expect(denied.searchParams.get('code')).toBeNull();
  });

  it('lists with getPage to the end and getAll: 10,000 contacts, each exactly once', async () => {
    const client = sdk(await directToken());
    const counts = (await (await fetch(`${url}/__sandbox`)).json()) as { counts: Record<string, number> };
    const expected = counts.counts.contacts;
    expect(expected).toBe(10_000);
    const all = await client.crm.contacts.getAll(100, undefined, ['email', 'firstname']);
    expect(all).toHaveLength(expected);
    expect(new Set(all.map((c) => c.id)).size).toBe(expected);
    expect(all[0].properties.email).toMatch(/@/);
    // Manual paging with getPage, following paging.next.after.
    const seen = new Set<string>();
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await client.crm.companies.basicApi.getPage(100, after, ['name', 'tier']);
      for (const r of page.results) seen.add(r.id);
      after = page.paging?.next?.after;
      pages++;
    } while (after);
    expect(seen.size).toBe(2_500);
    expect(pages).toBe(25);
    // limit above 100 is HubSpot's validation error.
    await expect(client.crm.contacts.basicApi.getPage(101)).rejects.toMatchObject({ code: 400, body: { category: 'VALIDATION_ERROR' } });
  });

  it('searches incrementally on lastmodifieddate (total, paging, 10,000 cap)', async () => {
    const client = sdk(await directToken());
    const since = Date.UTC(2025, 0, 1);
    const first = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE' as any, value: String(since) }] }],
      sorts: ['lastmodifieddate'],
      properties: ['email', 'lastmodifieddate'],
      limit: 200,
      after: '0',
    });
    expect(first.total).toBeGreaterThan(200);
    expect(first.results).toHaveLength(200);
    const times = first.results.map((r) => Date.parse(r.properties.lastmodifieddate as string));
    expect(times.every((t) => t >= since)).toBe(true);
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    expect(first.paging?.next?.after).toBe('200');
    // A search with no filter matches all 10,000; paging past the cap is a 400.
    const everything = await client.crm.contacts.searchApi.doSearch({ filterGroups: [], limit: 1, after: '9999' } as any);
    expect(everything.total).toBe(10_000);
    expect(everything.paging).toBeUndefined();
    await expect(client.crm.contacts.searchApi.doSearch({ filterGroups: [], limit: 10, after: '10000' } as any)).rejects.toMatchObject({ code: 400, body: { category: 'VALIDATION_ERROR' } });
  });

  it('creates, updates, archives; archived records are listed with archivedAt; 404 and validation errors are ApiException', async () => {
    const client = sdk(await directToken());
    const before = Date.now();
    const created = await client.crm.contacts.basicApi.create({ properties: { email: 'new.person@example.com', firstname: 'New', lastname: 'Person', loyalty_score: '42' }, associations: [] });
    expect(created.id).toMatch(/^\d+$/);
    expect(created.properties.loyalty_score).toBe('42');
    const dup = await client.crm.contacts.basicApi.create({ properties: { email: 'NEW.person@example.com' }, associations: [] }).catch((e) => e);
    expect(dup).toBeInstanceOf(ApiException);
    expect(dup.code).toBe(409);
    expect(dup.body.category).toBe('CONFLICT');
    const updated = await client.crm.contacts.basicApi.update(created.id, { properties: { lastname: 'Person2' } });
    expect(updated.properties.lastname).toBe('Person2');
    // Incremental query sees the change.
    const changed = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE' as any, value: String(before) }] }],
      sorts: ['lastmodifieddate'],
      properties: ['lastname'],
      limit: 100,
      after: '0',
    } as any);
    expect(changed.results.map((r) => r.id)).toContain(created.id);
    await client.crm.contacts.basicApi.archive(created.id);
    const missing = await client.crm.contacts.basicApi.getById(created.id).catch((e) => e);
    expect(missing).toBeInstanceOf(ApiException);
    expect(missing.code).toBe(404);
    expect(missing.body).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
    expect(missing.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const archived = await client.crm.contacts.basicApi.getPage(100, undefined, ['email'], undefined, undefined, true);
    const mine = archived.results.find((r) => r.id === created.id);
    expect(mine?.archived).toBe(true);
    expect(mine?.archivedAt).toBeInstanceOf(Date);
    const bad = await client.crm.deals.basicApi.create({ properties: { dealname: 'x', dealstage: 'closedwon', amount: 'lots' }, associations: [] }).catch((e) => e);
    expect(bad).toBeInstanceOf(Error);
    expect(bad.code).toBe(400);
    expect(bad.body.category).toBe('VALIDATION_ERROR');
    expect(bad.body.message).toContain('INVALID_FLOAT');
    const unknown = await client.crm.contacts.basicApi.update((await client.crm.contacts.basicApi.getPage(1)).results[0].id, { properties: { favourite_colour: 'blue' } }).catch((e) => e);
    expect(unknown).toBeInstanceOf(ApiException);
    expect(unknown.code).toBe(400);
    expect(unknown.body.category).toBe('VALIDATION_ERROR');
    expect(unknown.body.message).toContain('PROPERTY_DOESNT_EXIST');
    const required = await client.crm.objects.tasks.basicApi.create({ properties: { hs_task_subject: 'no due date' }, associations: [] }).catch((e) => e);
    expect(required.code).toBe(400);
    expect(required.body.message).toContain('hs_timestamp');
  });

  it('owners, pipelines, properties and associations', async () => {
    const client = sdk(await directToken());
    const owners = await client.crm.owners.ownersApi.getPage(undefined, undefined, 100, false);
    expect(owners.results.length).toBeGreaterThan(0);
    expect(owners.results[0].email).toMatch(/@/);
    const pipelines = await client.crm.pipelines.pipelinesApi.getAll('deals');
    expect(pipelines.results[0].id).toBe('default');
    expect(pipelines.results[0].stages).toHaveLength(7);
    const props = await client.crm.properties.coreApi.getAll('contacts');
    const loyalty = props.results.find((p) => p.name === 'loyalty_score');
    expect(loyalty?.hubspotDefined).toBe(false);
    expect(props.results.find((p) => p.name === 'email')?.hubspotDefined).toBe(true);
    const tier = (await client.crm.properties.coreApi.getAll('companies')).results.find((p) => p.name === 'tier');
    expect(tier?.options.map((o) => o.value)).toEqual(['Gold', 'Silver', 'Bronze']);

    const contact = (await client.crm.contacts.basicApi.getPage(1, undefined, undefined, undefined, ['companies'])).results[0];
    const companyId = contact.associations?.companies?.results[0].id as string;
    expect(companyId).toMatch(/^\d+$/);
    const v4 = await client.crm.associations.v4.basicApi.getPage('contacts', contact.id, 'companies');
    expect(v4.results.map((r) => String(r.toObjectId))).toContain(companyId);
    const reverse = await client.crm.associations.v4.basicApi.getPage('companies', companyId, 'contacts');
    expect(reverse.results.map((r) => String(r.toObjectId))).toContain(contact.id);
    const deals = (await client.crm.deals.basicApi.getPage(2)).results;
    const batch = await client.crm.associations.v4.batchApi.getPage('deals', 'companies', { inputs: deals.map((d) => ({ id: d.id })) });
    expect(batch.results).toHaveLength(2);
    const notes = (await client.crm.objects.notes.basicApi.getPage(1, undefined, ['hs_note_body'], undefined, ['contacts', 'companies'])).results[0];
    expect(notes.associations?.companies?.results.length).toBe(1);
  });

  it('retries a secondly 429 (and an injected 429) and then succeeds', async () => {
    const client = sdk(await directToken());
    const token = await directToken();
    await control('/settings', { budgets: { secondly: { limit: 1, windowMs: 1000 } } }, 'PUT');
    try {
      const ok = await fetch(`${url}/crm/v3/objects/contacts?limit=1`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-hubspot-ratelimit-secondly')).toBe('1');
      expect(ok.headers.get('x-hubspot-ratelimit-secondly-remaining')).toBe('0');
      // The budget of this second is spent: the SDK gets the secondly 429, waits 1 s and retries.
      const before = server.emulator.runtime.apiRequests;
      const page = await client.crm.contacts.basicApi.getPage(1);
      expect(page.results).toHaveLength(1);
      expect(server.emulator.runtime.apiRequests - before).toBe(2);
      const raw = await fetch(`${url}/crm/v3/objects/contacts?limit=1`, { headers: { authorization: `Bearer ${token}` } });
      expect(raw.status).toBe(429);
      expect(await raw.json()).toMatchObject({ status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', policyName: 'SECONDLY' });
    } finally {
      await control('/settings', { budgets: { secondly: { limit: null } } }, 'PUT');
    }
    await control('/faults', { errorRates: { 429: 1 } }, 'PUT');
    const failing = client.crm.contacts.basicApi.getPage(1);
    setTimeout(() => void fetch(`${url}/__sandbox/faults`, { method: 'DELETE' }), 300);
    expect((await failing).results).toHaveLength(1);
  });

  it('expired tokens answer EXPIRED_AUTHENTICATION mid-read; refresh recovers', async () => {
    const { access_token, refresh_token } = await control('/tokens', { clientId: CLIENT_ID });
    const client = sdk(access_token);
    const p1 = await client.crm.contacts.basicApi.getPage(10);
    await control('/tokens/expire', {});
    const err = await client.crm.contacts.basicApi.getPage(10, p1.paging?.next?.after).catch((e) => e);
    expect(err.code).toBe(401);
    expect(err.body).toMatchObject({ status: 'error', category: 'EXPIRED_AUTHENTICATION' });
    const fresh = await sdk().oauth.tokensApi.create('refresh_token', undefined, undefined, CLIENT_ID, CLIENT_SECRET, refresh_token);
    const p2 = await sdk(fresh.accessToken).crm.contacts.basicApi.getPage(10, p1.paging?.next?.after);
    expect(p2.results[0].id).not.toBe(p1.results[0].id);
  });

  it('mutate simulates users and sends signed webhook batches', async () => {
    const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const hook: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hubspot`;
    try {
      await control('/settings', { webhookUrl: hookUrl, webhookSecret: 'whsec' }, 'PUT');
      const token = await directToken();
      const since = Date.now();
      const out = await control('/mutate', { object: 'contacts', create: 2, update: 3, delete: 1 });
      expect(out.created).toHaveLength(2);
      expect(out.updated).toHaveLength(3);
      expect(out.deleted).toHaveLength(1);
      await server.emulator.runtime.webhooks.drain();
      expect(received).toHaveLength(1); // one batch for the whole mutation
      const events = received.flatMap((r) => JSON.parse(r.body) as { subscriptionType: string; objectId: number; portalId: number }[]);
      expect(events.filter((e) => e.subscriptionType === 'contact.creation')).toHaveLength(2);
      expect(events.filter((e) => e.subscriptionType === 'contact.deletion').map((e) => String(e.objectId))).toEqual(out.deleted);
      expect(new Set(events.filter((e) => e.subscriptionType === 'contact.propertyChange').map((e) => String(e.objectId)))).toEqual(new Set(out.updated));
      for (const r of received) {
        const ts = r.headers['x-hubspot-request-timestamp'] as string;
        expect(r.headers['x-hubspot-signature-v3']).toBe(signatureV3('whsec', 'POST', hookUrl, r.body, ts));
      }
      // The updates are visible to an incremental search.
      const search = await sdk(token).crm.contacts.searchApi.doSearch({
        filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE' as any, value: String(since) }] }],
        sorts: ['lastmodifieddate'],
        limit: 100,
        after: '0',
      } as any);
      const ids = search.results.map((r) => r.id);
      for (const id of [...out.created, ...out.updated]) expect(ids).toContain(id);
      expect(ids).not.toContain(out.deleted[0]);
    } finally {
      await control('/settings', { webhookUrl: null }, 'PUT');
      await new Promise((r) => hook.close(r));
    }
  });
});
