import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { registerControlRoutes, type EmulatorSettings, type SandboxEmulator } from '../common/emulator';
import { INJECTABLE_STATUSES, type InjectedStatus } from '../common/faults';
import { invalidSession, JSON_CONTENT_TYPE } from './errors';
import { mutate, type MutateRequest } from './mutate';
import { baseUrl } from './routes/context';
import { registerDataRoutes } from './routes/data';
import { registerOAuthRoutes } from './routes/oauth';
import { SalesforceRuntime } from './runtime';

/**
 * The Salesforce sandbox vendor: login host (OAuth), REST API (/services/data/vXX.X), identity
 * URL and the control API (/__sandbox). See README.md in this folder.
 */

function registerIdentity(app: FastifyInstance, runtime: SalesforceRuntime): void {
  app.get('/id/:orgId/:userId', async (request, reply) => {
    const auth = request.headers.authorization;
    const m = auth ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(auth) : null;
    const check = m ? runtime.tokens.checkAccess(m[1].trim()) : { status: 'invalid' as const };
    if (check.status !== 'valid') return invalidSession(reply);
    const org = runtime.org(check.grant.tenantKey);
    const { orgId, userId } = request.params as { orgId: string; userId: string };
    if (orgId !== org.orgId || userId !== org.adminUserId) return reply.code(403).send('Bad_Id');
    const user: Record<string, unknown> = org.stores.User.find(userId)?.rec ?? {};
    const base = baseUrl(request, app);
    const v = '62.0';
    const body = {
      id: `${base}/id/${orgId}/${userId}`,
      asserted_user: true,
      user_id: userId,
      organization_id: orgId,
      username: user.Username,
      nick_name: String(user.Username ?? '').split('@')[0],
      display_name: user.Name,
      email: user.Email,
      email_verified: true,
      first_name: user.FirstName,
      last_name: user.LastName,
      timezone: user.TimeZoneSidKey,
      active: user.IsActive,
      user_type: 'STANDARD',
      language: 'en_US',
      locale: 'en_US',
      utcOffset: -28800000,
      last_modified_date: user.LastModifiedDate,
      is_app_installed: true,
      urls: {
        enterprise: `${base}/services/Soap/c/{version}/${org.orgId15}`,
        partner: `${base}/services/Soap/u/{version}/${org.orgId15}`,
        rest: `${base}/services/data/v{version}/`,
        sobjects: `${base}/services/data/v{version}/sobjects/`,
        query: `${base}/services/data/v{version}/query/`,
        profile: `${base}/${userId}`,
      },
      sandbox_tenant: org.tenant.key,
      api_version_hint: v,
    };
    return reply.header('content-type', JSON_CONTENT_TYPE).send(JSON.stringify(body));
  });
}

function registerControlExtras(app: FastifyInstance, runtime: SalesforceRuntime): void {
  app.post('/__sandbox/mutate', async (request, reply) => {
    const result = mutate(runtime, (request.body ?? {}) as MutateRequest, baseUrl(request, app));
    if ('error' in result) return reply.code(400).send(result);
    return result;
  });
  // Deterministic faults: the next `count` REST API requests fail with `status`.
  app.post('/__sandbox/faults/next', async (request, reply) => {
    const body = (request.body ?? {}) as { status?: number; count?: number };
    const status = body.status as InjectedStatus;
    const count = body.count ?? 1;
    if (!INJECTABLE_STATUSES.includes(status) || !Number.isInteger(count) || count < 0) {
      return reply.code(400).send({ error: `status must be one of ${INJECTABLE_STATUSES.join(', ')} and count a non-negative integer` });
    }
    runtime.forcedFaults = count > 0 ? { status, remaining: count } : null;
    return { status, count };
  });
  app.get('/__sandbox/tenants', async () =>
    runtime.tenants.map((t) => ({ key: t.key, label: t.label, seed: t.seed, organizationId: runtime.org(t.key).orgId, adminUserId: runtime.org(t.key).adminUserId })),
  );
}

export function createSalesforceEmulator(settings: Partial<EmulatorSettings> = {}): SandboxEmulator {
  const runtime = new SalesforceRuntime(settings);
  const plugin: FastifyPluginAsync = async (app) => {
    await app.register(formbody);
    registerControlRoutes(app, runtime, 'salesforce');
    registerControlExtras(app, runtime);
    registerOAuthRoutes(app, runtime);
    registerIdentity(app, runtime);
    registerDataRoutes(app, runtime);
  };
  return { vendor: 'salesforce', runtime, plugin, contactObject: 'Contact' };
}

export { SalesforceRuntime };
