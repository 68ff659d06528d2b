import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

describe('error shapes', () => {
  let t: TestApp;
  let apiKey: string;
  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '2048' });
    apiKey = (await t.createOrganization()).apiKey;
  });
  afterAll(async () => {
    await t?.close();
  });

  function expectShape(body: any, code: string) {
    expect(body).toMatchObject({ code });
    expect(typeof body.detail).toBe('string');
    expect(Array.isArray(body.errors)).toBe(true);
    expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(js|ts):\d+/); // no stack frames
  }

  it('unknown route: 404', async () => {
    const res = await t.request('/api/crm/v1/does-not-exist', { apiKey });
    expect(res.status).toBe(404);
    expectShape(res.body, 'NOT_FOUND');
  });

  it('malformed JSON: 400', async () => {
    const res = await t.request('/api/crm/v1/generate-key', { method: 'POST', apiKey, headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(res.status).toBe(400);
    expectShape(res.body, 'MALFORMED_JSON');
    expect(res.body.errors[0].source.pointer).toBe('/body');
  });

  it('body too large: 413', async () => {
    const res = await t.request('/api/crm/v1/generate-key', { method: 'POST', apiKey, json: { name: 'x'.repeat(5000) } });
    expect(res.status).toBe(413);
    expectShape(res.body, 'PAYLOAD_TOO_LARGE');
  });

  it('every response carries a request id, and a sane incoming one is kept', async () => {
    const res = await t.request('/health');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const mine = await t.request('/health', { headers: { 'x-request-id': 'trace-123' } });
    expect(mine.headers.get('x-request-id')).toBe('trace-123');
    const hostile = await t.request('/health', { headers: { 'x-request-id': '<script>' } });
    expect(hostile.headers.get('x-request-id')).not.toBe('<script>');
  });

  it('error bodies carry the request id', async () => {
    const res = await t.request('/api/crm/v1/ping');
    expect(res.body.request_id).toBe(res.headers.get('x-request-id'));
  });
});

describe('operations endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('/health and /ready answer without a key', async () => {
    expect((await t.request('/health')).body).toEqual({ status: 'ok' });
    const ready = await t.request('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
  });

  it('/metrics exposes request counters by route and status, and latency', async () => {
    await t.request('/api/crm/v1/ping');
    const res = await t.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/switchboard_http_requests_total\{method="GET",route="\/api\/crm\/v1\/ping",status="401"\} \d+/);
    expect(res.text).toContain('switchboard_http_request_duration_seconds_bucket');
    expect(res.text).toContain('switchboard_vendor_requests_total');
  });

  it('/docs renders from local assets and /openapi.json is served', async () => {
    const docs = await t.request('/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger');
    expect(docs.text).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/);
    const spec = await t.request('/openapi.json');
    expect(spec.status).toBe(200);
    expect(spec.body.paths['/api/crm/v1/generate-key']).toBeDefined();
  });
});

describe('inbound rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 with Retry-After and RateLimit headers per API key', async () => {
    const a = await t.createOrganization('A');
    const b = await t.createOrganization('B');
    for (let i = 0; i < 3; i++) {
      const ok = await t.request('/api/crm/v1/ping', { apiKey: a.apiKey });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('ratelimit-limit')).toBe('3');
    }
    const limited = await t.request('/api/crm/v1/ping', { apiKey: a.apiKey });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.code).toBe('RATE_LIMITED');
    // Another key has its own budget; health is never limited.
    expect((await t.request('/api/crm/v1/ping', { apiKey: b.apiKey })).status).toBe(200);
    expect((await t.request('/health')).status).toBe(200);
  });
});
