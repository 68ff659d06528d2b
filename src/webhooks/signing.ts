import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signatures of outgoing webhooks (unified-api.md "Webhooks to the product"):
 * - `X-Merge-Webhook-Signature: base64url(HMAC-SHA256(key, raw body))`, for receivers written
 *   against Merge;
 * - `X-Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(key, "<t>.<raw body>")>`: the
 *   timestamp is signed too, so a receiver can reject a captured request replayed later.
 */

export const MERGE_SIGNATURE_HEADER = 'x-merge-webhook-signature';
export const SIGNATURE_HEADER = 'x-switchboard-signature';
export const EVENT_ID_HEADER = 'x-switchboard-event-id';
export const EVENT_HEADER = 'x-switchboard-event';

export function mergeSignature(key: string, body: string): string {
  return createHmac('sha256', key).update(body, 'utf8').digest('base64url');
}

export function timestampedSignature(key: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', key).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/**
 * What a receiver does (documented for organizations, used by the tests): checks v1 over
 * "<t>.<body>" and that t is within `toleranceSeconds` of now.
 */
export function verifyTimestampedSignature(key: string, body: string, header: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(timestampedSignature(key, body, t).split('v1=')[1]!, 'utf8');
  const got = Buffer.from(parts.v1, 'utf8');
  return expected.length === got.length && timingSafeEqual(expected, got);
}

/** A new signing key: 32 random bytes, prefixed so it is recognisable in a secret store. */
export function generateSigningKey(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

let lastMs = 0;
let seq = 0;

/**
 * Time-ordered UUID (RFC 9562 version 7): 48-bit millisecond timestamp, a 12-bit counter (so ids
 * made in the same millisecond by this process still increase), then random bits. Lists keyed on
 * it page in creation order with a plain primary-key index.
 */
export function uuidv7(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    seq = 0;
  } else if (++seq > 0xfff) {
    lastMs++;
    seq = 0;
  }
  const b = randomBytes(16);
  b.writeUIntBE(lastMs, 0, 6);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
