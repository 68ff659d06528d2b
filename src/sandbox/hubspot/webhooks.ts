import { createHash, createHmac } from 'node:crypto';
import type { WebhookSender } from '../common/webhook-sender';
import { OBJECT_NAMES, OBJECTS, type ObjectName } from './schema';

/**
 * HubSpot webhook batches: a JSON array of events POSTed to the app's target URL, signed with
 * X-HubSpot-Signature-v3 = base64(HMAC-SHA256(clientSecret, method + uri + body + timestamp)).
 */

export const APP_ID = 4_100_001;
const SUBSCRIPTION_BASE = 2_700_000;

export type ChangeKind = 'creation' | 'propertyChange' | 'deletion' | 'associationChange';

export interface Change {
  object: ObjectName;
  objectId: string;
  kind: ChangeKind;
  propertyName?: string;
  propertyValue?: string | null;
  changeSource: 'CRM' | 'INTEGRATION' | 'API' | 'CRM_UI';
  occurredAt: number;
  /** associationChange only. */
  association?: { to: ObjectName; toObjectId: string; removed: boolean };
}

/** Legacy per-object subscription names exist for contacts, companies and deals; other objects use object.*. */
const LEGACY: Partial<Record<ObjectName, string>> = { contacts: 'contact', companies: 'company', deals: 'deal' };

export function subscriptionType(object: ObjectName, kind: ChangeKind): string {
  return `${LEGACY[object] ?? 'object'}.${kind}`;
}

let eventSeq = 1;

export function buildEvent(c: Change, portalId: number): Record<string, unknown> {
  const legacy = LEGACY[c.object] !== undefined;
  const kindIndex = ['creation', 'propertyChange', 'deletion', 'associationChange'].indexOf(c.kind);
  const event: Record<string, unknown> = {
    eventId: eventSeq++,
    subscriptionId: SUBSCRIPTION_BASE + OBJECT_NAMES.indexOf(c.object) * 10 + kindIndex,
    portalId,
    appId: APP_ID,
    occurredAt: c.occurredAt,
    subscriptionType: subscriptionType(c.object, c.kind),
    attemptNumber: 0,
    objectId: Number(c.objectId),
  };
  if (!legacy) event.objectTypeId = OBJECTS[c.object].objectTypeId;
  if (c.kind === 'associationChange' && c.association) {
    // HubSpot's association events name both ends instead of objectId.
    delete event.objectId;
    event.associationType = `${OBJECTS[c.object].singular}_TO_${OBJECTS[c.association.to].singular}`.toUpperCase();
    event.fromObjectId = Number(c.objectId);
    event.toObjectId = Number(c.association.toObjectId);
    event.associationRemoved = c.association.removed;
    event.isPrimaryAssociation = false;
  }
  if (c.kind === 'propertyChange') {
    event.propertyName = c.propertyName;
    event.propertyValue = c.propertyValue ?? '';
  }
  event.changeSource = c.changeSource;
  if (c.kind === 'creation') event.changeFlag = 'NEW';
  if (c.kind === 'deletion') event.changeFlag = 'DELETED';
  return event;
}

export function signatureV3(secret: string, method: string, uri: string, body: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${method}${uri}${body}${timestamp}`, 'utf8').digest('base64');
}

/** Legacy v1 signature (sha256 hex of secret + body), sent alongside v3 like HubSpot does. */
export function signatureV1(secret: string, body: string): string {
  return createHash('sha256').update(secret + body, 'utf8').digest('hex');
}

/** Sends one batch (HubSpot sends up to 100 events per request). */
export function deliver(sender: WebhookSender, url: string, secret: string, portalId: number, changes: Change[], now = Date.now()): void {
  for (let i = 0; i < changes.length; i += 100) {
    const body = JSON.stringify(changes.slice(i, i + 100).map((c) => buildEvent(c, portalId)));
    const timestamp = String(now);
    sender.send(url, body, {
      'content-type': 'application/json',
      'user-agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/)',
      'x-hubspot-signature-v3': signatureV3(secret, 'POST', url, body, timestamp),
      'x-hubspot-request-timestamp': timestamp,
      'x-hubspot-signature': signatureV1(secret, body),
      'x-hubspot-signature-version': 'v1',
    });
  }
}
