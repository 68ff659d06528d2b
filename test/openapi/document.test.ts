import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/observability/logger';
import { buildOpenApiDocument, documentedRoutes } from '../../src/openapi/document';
import type { ServedRoute } from '../../src/openapi/routes';

/** Every operation of the document with its method and path. */
function operations(doc: any): { method: string; path: string; op: any }[] {
  return Object.entries<any>(doc.paths).flatMap(([path, item]) => Object.entries<any>(item).map(([method, op]) => ({ method, path, op })));
}

/** Every schema object nested anywhere in the document, with where it is. */
function schemas(doc: any): { at: string; schema: any }[] {
  const out: { at: string; schema: any }[] = [];
  const walk = (node: any, at: string, isSchema: boolean) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}[${i}]`, isSchema));
    if (isSchema) out.push({ at, schema: node });
    for (const [k, v] of Object.entries<any>(node)) {
      if (k === 'example' || k === 'examples') continue;
      const child = isSchema ? ['items', 'additionalProperties', 'not', 'anyOf', 'oneOf', 'allOf'].includes(k) : k === 'schema';
      if (isSchema && k === 'properties') for (const [p, s] of Object.entries<any>(v)) walk(s, `${at}.properties.${p}`, true);
      else walk(v, `${at}.${k}`, child || (at === '$.components.schemas' && !isSchema));
    }
  };
  walk(doc, '$', false);
  return out;
}

describe('OpenAPI 3.1 reference: complete and consistent with the served routes', () => {
  let app: NestFastifyApplication;
  let doc: any;
  let routes: ServedRoute[];

  beforeAll(async () => {
    app = await createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), { preview: true, logger: createLogger('silent') });
    doc = JSON.parse(JSON.stringify(buildOpenApiDocument(app)));
    routes = documentedRoutes(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is OpenAPI 3.1 with JSON Schema 2020-12 schemas only', () => {
    expect(doc.openapi).toBe('3.1.0');
    const all = schemas(doc);
    expect(all.length).toBeGreaterThan(500);
    const legacy = all.filter(({ schema }) => 'nullable' in schema || 'example' in schema || typeof schema.exclusiveMinimum === 'boolean' || typeof schema.exclusiveMaximum === 'boolean');
    expect(legacy.map((s) => s.at)).toEqual([]);
  });

  it('documents every API route the server serves, and nothing else', () => {
    const documented = new Set(operations(doc).map((o) => `${o.method} ${o.path}`));
    const api = routes.filter((r) => r.path.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(80);
    expect(api.filter((r) => !documented.has(`${r.method} ${r.path}`)).map((r) => `${r.method} ${r.path} (${r.controller}.${r.handler})`)).toEqual([]);
    const served = new Set(routes.map((r) => `${r.method} ${r.path}`));
    expect([...documented].filter((k) => !served.has(k))).toEqual([]);
  });

  it('has info, license, servers, security schemes and described tags', () => {
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String), license: { name: 'Apache-2.0' } });
    expect(doc.info.description.length).toBeGreaterThan(200);
    expect(doc.servers.length).toBeGreaterThan(0);
    expect(doc.components.securitySchemes).toMatchObject({ bearer: { type: 'http', scheme: 'bearer' }, account_token: { type: 'apiKey', in: 'header', name: 'X-Account-Token' } });
    const used = new Set(operations(doc).flatMap((o) => o.op.tags ?? []));
    expect(doc.tags.map((t: any) => t.name).sort()).toEqual([...used].sort());
    for (const tag of doc.tags) expect(tag.description, tag.name).toBeTruthy();
  });

  it('gives every operation a unique Merge-style id, a summary, a tag and the security its guards enforce', () => {
    const byRoute = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));
    const ids = operations(doc).map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { method, path, op } of operations(doc)) {
      const where = `${method} ${path}`;
      expect(op.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.summary, where).toBeTruthy();
      expect(op.tags?.length, where).toBeGreaterThan(0);
      const route = byRoute.get(where)!;
      const expected = route.security ?? (route.isPublic ? [] : route.needsAccount ? [{ bearer: [], account_token: [] }] : [{ bearer: [] }]);
      expect(op.security, where).toEqual(expected);
      if (route.needsAccount) expect((op.parameters ?? []).some((p: any) => p.name.toLowerCase() === 'x-account-token'), where).toBe(false);
    }
    expect(ids).toEqual(expect.arrayContaining(['contactsList', 'contactsRetrieve', 'contactsCreate', 'contactsPartialUpdate', 'linkTokenCreate', 'accountTokenRetrieve', 'linkedAccountsList', 'accountDetailsRetrieve']));
  });

  it('describes every parameter with a schema', () => {
    for (const { method, path, op } of operations(doc)) {
      for (const p of op.parameters ?? []) {
        expect(p.description, `${method} ${path} ${p.in} ${p.name}`).toBeTruthy();
        expect(p.schema?.type ?? p.schema?.enum ?? p.schema?.anyOf, `${method} ${path} ${p.name}`).toBeDefined();
      }
    }
  });

  it('documents the error answers of every operation, each with an example', () => {
    const resolve = (r: any) => (r.$ref ? doc.components.responses[r.$ref.split('/').pop()] : r);
    for (const { method, path, op } of operations(doc)) {
      const where = `${method} ${path}`;
      const statuses = Object.keys(op.responses);
      // A success answer: 2xx, or a redirect for the hosted Link pages.
      expect(statuses.some((s) => s.startsWith('2') || (s === '302' && path.startsWith('/link'))), where).toBe(true);
      if (!op.security.length || path === '/graphql') continue;
      expect(statuses, where).toContain('401');
      if (op.security[0].account_token) expect(statuses, where).toEqual(expect.arrayContaining(['400', '404']));
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        const response = resolve(op.responses[status]);
        const media = response.content?.['application/json'];
        const refs = media?.schema?.anyOf ? media.schema.anyOf.map((s: any) => s.$ref) : [media?.schema?.$ref];
        for (const ref of refs) expect(ref, `${where} ${status}`).toMatch(/\/(Error|[A-Za-z]+Response)$/);
        expect(media.example, `${where} ${status}`).toBeDefined();
        expect(response.headers?.['X-Request-Id'], `${where} ${status}`).toBeDefined();
      }
      if (statuses.includes('429')) expect(resolve(op.responses['429']).headers['Retry-After'], where).toBeDefined();
    }
  });

  it('gives every JSON request body and response a realistic example (no placeholders)', () => {
    let count = 0;
    for (const { method, path, op } of operations(doc)) {
      const media = [op.requestBody?.content?.['application/json'], ...Object.values<any>(op.responses).map((r) => r.content?.['application/json'])].filter((m) => m?.schema);
      for (const m of media) {
        expect(m.example ?? Object.values<any>(m.examples ?? {})[0]?.value, `${method} ${path}`).toBeDefined();
        count++;
      }
    }
    expect(count).toBeGreaterThan(100);
    expect(JSON.stringify(doc)).not.toContain('<example missing>');
  });
});
