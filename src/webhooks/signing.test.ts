import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, mergeSignature, timestampedSignature, uuidv7, verifyTimestampedSignature } from './signing';

describe('outgoing webhook signatures', () => {
  it('Merge header: base64url HMAC-SHA256 of the raw body', () => {
    const body = '{"hook":{"event":"Contact.changed"}}';
    expect(mergeSignature('k', body)).toBe(createHmac('sha256', 'k').update(body).digest('base64url'));
    expect(mergeSignature('k', body)).not.toMatch(/[+/=]/);
  });

  it('timestamped header signs "<t>.<body>" and is rejected outside the tolerance or with another key/body', () => {
    const h = timestampedSignature('key', 'body', 1_700_000_000);
    expect(h).toBe(`t=1700000000,v1=${createHmac('sha256', 'key').update('1700000000.body').digest('hex')}`);
    expect(verifyTimestampedSignature('key', 'body', h, 1_700_000_100)).toBe(true);
    expect(verifyTimestampedSignature('key', 'body', h, 1_700_000_301)).toBe(false);
    expect(verifyTimestampedSignature('other', 'body', h, 1_700_000_000)).toBe(false);
    expect(verifyTimestampedSignature('key', 'body2', h, 1_700_000_000)).toBe(false);
    expect(verifyTimestampedSignature('key', 'body', 'garbage', 1_700_000_000)).toBe(false);
  });

  it('keys are random and long; uuidv7 ids sort by creation time', () => {
    expect(generateSigningKey()).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateSigningKey()).not.toBe(generateSigningKey());
    const a = uuidv7(1_000);
    const b = uuidv7(2_000);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).toBe(true);
    // Same millisecond (or a clock step back): still strictly increasing.
    const same = Array.from({ length: 5000 }, () => uuidv7(3_000));
    for (let i = 1; i < same.length; i++) expect(same[i]! > same[i - 1]!).toBe(true);
    expect(uuidv7(2_500) > same[same.length - 1]!).toBe(true);
  });
});
