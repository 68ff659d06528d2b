import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

describe('API keys and authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('rejects a missing key with a 401 JSON error', async () => {
    const res = await t.request('/api/crm/v1/ping');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.body).toMatchObject({ code: 'UNAUTHORIZED', errors: [] });
    expect(typeof res.body.detail).toBe('string');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('rejects a wrong or malformed key', async () => {
    for (const key of ['sbk_wrong', 'nope', 'sbk_' + 'x'.repeat(300)]) {
      const res = await t.request('/api/crm/v1/ping', { apiKey: key });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHORIZED');
    }
    const res = await t.request('/api/crm/v1/ping', { headers: { authorization: 'Basic abc' } });
    expect(res.status).toBe(401);
  });

  it('accepts a valid key on both route prefixes', async () => {
    const org = await t.createOrganization('Acme');
    for (const prefix of ['/api/crm/v1', '/crm/v1']) {
      const res = await t.request(`${prefix}/ping`, { apiKey: org.apiKey });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true, organization_id: org.organizationId });
    }
  });

  it('generates a named key that works, and stores no plaintext key', async () => {
    const org = await t.createOrganization('Globex');
    const res = await t.request('/api/crm/v1/generate-key', { method: 'POST', apiKey: org.apiKey, json: { name: 'backend' } });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('backend');
    expect(res.body.key).toMatch(/^sbk_/);
    const again = await t.request('/api/crm/v1/ping', { apiKey: res.body.key });
    expect(again.body.organization_id).toBe(org.organizationId);

    const rows = await t.db.prisma.sql.query<Record<string, unknown>>('SELECT * FROM api_keys');
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(res.body.key);
    expect(dump).not.toContain(org.apiKey);
    expect(dump).not.toContain(res.body.key.slice(8));
  });

  it('regenerate-key replaces the calling key', async () => {
    const org = await t.createOrganization('Initech');
    const res = await t.request('/crm/v1/regenerate-key', { method: 'POST', apiKey: org.apiKey, json: { name: 'rotated' } });
    expect(res.status).toBe(200);
    expect((await t.request('/api/crm/v1/ping', { apiKey: org.apiKey })).status).toBe(401);
    expect((await t.request('/api/crm/v1/ping', { apiKey: res.body.key })).status).toBe(200);
  });

  it('validates the body and names the field', async () => {
    const org = await t.createOrganization();
    const res = await t.request('/api/crm/v1/generate-key', { method: 'POST', apiKey: org.apiKey, json: { name: 42 } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_PARAMETER');
    expect(res.body.errors[0].source.pointer).toBe('/body/name');
  });

  it('keeps tenants apart: a key only ever sees its own organization', async () => {
    const a = await t.createOrganization('A');
    const b = await t.createOrganization('B');
    expect((await t.request('/api/crm/v1/ping', { apiKey: a.apiKey })).body.organization_id).toBe(a.organizationId);
    expect((await t.request('/api/crm/v1/ping', { apiKey: b.apiKey })).body.organization_id).toBe(b.organizationId);
  });
});
