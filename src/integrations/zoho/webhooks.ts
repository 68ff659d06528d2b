import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ModelName } from '../../models/spec';
import type { IncomingVendorRequest, VendorConnection, VendorWebhookChange, VendorWebhooks, WebhookVerdict } from '../contract';
import { API_PREFIX, ensureOk, zohoDateTime } from './api';
import { ZOHO_WEBHOOK_TOKEN } from './config';

/**
 * Zoho CRM notifications (vendor reference C7): not signed; Zoho echoes the `token` (at most 50
 * characters) and `channel_id` we registered with POST /crm/v8/actions/watch. Channels are
 * registered with channel_id = the Zoho org id (unique per org, and how the notification is mapped
 * back to the linked account) and a token derived from ZOHO_WEBHOOK_TOKEN and that channel id:
 * a Zoho admin can read their own channel's token back, and it is good for their own org only.
 */

/** The token of one channel: HMAC of its id under the secret, 43 characters (Zoho allows 50). */
export function channelToken(secret: string, channelId: string): string {
  return createHmac('sha256', secret).update(`zoho-channel:${channelId}`, 'utf8').digest('base64url');
}

const MODULE_MODELS: Record<string, ModelName> = {
  accounts: 'Account',
  contacts: 'Contact',
  leads: 'Lead',
  deals: 'Opportunity',
  notes: 'Note',
  tasks: 'Task',
  calls: 'Engagement',
  events: 'Engagement',
};

const KIND: Record<string, VendorWebhookChange['kind']> = { insert: 'added', update: 'changed', delete: 'deleted' };

function body(req: IncomingVendorRequest): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    throw new Error('body: not JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body: expected a JSON object');
  return parsed as Record<string, unknown>;
}

function verify(req: IncomingVendorRequest, secret: string | undefined): WebhookVerdict {
  if (!secret) return { ok: false, reason: 'no Zoho channel token is configured to verify notifications' };
  let b0: Record<string, unknown>;
  try {
    b0 = body(req);
  } catch {
    return { ok: false, reason: 'the body is not a Zoho notification' };
  }
  const token = b0.token;
  if (typeof token !== 'string') return { ok: false, reason: 'the notification carries no token' };
  if (b0.channel_id === undefined || b0.channel_id === null) return { ok: false, reason: 'the notification names no channel' };
  const a = Buffer.from(token, 'utf8');
  const b = Buffer.from(channelToken(secret, String(b0.channel_id)), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b) ? { ok: true } : { ok: false, reason: 'the channel token does not match' };
}

function parse(req: IncomingVendorRequest): VendorWebhookChange[] {
  const b = body(req);
  if (b.channel_id === undefined || b.channel_id === null || b.channel_id === '') throw new Error('channel_id: required');
  if (typeof b.module !== 'string') throw new Error('module: required');
  const model = MODULE_MODELS[b.module.toLowerCase()];
  if (!model) return [];
  const ids = Array.isArray(b.ids) ? b.ids.map(String) : [];
  return [{ remoteAccountId: String(b.channel_id), models: [model], remoteIds: ids, kind: KIND[String(b.operation)] ?? 'unknown' }];
}

/** Every module behind a common model, all operations. */
export const WATCH_EVENTS = ['Accounts.all', 'Contacts.all', 'Leads.all', 'Deals.all', 'Notes.all', 'Tasks.all', 'Calls.all', 'Events.all'];
/** Channels live at most a week; they are asked for six days and renewed before. */
export const CHANNEL_LIFETIME_MS = 6 * 24 * 3600_000;

type WatchAnswer = { watch?: { code?: string; message?: string }[] };

/** POST /actions/watch (enable), or PUT (replace) when the channel exists already. */
async function subscribe(conn: VendorConnection, options: { notifyUrl: string; secret: string; remoteAccountId: string }): Promise<{ expiresAt: Date }> {
  const expiresAt = new Date(Date.now() + CHANNEL_LIFETIME_MS);
  const body = {
    watch: [
      {
        channel_id: options.remoteAccountId,
        events: WATCH_EVENTS,
        channel_expiry: zohoDateTime(expiresAt),
        token: channelToken(options.secret, options.remoteAccountId),
        notify_url: options.notifyUrl,
        return_affected_field_values: false,
        notify_on_related_action: false,
      },
    ],
  };
  const created = await conn.request<WatchAnswer>({ method: 'POST', path: `${API_PREFIX}/actions/watch`, body, idempotent: true });
  if (created.status >= 200 && created.status < 300 && created.body?.watch?.[0]?.code === 'SUCCESS') return { expiresAt };
  ensureOk(await conn.request<WatchAnswer>({ method: 'PUT', path: `${API_PREFIX}/actions/watch`, body, idempotent: true }));
  return { expiresAt };
}

/**
 * ZOHO_WEBHOOK_TOKEN, else for the emulator one derived from the server's key (40 characters: Zoho
 * tokens are at most 50).
 */
const secret: VendorWebhooks['secret'] = (config, { sandbox, derive }) => config.vendorSettings.zoho?.[ZOHO_WEBHOOK_TOKEN] || (sandbox ? derive('sandbox-zoho-channel-token').slice(0, 40) : undefined);

export const zohoWebhooks: VendorWebhooks = { secret, verify, parse, subscribe };
