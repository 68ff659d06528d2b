import type { FastifyInstance, FastifyReply } from 'fastify';
import { ctxOf, type RouteDeps } from '../context';
import { Errors, JSON_TYPE, sendError, zerr } from '../errors';
import { parseDateTime, zohoDateTime } from '../format';
import { encodeId, OBJECT_CODES } from '../ids';
import { MODULES, moduleByName } from '../modules';
import type { WatchChannel } from '../notifications';

/** Notification channels: POST / GET / PUT / PATCH / DELETE /crm/v8/actions/watch (section C7). */

const HOUR = 3600_000;
const WEEK = 7 * 24 * HOUR;

function send(reply: FastifyReply, status: number, body: unknown) {
  return reply.code(status).type(JSON_TYPE).send(JSON.stringify(body));
}

function validEvent(e: unknown): e is string {
  if (typeof e !== 'string') return false;
  const [m, a, extra] = e.split('.');
  return extra === undefined && moduleByName(m ?? '') !== undefined && ['create', 'edit', 'delete', 'all'].includes(a ?? '');
}

function normEvent(e: string): string {
  const [m, a] = e.split('.');
  return `${moduleByName(m)}.${a}`;
}

export function registerWatchRoutes(api: FastifyInstance, deps: RouteDeps): void {
  const { runtime } = deps;

  const eventsDetails = (baseUrl: string, tenantPrefix: string, ch: WatchChannel) =>
    ch.events.map((e) => {
      const m = e.split('.')[0] as keyof typeof MODULES;
      return { channel_expiry: zohoDateTime(ch.channel_expiry), resource_uri: `${baseUrl}/crm/v8/${m}`, resource_id: encodeId(tenantPrefix, OBJECT_CODES.modules, MODULES[m].code), resource_name: m, channel_id: ch.channel_id };
    });

  const upsert = (mode: 'create' | 'replace' | 'patch') => async (request: import('fastify').FastifyRequest, reply: FastifyReply) => {
    const { tenant } = ctxOf(request);
    const body = request.body as { watch?: unknown } | undefined;
    const list = body && typeof body === 'object' ? (body as { watch?: unknown }).watch : undefined;
    if (!Array.isArray(list) || list.length === 0) return sendError(reply, 400, zerr('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'watch', json_path: '$.watch' }));
    const channels = runtime.channelsOf(tenant.info.key);
    const baseUrl = runtime.lastBaseUrl;
    const results = list.map((w: Record<string, unknown>, index: number) => {
      const path = (k: string) => `$.watch[${index}].${k}`;
      const channelId = w?.channel_id !== undefined ? String(w.channel_id) : '';
      if (!channelId) return zerr('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'channel_id', json_path: path('channel_id') });
      const existing = channels.get(channelId);
      if (mode !== 'create' && !existing) return zerr('INVALID_DATA', 'invalid data', { api_name: 'channel_id', json_path: path('channel_id') });
      const events = w.events;
      if (mode !== 'patch' || events !== undefined) {
        if (!Array.isArray(events) || events.length === 0) return zerr('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'events', json_path: path('events') });
        const bad = events.findIndex((e) => !validEvent(e));
        if (bad >= 0) return zerr('INVALID_DATA', 'invalid data', { api_name: 'events', json_path: `${path('events')}[${bad}]` });
      }
      const notifyUrl = w.notify_url ?? existing?.notify_url;
      if (typeof notifyUrl !== 'string' || !/^https?:\/\//.test(notifyUrl)) return zerr(notifyUrl === undefined ? 'MANDATORY_NOT_FOUND' : 'INVALID_DATA', notifyUrl === undefined ? 'required field not found' : 'invalid data', { api_name: 'notify_url', json_path: path('notify_url') });
      if (w.token !== undefined && (typeof w.token !== 'string' || w.token.length > 50)) return zerr('INVALID_DATA', 'invalid data', { api_name: 'token', json_path: path('token'), maximum_length: '50' });
      let expiry = existing?.channel_expiry ?? Date.now() + HOUR;
      if (w.channel_expiry !== undefined) {
        const ms = parseDateTime(w.channel_expiry);
        if (Number.isNaN(ms) || ms <= Date.now() || ms > Date.now() + WEEK + 60_000) return zerr('INVALID_DATA', 'invalid data', { api_name: 'channel_expiry', json_path: path('channel_expiry') });
        expiry = ms;
      } else if (mode === 'create') expiry = Date.now() + HOUR;
      let evs = (events as string[] | undefined)?.map(normEvent) ?? existing?.events ?? [];
      if (mode === 'patch' && existing && events !== undefined) {
        evs = w._delete_events === true ? existing.events.filter((e) => !evs.includes(e)) : [...new Set([...existing.events, ...evs])];
      }
      const ch: WatchChannel = {
        channel_id: channelId, events: evs, channel_expiry: expiry, token: (w.token as string | undefined) ?? existing?.token, notify_url: notifyUrl,
        return_affected_field_values: w.return_affected_field_values === true, notify_on_related_action: w.notify_on_related_action === true,
      };
      if (ch.events.length === 0) channels.delete(channelId);
      else channels.set(channelId, ch);
      return {
        code: 'SUCCESS', details: { events: eventsDetails(baseUrl, tenant.info.prefix, ch) },
        message: mode === 'create' ? 'Successfully subscribed for actions-watch of the given module' : 'Successfully updated the subscribe details', status: 'success',
      };
    });
    const ok = results.filter((r) => r.status === 'success').length;
    return send(reply, ok === results.length ? 200 : ok === 0 ? 400 : 207, { watch: results });
  };

  api.post('/crm/v8/actions/watch', upsert('create'));
  api.put('/crm/v8/actions/watch', upsert('replace'));
  api.patch('/crm/v8/actions/watch', upsert('patch'));

  api.get('/crm/v8/actions/watch', async (request, reply) => {
    const { tenant } = ctxOf(request);
    const now = Date.now();
    const list = [...runtime.channelsOf(tenant.info.key).values()].filter((c) => c.channel_expiry > now);
    if (list.length === 0) return reply.code(204).send();
    return send(reply, 200, {
      watch: list.map((c) => ({
        notify_on_related_action: c.notify_on_related_action ?? false, channel_expiry: zohoDateTime(c.channel_expiry), resource_uri: `${runtime.lastBaseUrl}/crm/v8/`,
        resource_id: null, resource_name: null, channel_id: c.channel_id, events: c.events, token: c.token ?? null, notify_url: c.notify_url,
        return_affected_field_values: c.return_affected_field_values ?? false,
      })),
    });
  });

  api.delete('/crm/v8/actions/watch', async (request, reply) => {
    const { tenant } = ctxOf(request);
    const raw = (request.query as Record<string, string | undefined>).channel_ids;
    if (!raw) return sendError(reply, 400, Errors.requiredParam('channel_ids'));
    const channels = runtime.channelsOf(tenant.info.key);
    const results = raw.split(',').map((id) => id.trim()).filter(Boolean).map((id) => {
      const ch = channels.get(id);
      if (!ch) return zerr('INVALID_DATA', 'invalid data', { api_name: 'channel_ids', channel_id: id });
      channels.delete(id);
      return { code: 'SUCCESS', details: { events: eventsDetails(runtime.lastBaseUrl, tenant.info.prefix, ch) }, message: 'Successfully unsubscribed from actions-watch', status: 'success' };
    });
    const ok = results.filter((r) => r.status === 'success').length;
    return send(reply, ok === results.length ? 200 : ok === 0 ? 400 : 207, { watch: results });
  });
}
