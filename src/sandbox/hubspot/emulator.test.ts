import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubspotEmulator } from './emulator';

/** HTTP-level behaviour with the emulator mounted under a prefix, as inside the product server. */

const PREFIX = '/sandbox/hubspot';
let app: FastifyInstance;
let token: string;

async function call(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, auth = token) {
  const res = await app.inject({ method, url: `${PREFIX}${path}`, headers: { host: 'crm.test:8080', ...(auth ? { authorization: `Bearer ${auth}` } : {}) }, payload: body as object });
  return { status: res.statusCode, headers: res.headers, body: res.body ? (String(res.headers['content-type'] ?? '').includes('json') ? res.json() : res.body) : undefined };
}

beforeAll(async () => {
  app = Fastify();
  await app.register(createHubspotEmulator({ seed: 11, contacts: 400 }).plugin, { prefix: PREFIX });
  await app.ready();
  token = (await call('POST', '/__sandbox/tokens', {}, '')).body.access_token;
});
afterAll(() => app.close());

describe('HubSpot emulator over HTTP', () => {
  it('builds absolute paging links and the consent form from the mount prefix', async () => {
    const page = await call('GET', '/crm/v3/objects/contacts?limit=2&properties=email&properties=firstname,lastname');
    expect(page.status).toBe(200);
    expect(Object.keys(page.body.results[0].properties)).toEqual(['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname']);
    expect(page.body.paging.next.link).toMatch(/^http:\/\/crm\.test:8080\/sandbox\/hubspot\/crm\/v3\/objects\/contacts\?/);
    const html = (await call('GET', '/oauth/authorize?client_id=c&redirect_uri=http%3A%2F%2Flocalhost%2Fcb', undefined, '')).body as string;
    expect(html).toContain(`action="${PREFIX}/oauth/authorize"`);
    expect(html.match(/type="radio" name="tenant"/g)).toHaveLength(2);
  });

  it('answers auth failures the HubSpot way', async () => {
    const none = await call('GET', '/crm/v3/objects/contacts', undefined, '');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
    await call('PUT', '/__sandbox/settings', { accessTokenTtlSeconds: 1800 }, '');
    const t = (await call('POST', '/__sandbox/tokens', {}, '')).body.access_token;
    await call('POST', '/__sandbox/tokens/expire', {}, '');
    const expired = await call('GET', '/crm/v3/objects/contacts', undefined, t);
    expect(expired.status).toBe(401);
    expect(expired.body.category).toBe('EXPIRED_AUTHENTICATION');
    expect(expired.body.message).toMatch(/^The OAuth token used to make this call expired \d+ second\(s\) ago\.$/);
    token = (await call('POST', '/__sandbox/tokens', {}, '')).body.access_token;
  });

  it('serves rate-limit headers and the TEN_SECONDLY_ROLLING 429 when budgets are on', async () => {
    await call('PUT', '/__sandbox/settings', { budgets: { tenSecondly: { limit: 2, windowMs: 10_000 }, daily: { limit: 1000 } } }, '');
    try {
      const a = await call('GET', '/crm/v3/objects/companies?limit=1');
      expect(a.headers['x-hubspot-ratelimit-max']).toBe('2');
      expect(a.headers['x-hubspot-ratelimit-remaining']).toBe('1');
      expect(a.headers['x-hubspot-ratelimit-interval-milliseconds']).toBe('10000');
      expect(a.headers['x-hubspot-ratelimit-daily']).toBe('1000');
      await call('GET', '/crm/v3/objects/companies?limit=1');
      const c = await call('GET', '/crm/v3/objects/companies?limit=1');
      expect(c.status).toBe(429);
      expect(c.body).toMatchObject({ status: 'error', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' });
    } finally {
      await call('PUT', '/__sandbox/settings', { budgets: { tenSecondly: { limit: null }, daily: { limit: null } } }, '');
    }
    const off = await call('GET', '/crm/v3/objects/companies?limit=1');
    expect(off.headers['x-hubspot-ratelimit-max']).toBeUndefined();
  });

  it('writes: duplicate email, associations on create and via v4, archive, archived listing and batch read 207', async () => {
    const company = (await call('GET', '/crm/v3/objects/companies?limit=1')).body.results[0].id;
    const created = await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'a.b@new.example', firstname: 'A' }, associations: [{ to: { id: company }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] }] });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const read = await call('GET', `/crm/v3/objects/contacts/${id}?associations=companies`);
    expect(read.body.associations.companies.results).toEqual([{ id: company, type: 'contact_to_company' }]);
    const byEmail = await call('GET', `/crm/v3/objects/contacts/A.B@new.example?idProperty=email`);
    expect(byEmail.body.id).toBe(id);
    const other = (await call('GET', '/crm/v3/objects/contacts?limit=1&properties=email')).body.results[0];
    const dup = await call('PATCH', `/crm/v3/objects/contacts/${id}`, { properties: { email: other.properties.email } });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toBe(`Contact already exists. Existing ID: ${other.id}`);
    const deal = (await call('GET', '/crm/v3/objects/deals?limit=1')).body.results[0].id;
    expect((await call('PUT', `/crm/v4/objects/contacts/${id}/associations/default/deals/${deal}`)).status).toBe(200);
    const v4 = await call('GET', `/crm/v4/objects/deals/${deal}/associations/contacts`);
    expect(v4.body.results.map((r: { toObjectId: number }) => String(r.toObjectId))).toContain(id);
    expect((await call('DELETE', `/crm/v3/objects/contacts/${id}`)).status).toBe(204);
    expect((await call('DELETE', `/crm/v3/objects/contacts/${id}`)).status).toBe(204);
    expect((await call('GET', `/crm/v3/objects/contacts/${id}`)).status).toBe(404);
    const archived = await call('GET', `/crm/v3/objects/contacts/${id}?archived=true`);
    expect(archived.body).toMatchObject({ id, archived: true });
    expect(typeof archived.body.archivedAt).toBe('string');
    const batch = await call('POST', '/crm/v3/objects/contacts/batch/read', { inputs: [{ id: other.id }, { id }], properties: ['email'] });
    expect(batch.status).toBe(207);
    expect(batch.body.results).toHaveLength(1);
    expect(batch.body.errors[0]).toMatchObject({ category: 'OBJECT_NOT_FOUND', context: { ids: [id] } });
  });

  it('GDPR delete removes a contact for good', async () => {
    const id = (await call('GET', '/crm/v3/objects/contacts?limit=1')).body.results[0].id;
    expect((await call('POST', '/crm/v3/objects/contacts/gdpr-delete', { objectId: id })).status).toBe(204);
    expect((await call('GET', `/crm/v3/objects/contacts/${id}`)).status).toBe(404);
    expect((await call('GET', `/crm/v3/objects/contacts/${id}?archived=true`)).status).toBe(404);
    const archived = await call('GET', '/crm/v3/objects/contacts?archived=true&limit=100');
    expect(archived.body.results.map((r: { id: string }) => r.id)).not.toContain(id);
  });

  it('rejects bad requests with VALIDATION_ERROR', async () => {
    expect((await call('GET', '/crm/v3/objects/widgets')).body.message).toBe('Unable to infer object type from: widgets');
    expect((await call('GET', '/crm/v3/objects/contacts?after=%21%21')).status).toBe(400);
    const cap = await call('POST', '/crm/v3/objects/contacts/search', { limit: 10, after: '10000' });
    expect(cap.status).toBe(400);
    expect(cap.body.category).toBe('VALIDATION_ERROR');
    const op = await call('POST', '/crm/v3/objects/contacts/search', { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'LIKE', value: 'x' }] }] });
    expect(op.status).toBe(400);
    const json = await app.inject({ method: 'POST', url: `${PREFIX}/crm/v3/objects/contacts`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: '{oops' });
    expect(json.statusCode).toBe(400);
    expect(json.json().category).toBe('VALIDATION_ERROR');
  });

  it('mutate changes records of the chosen tenant deterministically and reports ids', async () => {
    const out = await call('POST', '/__sandbox/mutate', { object: 'deals', create: 1, update: 2, delete: 1, tenant: 'portal-b' }, '');
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ object: 'deals', tenant: 'portal-b' });
    expect(out.body.updated).toHaveLength(2);
    expect((await call('POST', '/__sandbox/mutate', { object: 'widgets', update: 1 }, '')).status).toBe(400);
  });
});
