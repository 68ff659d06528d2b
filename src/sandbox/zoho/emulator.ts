import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { registerControlRoutes, type EmulatorSettings, type SandboxEmulator } from '../common/emulator';
import { baseUrlOf, setContext, type RouteDeps } from './context';
import { Errors, renderFault, sendError } from './errors';
import { boundaryOf, parseMultipart } from './multipart';
import { moduleByName } from './modules';
import { mutate } from './mutate';
import { registerOAuthRoutes } from './oauth';
import { registerCoqlRoute } from './routes/coql';
import { registerMetaRoutes } from './routes/meta';
import { INVALID_BODY, registerRecordRoutes } from './routes/records';
import { registerWatchRoutes } from './routes/watch';
import { ZohoRuntime } from './runtime';
import { accessOf, hasScope } from './scopes';
import { TENANTS, tenantInfo } from './tenant';

/**
 * The Zoho CRM sandbox vendor: Zoho Accounts OAuth, the CRM REST API v8 (records, search, deleted,
 * users, org, settings metadata, notification channels) and the /__sandbox control API.
 * See README.md in this folder for the full route list and behaviour.
 */

function bodyParsers(app: FastifyInstance): void {
  // multipart/form-data (the Zoho SDK's token requests)
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (request, body, done) => {
    const boundary = boundaryOf(request.headers['content-type']);
    if (!boundary) return done(null, {});
    done(null, parseMultipart(body as Buffer, boundary));
  });
  // JSON with or without a Content-Type (the Zoho SDK posts records with none); never a Fastify error.
  const lenientJson = (_request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    const text = body.toString();
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(null, INVALID_BODY);
    }
  };
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, lenientJson);
  app.addContentTypeParser('*', { parseAs: 'string' }, lenientJson);
}

/** Which scope family a /crm/v8 path belongs to. */
function scopeFor(path: string): { family: string; sub: string | null } | undefined {
  const parts = path.split('?')[0].split('/').filter(Boolean); // crm v8 ...
  const head = parts[2];
  if (!head) return undefined;
  if (head === 'users') return { family: 'users', sub: null };
  if (head === 'org') return { family: 'org', sub: null };
  if (head === 'coql') return { family: 'coql', sub: null };
  if (head === 'settings') return { family: 'settings', sub: parts[3] ?? null };
  if (head === 'actions' && parts[3] === 'watch') return { family: 'notifications', sub: null };
  const m = moduleByName(head);
  return { family: 'modules', sub: m ? m.toLowerCase() : head.toLowerCase() };
}

export function createZohoEmulator(settings: Partial<EmulatorSettings> = {}): SandboxEmulator {
  const runtime = new ZohoRuntime(settings);

  const plugin: FastifyPluginAsync = async (app) => {
    const deps: RouteDeps = { runtime, prefix: () => app.prefix ?? '' };
    await app.register(formbody);
    bodyParsers(app);

    registerOAuthRoutes(app, deps);
    registerControlRoutes(app, runtime, 'zoho');
    app.post('/__sandbox/mutate', async (request, reply) => {
      const b = (request.body ?? {}) as Record<string, unknown>;
      const module = typeof b.object === 'string' ? moduleByName(b.object) : undefined;
      if (!module) return reply.code(400).send({ error: `object must be one of ${['Accounts', 'Contacts', 'Leads', 'Deals', 'Tasks', 'Calls', 'Events', 'Notes'].join(', ')}` });
      const n = (k: string) => (b[k] === undefined ? 0 : b[k]);
      for (const k of ['create', 'update', 'delete']) {
        const v = n(k);
        if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 10_000) return reply.code(400).send({ error: `${k} must be an integer between 0 and 10000` });
      }
      const tenantKey = typeof b.tenant === 'string' ? b.tenant : TENANTS[0].key;
      if (!tenantInfo(tenantKey)) return reply.code(400).send({ error: `tenant must be one of ${TENANTS.map((t) => t.key).join(', ')}` });
      runtime.lastBaseUrl = baseUrlOf(request, deps.prefix());
      return mutate(runtime, runtime.tenant(tenantKey), module, { create: n('create') as number, update: n('update') as number, delete: n('delete') as number });
    });
    app.get('/__sandbox/tenants', async () => TENANTS.map((t) => ({ key: t.key, label: t.label, org_id: runtime.tenant(t.key).orgId, counts: runtime.tenant(t.key).counts() })));

    // The CRM API: faults, auth, scopes and rate limits apply here only.
    await app.register(async (api) => {
      const concurrencyHeld = new WeakMap<FastifyRequest, string>();
      api.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        if (await runtime.faults.apply(request, reply, renderFault)) return reply;
        runtime.apiRequests++;
        runtime.lastBaseUrl = baseUrlOf(request, deps.prefix());
        const header = request.headers.authorization;
        const m = typeof header === 'string' ? /^Zoho-oauthtoken\s+(\S+)$/i.exec(header) : null;
        if (!m) return sendError(reply, 401, Errors.authenticationFailure());
        const check = runtime.tokens.checkAccess(m[1]);
        if (check.status !== 'valid') return sendError(reply, 401, Errors.invalidToken());
        const path = request.url.slice(deps.prefix().length);
        const scope = scopeFor(path);
        // COQL is a POST that reads.
        const access = scope?.family === 'coql' ? 'READ' : accessOf(request.method);
        if (scope && !hasScope(check.grant.scope, scope.family, scope.sub, access)) return sendError(reply, 401, Errors.scopeMismatch());
        const tenantKey = check.grant.tenantKey;
        if (!runtime.credits.for(tenantKey).consume(1).allowed || !runtime.concurrency.tryEnter(tenantKey)) {
          runtime.rateLimited++;
          return sendError(reply, 429, Errors.tooManyRequests());
        }
        concurrencyHeld.set(request, tenantKey);
        setContext(request, { tenant: runtime.tenant(tenantKey), grant: check.grant, user: 0 });
        return undefined;
      });
      api.addHook('onResponse', async (request) => {
        const t = concurrencyHeld.get(request);
        if (t !== undefined) {
          concurrencyHeld.delete(request);
          runtime.concurrency.leave(t);
        }
      });
      registerMetaRoutes(api);
      registerWatchRoutes(api, deps);
      registerCoqlRoute(api);
      registerRecordRoutes(api, deps);
      api.all('/crm/*', async (_request, reply) => sendError(reply, 404, Errors.invalidUrl()));
    });
  };

  return { vendor: 'zoho', runtime, plugin, contactObject: 'Contacts' };
}

export { ZohoRuntime };
