import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { registerControlRoutes, type EmulatorSettings, type SandboxEmulator } from '../common/emulator';
import { validation } from './errors';
import { runMutation, type MutateInput } from './mutate';
import { registerOAuthRoutes } from './oauth';
import { registerAssociationRoutes } from './routes/associations';
import { registerMetadataRoutes } from './routes/metadata';
import { ObjectWriter, registerObjectRoutes } from './routes/objects';
import { HubspotRuntime } from './runtime';

export { HubspotRuntime } from './runtime';

/**
 * The HubSpot sandbox vendor: OAuth (consent page, /oauth/v1/token, token metadata), CRM v3
 * objects, search, owners, pipelines, properties, associations v4, rate limits, faults,
 * webhooks, plus the control API at /__sandbox. See README.md in this folder.
 */
export function createHubspotEmulator(settings: Partial<EmulatorSettings> = {}): SandboxEmulator {
  const runtime = new HubspotRuntime(settings);
  const writer = new ObjectWriter(runtime);
  const plugin = async (app: FastifyInstance) => {
    // Inside the product the host app may already parse forms; a second parser would throw.
    if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody);
    registerControlRoutes(app, runtime, 'hubspot');
    app.post('/__sandbox/mutate', async (request, reply) => {
      const r = runMutation(runtime, writer, (request.body ?? {}) as MutateInput);
      return reply.code(r.status).send(r.body);
    });
    registerOAuthRoutes(app, runtime);
    await app.register(async (api) => {
      api.decorateRequest('portal', null);
      api.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        const isSearch = request.method === 'POST' && request.url.split('?')[0].endsWith('/search');
        const portal = await runtime.guard(request, reply, isSearch);
        if (!portal) return reply;
        (request as unknown as { portal: unknown }).portal = portal;
      });
      api.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _request, reply) => {
        if (err.statusCode && err.statusCode < 500) {
          const message = err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError ? `Invalid input JSON: ${err.message}` : err.message;
          return validation(reply, message);
        }
        return reply.code(500).send({ status: 'error', message: 'internal error', correlationId: '00000000-0000-0000-0000-000000000000', category: 'INTERNAL_ERROR' });
      });
      registerObjectRoutes(api, runtime, writer);
      registerMetadataRoutes(api);
      registerAssociationRoutes(api, runtime);
    });
  };
  return { vendor: 'hubspot', runtime, plugin, contactObject: 'contacts' };
}
