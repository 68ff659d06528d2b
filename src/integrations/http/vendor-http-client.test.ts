import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VendorError } from '../contract';
import { staticTokenSource, VendorHttpClient } from './vendor-http-client';

/** A real HTTP server whose answers each test scripts. */
let server: Server;
let base = '';
let script: ((req: IncomingMessage, res: ServerResponse, n: number) => void)[] = [];
const seen: { method: string; auth: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', auth: req.headers.authorization });
    const step = script[Math.min(seen.length - 1, script.length - 1)];
    step(req, res, seen.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
});

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

function conn(client = new VendorHttpClient({ initialBackoffMs: 5, maxBackoffMs: 20, maxAttempts: 3 }), tokens = staticTokenSource('t1')) {
  return client.connection({ vendor: 'hubspot', linkedAccountId: `acct-${Math.random()}`, apiBaseUrl: base, auth: { authorizationHeader: (t) => `Bearer ${t}` }, tokens });
}

describe('VendorHttpClient', () => {
  it('retries a 429 after the Retry-After the vendor asked for', async () => {
    script = [json(429, { message: 'slow down' }, { 'retry-after': '1' }), json(200, { ok: true })];
    const started = Date.now();
    const res = await conn().request({ method: 'GET', path: '/x' });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('retries 5xx on idempotent requests with backoff, and gives up after maxAttempts', async () => {
    script = [json(503, {}), json(502, {}), json(200, { ok: 1 })];
    expect((await conn().request({ method: 'GET', path: '/x' })).status).toBe(200);
    expect(seen).toHaveLength(3);
    seen.length = 0;
    script = [json(500, { e: 1 })];
    expect((await conn().request({ method: 'GET', path: '/x' })).status).toBe(500);
    expect(seen).toHaveLength(3);
  });

  it('never blindly retries a non-idempotent write on 5xx, but does on 429 (not processed)', async () => {
    script = [json(500, {})];
    expect((await conn().request({ method: 'POST', path: '/x', body: { a: 1 } })).status).toBe(500);
    expect(seen).toHaveLength(1);
    seen.length = 0;
    script = [json(429, {}, { 'retry-after': '0' }), json(201, { id: 1 })];
    expect((await conn().request({ method: 'POST', path: '/x', body: { a: 1 } })).status).toBe(201);
    expect(seen).toHaveLength(2);
  });

  it('refreshes once after a 401 and retries with the new token', async () => {
    let refreshes = 0;
    script = [json(401, {}), json(200, { ok: 1 })];
    const res = await conn(undefined, staticTokenSource('old', async () => `new${++refreshes}`)).request({ method: 'GET', path: '/x' });
    expect(res.status).toBe(200);
    expect(refreshes).toBe(1);
    expect(seen.map((s) => s.auth)).toEqual(['Bearer old', 'Bearer new1']);
    seen.length = 0;
    script = [json(401, {})];
    const still = await conn(undefined, staticTokenSource('old', async () => `new${++refreshes}`)).request({ method: 'GET', path: '/x' });
    expect(still.status).toBe(401);
    expect(seen).toHaveLength(2); // one refresh, not a loop
  });

  it('turns a timeout into VendorError kind timeout', async () => {
    script = [(_req, res) => setTimeout(() => json(200, {})(_req, res), 500)];
    const err = await conn(new VendorHttpClient({ maxAttempts: 1 })).request({ method: 'GET', path: '/slow', timeoutMs: 100 }).catch((e) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err.kind).toBe('timeout');
  });

  it('opens the circuit for an account after repeated failures', async () => {
    const client = new VendorHttpClient({ maxAttempts: 1, breakerThreshold: 3, breakerHalfOpenAfterMs: 60_000 });
    const c = conn(client);
    script = [(req) => req.socket.destroy()];
    for (let i = 0; i < 3; i++) await expect(c.request({ method: 'GET', path: '/x' })).rejects.toMatchObject({ kind: 'unavailable' });
    const before = seen.length;
    await expect(c.request({ method: 'GET', path: '/x' })).rejects.toMatchObject({ vendorCode: 'CIRCUIT_OPEN' });
    expect(seen.length).toBe(before); // not even sent
  });
});
