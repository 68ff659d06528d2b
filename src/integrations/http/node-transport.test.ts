import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError, transportSend } from './node-transport';

/**
 * What fetch did for the vendor client that the node:http transport must keep: decoded
 * compressed answers (size limit on the decoded bytes), redirects followed the way fetch follows
 * them, and kept-alive connections. Against real HTTP servers.
 */

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
interface TestServer {
  server: Server;
  base: string;
  handler: Handler;
  seen: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer; socket: Socket }[];
}

async function start(): Promise<TestServer> {
  const t: TestServer = { server: undefined as unknown as Server, base: '', handler: (_q, res) => res.end(), seen: [] };
  t.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      t.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, socket: req.socket });
      t.handler(req, res, body);
    });
  });
  await new Promise<void>((r) => t.server.listen(0, '127.0.0.1', () => r()));
  t.base = `http://127.0.0.1:${(t.server.address() as { port: number }).port}`;
  return t;
}

let a: TestServer;
let b: TestServer;
beforeAll(async () => {
  a = await start();
  b = await start();
});
afterAll(async () => {
  for (const t of [a, b]) {
    t.server.closeAllConnections();
    await new Promise<void>((r) => t.server.close(() => r()));
  }
});

const send = (path: string, extra: Partial<Parameters<typeof transportSend>[0]> = {}) =>
  transportSend({ method: 'GET', url: new URL(path, a.base), headers: { authorization: 'Bearer secret' }, timeoutMs: 10_000, followRedirects: true, ...extra });

describe('node:http vendor transport', () => {
  it('decodes gzip, zlib and raw deflate, and br answers', async () => {
    const text = JSON.stringify({ results: Array.from({ length: 50 }, (_, i) => ({ id: i, name: `contact ${i}` })) });
    const encoders: Record<string, (b: Buffer) => Buffer> = { gzip: gzipSync, deflate: deflateSync, 'deflate-raw': deflateRawSync, br: brotliCompressSync };
    for (const [name, encode] of Object.entries(encoders)) {
      a.handler = (_q, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': name.replace('-raw', '') }).end(encode(Buffer.from(text)));
      const res = await send('/z');
      expect(Buffer.from(res.body).toString('utf8'), name).toBe(text);
    }
  });

  it('applies the size limit to the decoded answer (a small gzip bomb stops early)', async () => {
    a.handler = (_q, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(5_000_000)));
    const err = await send('/bomb', { maxResponseBytes: 100_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).kind).toBe('too_large');
  });

  it('follows redirects like fetch: a 302 of a POST becomes a GET without body, credentials stay on their origin', async () => {
    a.handler = (req, res) => {
      if (req.url === '/start') res.writeHead(302, { location: '/same' }).end();
      else if (req.url === '/same') res.writeHead(307, { location: `${b.base}/other` }).end();
      else res.end();
    };
    b.handler = (_q, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('there');
    a.seen.length = 0;
    b.seen.length = 0;
    const res = await send('/start', { method: 'POST', body: '{"a":1}', headers: { authorization: 'Bearer secret', 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(Buffer.from(res.body).toString()).toBe('there');
    expect(a.seen.map((s) => [s.method, s.url, s.body.length, s.headers.authorization])).toEqual([
      ['POST', '/start', 7, 'Bearer secret'],
      ['GET', '/same', 0, 'Bearer secret'],
    ]);
    expect(b.seen.map((s) => [s.method, s.url, s.headers.authorization])).toEqual([['GET', '/other', undefined]]);
  });

  it('reuses one kept-alive connection for sequential requests', async () => {
    a.handler = (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    a.seen.length = 0;
    for (let i = 0; i < 3; i++) await send(`/k${i}`);
    expect(new Set(a.seen.map((s) => s.socket)).size).toBe(1);
  });
});
