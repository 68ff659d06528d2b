import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { VendorError } from '../contract';
import { staticTokenSource, VendorHttpClient } from './vendor-http-client';

/**
 * What pass-through needs from the vendor client, against a real HTTP server: raw bodies, a
 * response size limit that stops reading, no redirects, final timeouts, headers that cannot
 * displace our credentials, and a 429 cooldown shared by every caller of the account.
 */

let server: Server;
let base = '';
let handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void = (_q, res) => res.end();
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }[] = [];
let bytesWritten = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
  bytesWritten = 0;
});

const client = new VendorHttpClient({ initialBackoffMs: 5, maxBackoffMs: 20, maxAttempts: 3, maxRetryAfterMs: 2_000 });
function conn(accountId = `acct-${Math.random()}`) {
  return client.connection({ vendor: 'salesforce', linkedAccountId: accountId, apiBaseUrl: base, auth: { authorizationHeader: (t) => `Bearer ${t}` }, tokens: staticTokenSource('secret-token') });
}

describe('VendorHttpClient for pass-through', () => {
  it('sends raw bytes with the caller content type and keeps the answer bytes', async () => {
    handler = (_req, res, body) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.concat([body, Buffer.from([0, 255])]));
    const payload = Buffer.from([1, 2, 3, 0, 254, 10, 13]);
    const res = await conn().request({ method: 'POST', path: '/upload', body: payload, headers: { 'Content-Type': 'application/x-custom' }, keepBytes: true });
    expect(seen[0]!.body.equals(payload)).toBe(true);
    expect(seen[0]!.headers['content-type']).toBe('application/x-custom');
    expect(Buffer.from(res.bytes!).equals(Buffer.concat([payload, Buffer.from([0, 255])]))).toBe(true);
  });

  it('never lets a caller header displace the credentials, whatever its case', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    await conn().request({ method: 'GET', path: '/x', headers: { Authorization: 'Bearer attacker', ACCEPT: 'application/xml' } });
    expect(seen[0]!.headers.authorization).toBe('Bearer secret-token');
    expect(seen[0]!.headers.accept).toBe('application/xml');
  });

  it('stops reading past maxResponseBytes and does not retry (declared and streamed lengths)', async () => {
    let socketClosed = false;
    handler = (req, res) => {
      req.socket.once('close', () => (socketClosed = true));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(20_000) });
      res.end('x'.repeat(20_000));
    };
    const declared = await conn()
      .request({ method: 'GET', path: '/big', maxResponseBytes: 10_000 })
      .catch((e: unknown) => e);
    expect(declared).toBeInstanceOf(VendorError);
    expect((declared as VendorError).vendorCode).toBe('RESPONSE_TOO_LARGE');
    expect(seen).toHaveLength(1);
    // The connection is closed, not left half-read in the pool (it would hold the vendor's answer open).
    await vi.waitFor(() => expect(socketClosed).toBe(true), { timeout: 10_000 });

    seen.length = 0;
    // Chunked, no Content-Length: the limit is enforced while streaming and the stream is cancelled.
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = 'y'.repeat(16_384);
      const timer = setInterval(() => {
        if (res.destroyed || bytesWritten > 50_000_000) {
          clearInterval(timer);
          res.destroy();
          return;
        }
        bytesWritten += chunk.length;
        res.write(chunk);
      }, 1);
      res.on('close', () => clearInterval(timer));
    };
    const streamed = await conn()
      .request({ method: 'GET', path: '/stream', maxResponseBytes: 100_000 })
      .catch((e: unknown) => e);
    expect((streamed as VendorError).vendorCode).toBe('RESPONSE_TOO_LARGE');
    expect(seen).toHaveLength(1);
    // Far less than the 50 MB the server would have sent had we kept reading.
    await new Promise((r) => setTimeout(r, 50));
    expect(bytesWritten).toBeLessThan(50_000_000);
  });

  it('returns a redirect as is when asked not to follow it', async () => {
    handler = (req, res) => {
      if (req.url === '/moved') res.writeHead(302, { location: `${base}/elsewhere` }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"followed":true}');
    };
    const res = await conn().request({ method: 'GET', path: '/moved', followRedirects: false });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${base}/elsewhere`);
    expect(seen.map((s) => s.url)).toEqual(['/moved']);
  });

  it('does not retry a timeout when retryTimeouts is false', async () => {
    handler = (_req, res) => setTimeout(() => res.writeHead(200).end('{}'), 1_000);
    const err = await conn()
      .request({ method: 'GET', path: '/slow', timeoutMs: 100, retryTimeouts: false })
      .catch((e: unknown) => e);
    expect((err as VendorError).kind).toBe('timeout');
    expect(seen).toHaveLength(1);
  });

  it('honours a 429 for every later caller of the same account, and only that account', async () => {
    handler = (_req, res) => res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3600' }).end('{"message":"daily limit"}');
    const account = `acct-${Math.random()}`;
    const first = await conn(account).request({ method: 'GET', path: '/a' });
    expect(first.status).toBe(429);
    expect(seen).toHaveLength(1);
    const second = await conn(account)
      .request({ method: 'POST', path: '/b', body: { a: 1 } })
      .catch((e: unknown) => e);
    expect(second).toBeInstanceOf(VendorError);
    expect((second as VendorError).kind).toBe('rate_limited');
    expect((second as VendorError).retryAfterSeconds).toBeGreaterThan(3000);
    expect(seen).toHaveLength(1);
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    expect((await conn().request({ method: 'GET', path: '/other-account' })).status).toBe(200);
  });
});

describe('VendorHttpClient pacing against a rolling window', () => {
  /** Fake time: sleeping advances it at once; the server below spends 100 ms of it per request. */
  let now = 0;
  const clock = { now: () => now, sleep: async (ms: number) => void (now += Math.max(0, ms)) };
  const LIMIT = 5;
  const WINDOW_MS = 1_000;
  let arrivals: number[] = [];
  let limited = 0;

  /** Counts like HubSpot's TEN_SECONDLY_ROLLING: at most LIMIT arrivals in any WINDOW_MS; reports the window in headers. */
  function rollingVendor(): void {
    handler = (_req, res) => {
      const at = now;
      const inWindow = arrivals.filter((a) => a > at - WINDOW_MS).length;
      now += 100;
      if (inWindow >= LIMIT) {
        limited++;
        res.writeHead(429, { 'content-type': 'application/json', 'x-window-max': String(LIMIT), 'x-window-remaining': '0' }).end('{}');
        return;
      }
      arrivals.push(at);
      res.writeHead(200, { 'content-type': 'application/json', 'x-window-max': String(LIMIT), 'x-window-remaining': String(LIMIT - inWindow - 1) }).end('{}');
    };
  }
  const rateWindows = (r: { headers: Record<string, string> }) =>
    r.headers['x-window-max'] ? [{ name: 'w', limit: Number(r.headers['x-window-max']), remaining: Number(r.headers['x-window-remaining']), windowMs: WINDOW_MS }] : [];

  function pacedConn(account: string) {
    const paced = new VendorHttpClient({ initialBackoffMs: 5, maxBackoffMs: 20, maxAttempts: 3 }, undefined, undefined, clock);
    return paced.connection({ vendor: 'hubspot', linkedAccountId: account, apiBaseUrl: base, auth: { authorizationHeader: (t) => `Bearer ${t}`, rateWindows }, tokens: staticTokenSource('t') });
  }

  beforeEach(() => {
    now = 0;
    arrivals = [];
    limited = 0;
    rollingVendor();
  });

  it('sends each request as soon as the oldest one leaves the window: the allowance is used, never exceeded', async () => {
    const c = pacedConn('paced-1');
    const sentAt: number[] = [];
    for (let i = 0; i < 20; i++) {
      sentAt.push(now);
      expect((await c.request({ method: 'GET', path: '/p' })).status).toBe(200);
    }
    expect(limited).toBe(0);
    // Requests take 100 ms; each counts until 1,000 ms after its answer. So 5 go at 0..400 ms, the
    // 6th at 1,100 ms (when the 1st, answered at 100 ms, leaves), and so on: 5 per 1,100 ms.
    // Pausing a whole window once the vendor reports 0 remaining would give 5 per 1,500 ms.
    expect(arrivals.slice(0, 10)).toEqual([0, 100, 200, 300, 400, 1_100, 1_200, 1_300, 1_400, 1_500]);
    expect(now).toBe(3_800);
  });

  it('counts requests the vendor saw from other senders (its remaining header) and still avoids a 429', async () => {
    arrivals = [0, 0, 0]; // another process spent 3 of the 5 just now
    const c = pacedConn('paced-2');
    for (let i = 0; i < 8; i++) expect((await c.request({ method: 'GET', path: '/p' })).status).toBe(200);
    expect(limited).toBe(0);
  });
});
