import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { VendorError } from '../contract';
import { DEFAULT_VENDOR_HTTP_OPTIONS, staticTokenSource, VendorHttpClient } from './vendor-http-client';

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

describe('VendorHttpClient patience of background callers with 429s', () => {
  /** Fake time that passes only by sleeping: each sleep moves it forward at once. */
  let now = 0;
  const clock = { now: () => now, sleep: async (ms: number) => void (now += Math.max(0, ms)) };
  let arrivals: { at: number; method: string }[] = [];

  /** Answers 429 without Retry-After or rate-limit headers (as Zoho does) until `okFrom` ms of fake time, then 200. */
  function limitedUntil(okFrom: number, headers: Record<string, string> = {}): void {
    handler = (req, res) => {
      arrivals.push({ at: now, method: req.method ?? '' });
      if (now < okFrom) res.writeHead(429, { 'content-type': 'application/json', ...headers }).end('{"code":"TOO_MANY_REQUESTS"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}');
    };
  }

  /** The client as the app builds it (default options), on a fake clock; `background` as the sync asks for it. */
  function limitedConn(background: boolean, options: ConstructorParameters<typeof VendorHttpClient>[0] = {}, extra: { retryDelayMs?: (r: { status: number }) => number | undefined } = {}) {
    const c = new VendorHttpClient(options, undefined, undefined, clock);
    return c.connection({ vendor: 'zoho', linkedAccountId: `acct-${Math.random()}`, apiBaseUrl: base, auth: { authorizationHeader: (t) => `Zoho-oauthtoken ${t}` }, tokens: staticTokenSource('t'), background, ...extra });
  }

  beforeEach(() => {
    now = 0;
    arrivals = [];
  });

  it('a background GET rides out 15 s of 429s without hints and returns the success', async () => {
    limitedUntil(15_000);
    const res = await limitedConn(true).request({ method: 'GET', path: '/crm/v8/Contacts' });
    expect(res.status).toBe(200);
    expect(arrivals.length).toBeGreaterThan(DEFAULT_VENDOR_HTTP_OPTIONS.maxAttempts);
    expect(arrivals.at(-1)!.at).toBeGreaterThanOrEqual(15_000);
    // It backs off, up to maxBackoffMs between tries: the success comes at most one backoff after the limit ends.
    expect(arrivals.at(-1)!.at).toBeLessThanOrEqual(15_000 + DEFAULT_VENDOR_HTTP_OPTIONS.maxBackoffMs + 1); // +1: float sums of fake time
    const gaps = arrivals.slice(1).map((a, i) => a.at - arrivals[i].at);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(DEFAULT_VENDOR_HTTP_OPTIONS.maxBackoffMs + 1);
    // Exponential, not a fixed interval: the backoffs add up to ~142 ms x 2^n (cockatiel's decorrelated
    // jitter), so 15 s is reached in about 8 tries (a 1-s retry loop would send 15).
    expect(arrivals.length).toBeLessThanOrEqual(12);
  });

  it('the same call from an interactive caller fails after maxAttempts, as before', async () => {
    limitedUntil(15_000);
    const res = await limitedConn(false).request({ method: 'GET', path: '/crm/v8/Contacts' });
    expect(res.status).toBe(429);
    expect(arrivals).toHaveLength(DEFAULT_VENDOR_HTTP_OPTIONS.maxAttempts);
    expect(now).toBeLessThan(15_000);
  });

  it('gives up once the next wait would pass the patience (default 60 s, configurable)', async () => {
    limitedUntil(Infinity);
    const res = await limitedConn(true).request({ method: 'GET', path: '/crm/v8/Contacts' });
    expect(res.status).toBe(429);
    expect(DEFAULT_VENDOR_HTTP_OPTIONS.backgroundRateLimitPatienceMs).toBe(60_000);
    // The last request went out no later than the bound, and the next backoff (<= 8 s) would have passed it.
    expect(arrivals.at(-1)!.at).toBeLessThanOrEqual(60_000 + 1);
    expect(arrivals.at(-1)!.at).toBeGreaterThan(60_000 - DEFAULT_VENDOR_HTTP_OPTIONS.maxBackoffMs);
    expect(now).toBe(arrivals.at(-1)!.at); // no wait after the last 429

    now = 0;
    arrivals = [];
    const short = await limitedConn(true, { backgroundRateLimitPatienceMs: 5_000 }).request({ method: 'GET', path: '/crm/v8/Contacts' });
    expect(short.status).toBe(429);
    expect(arrivals.at(-1)!.at).toBeLessThanOrEqual(5_000 + 1);
    expect(arrivals.length).toBeGreaterThan(DEFAULT_VENDOR_HTTP_OPTIONS.maxAttempts);
  });

  it('waits at least as long as a short hint between tries, and returns a long hint (spent daily budget) at once', async () => {
    limitedUntil(20_000, { 'retry-after': '5' }); // past the 4 attempts an interactive caller gets (0, 5, 10, 15 s)
    const res = await limitedConn(true).request({ method: 'GET', path: '/x' });
    expect(res.status).toBe(200);
    const gaps = arrivals.slice(1).map((a, i) => a.at - arrivals[i].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(5_000);

    now = 0;
    arrivals = [];
    limitedUntil(Infinity, { 'retry-after': '3600' });
    expect((await limitedConn(true).request({ method: 'GET', path: '/x' })).status).toBe(429);
    expect(arrivals).toHaveLength(1);
    expect(now).toBe(0);

    // A vendor hint of a spent daily budget (HubSpot policy DAILY: one hour), same.
    arrivals = [];
    limitedUntil(Infinity);
    expect((await limitedConn(true, {}, { retryDelayMs: (r) => (r.status === 429 ? 3_600_000 : undefined) }).request({ method: 'GET', path: '/x' })).status).toBe(429);
    expect(arrivals).toHaveLength(1);
    expect(now).toBe(0);

    // Salesforce's REQUEST_LIMIT_EXCEEDED is a 403: not retried at all.
    arrivals = [];
    handler = (req, res) => {
      arrivals.push({ at: now, method: req.method ?? '' });
      res.writeHead(403, { 'content-type': 'application/json' }).end('[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests Limit exceeded."}]');
    };
    expect((await limitedConn(true).request({ method: 'GET', path: '/x' })).status).toBe(403);
    expect(arrivals).toHaveLength(1);
  });

  it('keeps the usual attempts for a non-idempotent background request', async () => {
    limitedUntil(15_000);
    const res = await limitedConn(true).request({ method: 'POST', path: '/crm/v8/Contacts', body: { data: [{}] } });
    expect(res.status).toBe(429);
    expect(arrivals).toHaveLength(DEFAULT_VENDOR_HTTP_OPTIONS.maxAttempts);
  });

  it('pauses the whole account: later callers wait on the pause instead of spending a request', async () => {
    /** Time that passes only when the test says so; sleepers wake in order. */
    let manualNow = 0;
    const sleepers: { at: number; wake: () => void }[] = [];
    const manual = { now: () => manualNow, sleep: (ms: number) => new Promise<void>((wake) => sleepers.push({ at: manualNow + ms, wake })) };
    const c = new VendorHttpClient({}, undefined, undefined, manual);
    const account = `acct-${Math.random()}`;
    const connOf = (background: boolean) =>
      c.connection({ vendor: 'zoho', linkedAccountId: account, apiBaseUrl: base, auth: { authorizationHeader: (t) => `Zoho-oauthtoken ${t}` }, tokens: staticTokenSource('t'), background });
    let open = false;
    handler = (req, res) => {
      arrivals.push({ at: manualNow, method: req.method ?? '' });
      if (open) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(429, { 'content-type': 'application/json' }).end('{"code":"TOO_MANY_REQUESTS"}');
    };

    const first = connOf(true).request({ method: 'GET', path: '/a' });
    await vi.waitFor(() => expect(sleepers).toHaveLength(1)); // its 429 paused the account
    const pauseEnd = sleepers[0].at;
    expect(pauseEnd).toBeGreaterThan(0);
    const second = connOf(true).request({ method: 'GET', path: '/b' });
    const interactive = connOf(false).request({ method: 'GET', path: '/c' });
    await vi.waitFor(() => expect(sleepers).toHaveLength(3));
    expect(sleepers.map((s) => s.at)).toEqual([pauseEnd, pauseEnd, pauseEnd]);
    expect(arrivals).toHaveLength(1); // nobody spent a request during the pause

    open = true;
    manualNow = pauseEnd;
    for (const s of sleepers.splice(0)) s.wake();
    const answers = await Promise.all([first, second, interactive]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(arrivals).toHaveLength(4);
    expect(arrivals.slice(1).every((a) => a.at === pauseEnd)).toBe(true);
  });
});
