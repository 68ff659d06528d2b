import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config';
import { signatureV3 as emulatorSignature } from '../../sandbox/hubspot/webhooks';
import { hubspotSignatureV3, hubspotSignedUri, hubspotWebhooks } from './webhooks';

const url = 'https://sb.example.com/webhooks/vendors/hubspot';
const body = JSON.stringify([
  { eventId: 1, subscriptionId: 1, portalId: 62515, appId: 1, occurredAt: 1, subscriptionType: 'contact.propertyChange', attemptNumber: 0, objectId: 123, propertyName: 'email', propertyValue: 'a@b.c', changeSource: 'CRM' },
  { eventId: 2, subscriptionId: 2, portalId: 62515, appId: 1, occurredAt: 1, subscriptionType: 'contact.propertyChange', attemptNumber: 0, objectId: 124, changeSource: 'CRM' },
  { eventId: 3, subscriptionId: 3, portalId: 62515, appId: 1, occurredAt: 1, subscriptionType: 'object.creation', objectTypeId: '0-27', attemptNumber: 0, objectId: 9, changeFlag: 'NEW' },
  { eventId: 4, subscriptionId: 4, portalId: 777, appId: 1, occurredAt: 1, subscriptionType: 'deal.deletion', attemptNumber: 0, objectId: 5, changeFlag: 'DELETED' },
  { eventId: 5, subscriptionId: 5, portalId: 777, appId: 1, occurredAt: 1, subscriptionType: 'object.creation', objectTypeId: '2-999', attemptNumber: 0, objectId: 6 },
]);

function request(headers: Record<string, string>, b = body) {
  return { method: 'POST', url, headers, rawBody: Buffer.from(b) };
}

describe('HubSpot incoming webhooks', () => {
  const now = 1_700_000_000_000;
  const ts = String(now - 1000);
  const sig = hubspotSignatureV3('secret', 'POST', url, body, ts);

  it('signs like the emulator (and HubSpot): method + URI + body + timestamp', () => {
    expect(sig).toBe(emulatorSignature('secret', 'POST', url, body, ts));
    expect(hubspotSignedUri('https://h/x%3Fa%2Fb%20c')).toBe('https://h/x?a/b%20c');
  });

  it('accepts a good signature within 5 minutes; rejects stale, future, wrong secret, tampered body, missing headers', () => {
    expect(hubspotWebhooks.verify(request({ 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': ts }), 'secret', now)).toEqual({ ok: true });
    expect(hubspotWebhooks.verify(request({ 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': ts }), 'secret', now + 5 * 60_000 + 2000).ok).toBe(false);
    const future = String(now + 6 * 60_000);
    expect(hubspotWebhooks.verify(request({ 'x-hubspot-signature-v3': hubspotSignatureV3('secret', 'POST', url, body, future), 'x-hubspot-request-timestamp': future }), 'secret', now).ok).toBe(false);
    expect(hubspotWebhooks.verify(request({ 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': ts }), 'other', now).ok).toBe(false);
    expect(hubspotWebhooks.verify(request({ 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': ts }, body.replace('123', '124')), 'secret', now).ok).toBe(false);
    expect(hubspotWebhooks.verify(request({ 'x-hubspot-request-timestamp': ts }), 'secret', now).ok).toBe(false);
    expect(hubspotWebhooks.verify(request({ 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': ts }), undefined, now).ok).toBe(false);
  });

  it('groups events per portal, model and kind; skips objects it does not model', () => {
    const changes = hubspotWebhooks.parse(request({}));
    expect(changes).toEqual([
      { remoteAccountId: '62515', models: ['Contact'], remoteIds: ['123', '124'], kind: 'changed' },
      { remoteAccountId: '62515', models: ['Task'], remoteIds: ['9'], kind: 'added' },
      { remoteAccountId: '777', models: ['Opportunity'], remoteIds: ['5'], kind: 'deleted' },
    ]);
    expect(() => hubspotWebhooks.parse(request({}, '{"x":1}'))).toThrow(/array/);
    expect(() => hubspotWebhooks.parse(request({}, 'nope'))).toThrow(/JSON/);
    expect(() => hubspotWebhooks.parse(request({}, '[{"objectId":1}]'))).toThrow(/portalId/);
  });

  it("verifies with the app's client secret, configured or the emulator's; none without one", () => {
    const context = (clientSecret: string | undefined) => ({ sandbox: false, clientSecret: () => clientSecret, derive: () => 'derived' });
    expect(hubspotWebhooks.secret!(loadConfig({}), context('client-secret'))).toBe('client-secret');
    expect(hubspotWebhooks.secret!(loadConfig({}), context(undefined))).toBeUndefined();
  });
});
