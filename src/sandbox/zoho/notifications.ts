import type { ModuleName } from './modules';
import type { ZohoRuntime } from './runtime';
import type { Tenant } from './tenant';

/**
 * Zoho CRM notifications (section C7): channels enabled through /crm/v8/actions/watch, plus the
 * emulator setting webhookUrl as a fallback channel (channel_id = the org id, token =
 * settings.webhookSecret). Each change POSTs JSON with channel_id, token, module, operation
 * (insert | update | delete), ids, server_time, query_params, resource_uri, affected_fields.
 */

export type Operation = 'insert' | 'update' | 'delete';

export interface WatchChannel {
  channel_id: string;
  events: string[];
  channel_expiry: number;
  token?: string;
  notify_url: string;
  return_affected_field_values?: boolean;
  notify_on_related_action?: boolean;
}

const EVENT_OF: Record<Operation, string> = { insert: 'create', update: 'edit', delete: 'delete' };

export function channelMatches(channel: WatchChannel, module: ModuleName, op: Operation): boolean {
  return channel.events.some((e) => {
    const [m, a] = e.split('.');
    return m.toLowerCase() === module.toLowerCase() && (a === 'all' || a === EVENT_OF[op]);
  });
}

function queryParams(url: string): Record<string, string> {
  try {
    return Object.fromEntries(new URL(url).searchParams);
  } catch {
    return {};
  }
}

export function emitChange(
  runtime: ZohoRuntime,
  tenant: Tenant,
  module: ModuleName,
  op: Operation,
  ids: string[],
  affectedFields: string[] = [],
): void {
  if (ids.length === 0) return;
  const now = Date.now();
  const targets: { url: string; channelId: string; token?: string }[] = [];
  for (const ch of runtime.channelsOf(tenant.info.key).values()) {
    if (ch.channel_expiry > now && channelMatches(ch, module, op)) targets.push({ url: ch.notify_url, channelId: ch.channel_id, token: ch.token });
  }
  if (runtime.settings.webhookUrl) targets.push({ url: runtime.settings.webhookUrl, channelId: tenant.orgId, token: runtime.settings.webhookSecret });
  for (const t of targets) {
    const body: Record<string, unknown> = {
      server_time: now,
      query_params: queryParams(t.url),
      module,
      resource_uri: `${runtime.lastBaseUrl}/crm/v8/${module}`,
      ids,
      operation: op,
      channel_id: t.channelId,
      token: t.token ?? null,
    };
    if (op === 'update') body.affected_fields = ids.map((id) => ({ [id]: affectedFields }));
    runtime.webhooks.send(t.url, JSON.stringify(body), { 'content-type': 'application/json' });
  }
}
