import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { HttpAdapterHost } from '@nestjs/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config';
import { ApiError } from '../errors/api-error';
import { hubspotAuth } from '../integrations/hubspot/auth';
import { staticTokenSource, VendorHttpClient } from '../integrations/http/vendor-http-client';
import type { VendorConnections } from '../linked-accounts/connections';
import type { LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import { createLogger } from '../observability/logger';
import { buildRequestBody } from './request-body';
import { loggablePath, PassthroughService } from './passthrough.service';

/** The service against a real HTTP server standing in for a vendor API host. */

let server: Server;
let base = '';
let handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void = (_q, res) => res.end();
const seen: { url: string; headers: IncomingMessage['headers']; body: Buffer }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/api`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
});

const logLines: string[] = [];
const logger = createLogger('info', new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) }));

function service() {
  const http = new VendorHttpClient({ maxAttempts: 1 });
  const connections = {
    forAccount: (account: LinkedAccountRecord) =>
      http.connection({ vendor: 'hubspot', linkedAccountId: account.id, apiBaseUrl: account.apiBaseUrl, auth: hubspotAuth, tokens: staticTokenSource('tok-SECRET-123') }),
  } as unknown as VendorConnections;
  const config = loadConfig({ NODE_ENV: 'test', PASSTHROUGH_MAX_RESPONSE_BYTES: '65536' });
  return new PassthroughService(connections, config, { httpAdapter: { getInstance: () => ({ log: logger }) } } as unknown as HttpAdapterHost);
}

const account = () => ({ id: '00000000-0000-4000-8000-000000000001', organizationId: 'o', integration: 'hubspot', isSandbox: true, apiBaseUrl: base }) as unknown as LinkedAccountRecord;

describe('PassthroughService', () => {
  it('returns binary answers gzipped in base64, text as text, and strips Set-Cookie', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    handler = (req, res) => {
      if (req.url?.startsWith('/api/file')) res.writeHead(200, { 'content-type': 'image/png', 'set-cookie': 'sid=vendor-session' }).end(png);
      else res.writeHead(200, { 'content-type': 'text/csv' }).end('a,b\n1,2\n');
    };
    const svc = service();
    const file = await svc.send(account(), svc.prepare(account(), { method: 'GET', path: '/file/1' }), { logger });
    expect(file.response_type).toBe('BASE64_GZIP');
    expect(gunzipSync(Buffer.from(file.response as string, 'base64')).equals(png)).toBe(true);
    expect(file.response_headers['set-cookie']).toBeUndefined();
    expect(file.response_headers['content-type']).toBe('image/png');
    const csv = await svc.send(account(), svc.prepare(account(), { method: 'GET', path: '/report.csv' }), { logger });
    expect(csv).toMatchObject({ response_type: 'JSON', response: 'a,b\n1,2\n', status: 200 });
  });

  it('does not follow a vendor redirect to another host', async () => {
    handler = (_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    const svc = service();
    const res = await svc.send(account(), svc.prepare(account(), { method: 'GET', path: '/moved' }), { logger });
    expect(res.status).toBe(302);
    expect(res.response_headers.location).toBe('http://169.254.169.254/latest/meta-data/');
    expect(seen).toHaveLength(1);
  });

  it('maps an oversized answer to 413', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ a: 'z'.repeat(100_000) }));
    const svc = service();
    const err = await svc.send(account(), svc.prepare(account(), { method: 'GET', path: '/big' }), { logger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(413);
  });

  it('logs method, vendor, path without query values, status and size: never bodies, headers or tokens', async () => {
    handler = (_req, res) => res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"77","email":"pat@example.com"}');
    logLines.length = 0;
    const svc = service();
    await svc.send(
      account(),
      svc.prepare(account(), { method: 'POST', path: '/contacts?hapikey=LEAKED-KEY&email=pat@example.com', data: { secret_field: 'BODY-SECRET' }, headers: { 'X-Trace': 'trace-value' } }),
      { logger },
    );
    expect(seen[0]!.headers.authorization).toBe('Bearer tok-SECRET-123');
    const line = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'passthrough');
    expect(line).toMatchObject({ method: 'POST', vendor: 'hubspot', path: '/contacts?hapikey=…&email=…', status: 201, bytes: 37 });
    const text = logLines.join('\n');
    for (const secret of ['LEAKED-KEY', 'pat@example.com', 'BODY-SECRET', 'tok-SECRET-123', 'trace-value']) expect(text).not.toContain(secret);
  });

  it('loggablePath keeps parameter names only', () => {
    expect(loggablePath('/a', '')).toBe('/a');
    expect(loggablePath('/a', '?q=SELECT+Id&q=again&token=x')).toBe('/a?q=…&token=…');
  });
});

describe('buildRequestBody', () => {
  it('builds a multipart body whose fields (RAW, BASE64, GZIP_BASE64) arrive byte for byte', async () => {
    const binary = Buffer.from([0, 1, 2, 253, 254, 255, 13, 10]);
    const built = buildRequestBody(
      {
        method: 'POST',
        request_format: 'MULTIPART',
        multipart_form_data: [
          { name: 'meta', data: '{"Name":"Ünïcødé"}', content_type: 'application/json' },
          { name: 'file', data: binary.toString('base64'), encoding: 'BASE64', file_name: 'blob.bin', content_type: 'application/octet-stream' },
          { name: 'zipped', data: gzipSync(Buffer.from('hello gzip')).toString('base64'), encoding: 'GZIP_BASE64', file_name: 'hello.txt' },
        ],
      },
      1_000_000,
    );
    expect(built.contentType).toMatch(/^multipart\/form-data; boundary=/);
    // Parsed back by the platform's own multipart parser (undici), as a vendor would.
    const form = await new Response(built.body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': built.contentType! } }).formData();
    expect(form.get('meta')).toBe('{"Name":"Ünïcødé"}');
    const file = form.get('file') as File;
    expect(file.name).toBe('blob.bin');
    expect(Buffer.from(await file.arrayBuffer()).equals(binary)).toBe(true);
    expect(await (form.get('zipped') as File).text()).toBe('hello gzip');
  });

  it('bounds gzip expansion (413) and rejects malformed fields naming them', () => {
    const bomb = gzipSync(Buffer.alloc(5_000_000)).toString('base64');
    const tooBig = (() => {
      try {
        buildRequestBody({ method: 'POST', request_format: 'MULTIPART', multipart_form_data: [{ name: 'f', data: bomb, encoding: 'GZIP_BASE64' }] }, 100_000);
      } catch (e) {
        return e as ApiError;
      }
    })();
    expect(tooBig?.status).toBe(413);
    expect(() => buildRequestBody({ method: 'POST', request_format: 'MULTIPART', multipart_form_data: [{ name: 'f', data: 'x', encoding: 'ROT13' }] }, 1000)).toThrow(/encoding/);
    expect(() => buildRequestBody({ method: 'POST', request_format: 'MULTIPART', multipart_form_data: [{ name: 'f', data: 'x', file_name: 'a"\r\nX: y' }] }, 1000)).toThrow(/file_name/);
    expect(() => buildRequestBody({ method: 'POST', request_format: 'MULTIPART', multipart_form_data: [{ name: 'f', data: 'x', content_type: 'text/plain\r\nX-Evil: 1' }] }, 1000)).toThrow(/content_type/);
  });

  it('sends JSON strings as is and serializes JSON values; XML needs a string', () => {
    expect(buildRequestBody({ method: 'POST', data: '{"a": 1}' }, 1000)).toEqual({ body: '{"a": 1}', contentType: 'application/json' });
    expect(buildRequestBody({ method: 'PATCH', data: { a: [1] } }, 1000)).toEqual({ body: '{"a":[1]}', contentType: 'application/json' });
    expect(buildRequestBody({ method: 'POST', data: '<a/>', request_format: 'XML' }, 1000)).toEqual({ body: '<a/>', contentType: 'application/xml' });
    expect(buildRequestBody({ method: 'DELETE' }, 1000)).toEqual({});
  });
});
