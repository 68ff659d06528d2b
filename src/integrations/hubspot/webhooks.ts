import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ModelName } from '../../models/spec';
import type { IncomingVendorRequest, VendorWebhookChange, VendorWebhooks, WebhookVerdict } from '../contract';

/**
 * HubSpot webhooks (vendor reference B7): a JSON array of events, signed with
 * X-HubSpot-Signature-v3 = base64(HMAC-SHA256(client secret, method + URI + body + timestamp)),
 * X-HubSpot-Request-Timestamp in milliseconds, rejected when older than 5 minutes.
 */

export const MAX_TIMESTAMP_AGE_MS = 5 * 60_000;

/** Legacy subscription prefixes and object type ids -> common models. */
const BY_PREFIX: Record<string, ModelName> = { contact: 'Contact', company: 'Account', deal: 'Opportunity' };
const BY_OBJECT_TYPE: Record<string, ModelName> = {
  '0-1': 'Contact',
  '0-2': 'Account',
  '0-3': 'Opportunity',
  '0-136': 'Lead',
  '0-27': 'Task',
  '0-46': 'Note',
  '0-47': 'Engagement',
  '0-48': 'Engagement',
  '0-49': 'Engagement',
};

/**
 * HubSpot signs the URI with some percent-escapes decoded (its request-validation doc lists
 * them), so the same decoding is applied before signing on our side.
 */
const DECODED: Record<string, string> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};
export function hubspotSignedUri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODED[m.toUpperCase()] ?? m);
}

export function hubspotSignatureV3(secret: string, method: string, url: string, body: Buffer | string, timestamp: string): string {
  return createHmac('sha256', secret)
    .update(`${method.toUpperCase()}${hubspotSignedUri(url)}`, 'utf8')
    .update(body)
    .update(timestamp, 'utf8')
    .digest('base64');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function verify(req: IncomingVendorRequest, secret: string | undefined, nowMs: number): WebhookVerdict {
  if (!secret) return { ok: false, reason: 'no HubSpot client secret is configured to verify webhooks' };
  const signature = req.headers['x-hubspot-signature-v3'];
  const timestamp = req.headers['x-hubspot-request-timestamp'];
  if (!signature || !timestamp) return { ok: false, reason: 'X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp are required' };
  const ts = Number(timestamp);
  if (!Number.isFinite(ts)) return { ok: false, reason: 'X-HubSpot-Request-Timestamp is not a number' };
  if (Math.abs(nowMs - ts) > MAX_TIMESTAMP_AGE_MS) return { ok: false, reason: 'the request timestamp is outside the 5-minute window' };
  if (!sameText(signature, hubspotSignatureV3(secret, req.method, req.url, req.rawBody, timestamp))) return { ok: false, reason: 'the signature does not match' };
  return { ok: true };
}

function modelOf(event: Record<string, unknown>): ModelName | undefined {
  const type = typeof event.subscriptionType === 'string' ? event.subscriptionType : '';
  const prefix = type.split('.')[0] ?? '';
  return BY_PREFIX[prefix] ?? BY_OBJECT_TYPE[String(event.objectTypeId ?? '')];
}

function kindOf(event: Record<string, unknown>): VendorWebhookChange['kind'] {
  const action = String(event.subscriptionType ?? '').split('.')[1] ?? '';
  if (action === 'creation') return 'added';
  if (action === 'deletion' || action === 'privacyDeletion') return 'deleted';
  if (action === 'propertyChange' || action === 'associationChange' || action === 'merge' || action === 'restore') return 'changed';
  return 'unknown';
}

function parse(req: IncomingVendorRequest): VendorWebhookChange[] {
  let events: unknown;
  try {
    events = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    throw new Error('body: not JSON');
  }
  if (!Array.isArray(events)) throw new Error('body: expected a JSON array of events');
  // Group per (portal, model, kind): one batch may hold many portals' events (one app, many installs).
  const groups = new Map<string, VendorWebhookChange>();
  events.forEach((raw, i) => {
    if (!raw || typeof raw !== 'object') throw new Error(`body[${i}]: expected an event object`);
    const e = raw as Record<string, unknown>;
    if (e.portalId === undefined || e.portalId === null) throw new Error(`body[${i}].portalId: required`);
    const model = modelOf(e);
    if (!model) return; // an object this integration does not model
    const id = e.objectId ?? e.fromObjectId;
    const kind = kindOf(e);
    const key = `${e.portalId}|${model}|${kind}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { remoteAccountId: String(e.portalId), models: [model], remoteIds: [], kind }));
    if (id !== undefined && id !== null) g.remoteIds.push(String(id));
  });
  return [...groups.values()];
}

/** HubSpot signs with the app's client secret: the configured one, or the emulator's. */
const secret: VendorWebhooks['secret'] = (_config, { clientSecret }) => clientSecret();

export const hubspotWebhooks: VendorWebhooks = { secret, verify, parse };
