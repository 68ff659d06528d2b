import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildEvent, signatureV1, signatureV3, subscriptionType } from './webhooks';

describe('HubSpot webhook signatures and events', () => {
  it('v3 = base64(HMAC-SHA256(secret, method + uri + body + timestamp))', () => {
    const body = '[{"eventId":1}]';
    const expected = createHmac('sha256', 'secret').update(Buffer.from(`POSThttps://example.com/hook?x=1${body}1700000000000`)).digest('base64');
    expect(signatureV3('secret', 'POST', 'https://example.com/hook?x=1', body, '1700000000000')).toBe(expected);
    expect(signatureV3('other', 'POST', 'https://example.com/hook?x=1', body, '1700000000000')).not.toBe(expected);
    expect(signatureV1('s', 'b')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('builds legacy and generic subscription events', () => {
    expect(subscriptionType('contacts', 'creation')).toBe('contact.creation');
    expect(subscriptionType('deals', 'propertyChange')).toBe('deal.propertyChange');
    expect(subscriptionType('tasks', 'deletion')).toBe('object.deletion');
    const e = buildEvent({ object: 'contacts', objectId: '100000000001', kind: 'propertyChange', propertyName: 'email', propertyValue: 'a@b.c', changeSource: 'CRM', occurredAt: 5 }, 99);
    expect(e).toMatchObject({ portalId: 99, occurredAt: 5, subscriptionType: 'contact.propertyChange', attemptNumber: 0, objectId: 100000000001, propertyName: 'email', propertyValue: 'a@b.c', changeSource: 'CRM' });
    expect(typeof e.eventId).toBe('number');
    expect(typeof e.subscriptionId).toBe('number');
    expect(typeof e.appId).toBe('number');
    const t = buildEvent({ object: 'notes', objectId: '150000000001', kind: 'creation', changeSource: 'CRM', occurredAt: 5 }, 99);
    expect(t).toMatchObject({ subscriptionType: 'object.creation', objectTypeId: '0-46', changeFlag: 'NEW' });
    const a = buildEvent({ object: 'contacts', objectId: '100000000001', kind: 'associationChange', changeSource: 'INTEGRATION', occurredAt: 5, association: { to: 'companies', toObjectId: '110000000002', removed: true } }, 99);
    expect(a).toMatchObject({ subscriptionType: 'contact.associationChange', associationType: 'CONTACT_TO_COMPANY', fromObjectId: 100000000001, toObjectId: 110000000002, associationRemoved: true });
    expect(a.objectId).toBeUndefined();
  });
});
