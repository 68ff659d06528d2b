import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { adapterFor } from '../../src/integrations/registry';
import { hubspotSignatureV3 } from '../../src/integrations/hubspot/webhooks';
import { channelToken } from '../../src/integrations/zoho/webhooks';
import type { VendorSlug } from '../../src/integrations/contract';
import { VendorConnections } from '../../src/linked-accounts/connections';
import { SYNC_TRIGGER, type SyncTrigger } from '../../src/sync/contract';
import { IncomingWebhooksService } from '../../src/webhooks/incoming/incoming.service';
import { linkSandboxAccount, mountedSandbox } from '../support/linked-account';
import { startTestApp, type TestApp } from '../support/test-app';
import { eventually, Receiver } from './receiver';

/**
 * Vendor notifications end to end: the mounted emulators notify this server's public routes
 * (SANDBOX_WEBHOOKS=on), each notification is verified, stored per linked account and asks the
 * real sync trigger for an incremental sync of the models it names.
 */
describe('incoming vendor webhooks', () => {
  let t: TestApp;
  let org: { organizationId: string; apiKey: string };
  let other: { organizationId: string; apiKey: string };
  let receiver: Receiver;
  let requests: Parameters<SyncTrigger['request']>[0][];
  const accounts: Partial<Record<VendorSlug, { id: string; token: string; remoteAccountId: string }>> = {};

  beforeAll(async () => {
    t = await startTestApp({ SANDBOX_WEBHOOKS: 'on', SANDBOX_CONTACTS: '20', WEBHOOK_RETRY_BASE_MS: '50' });
    receiver = await new Receiver().start();
    org = await t.createOrganization('Webhooks');
    other = await t.createOrganization('Other');
    // Record what the real trigger is asked (and let it do its work).
    const trigger = t.app.get<SyncTrigger>(SYNC_TRIGGER);
    requests = [];
    const real = trigger.request.bind(trigger);
    vi.spyOn(trigger, 'request').mockImplementation(async (req) => {
      requests.push(req);
      await real(req);
    });
    for (const vendor of ['hubspot', 'zoho', 'salesforce'] as VendorSlug[]) {
      const { linkedAccountId, accountToken } = await linkSandboxAccount(t, org.organizationId, vendor);
      let account = await t.db.prisma.linkedAccount.update({ where: { id: linkedAccountId }, data: { readMode: 'stored' } });
      if (!account.remoteAccountId) {
        // The Zoho token answer does not name the org: ask the vendor like linking does.
        const who = await adapterFor(vendor)!.auth.identify(t.app.get(VendorConnections).forAccount(account), { accessToken: '' });
        account = await t.db.prisma.linkedAccount.update({ where: { id: linkedAccountId }, data: { remoteAccountId: who.remoteAccountId } });
      }
      accounts[vendor] = { id: linkedAccountId, token: accountToken, remoteAccountId: account.remoteAccountId! };
    }
  }, 120_000);

  afterAll(async () => {
    for (const s of ['hubspot', 'zoho', 'salesforce'] as VendorSlug[]) if (t) await mountedSandbox(t, s).emulator.runtime.webhooks.drain();
    await t?.close();
    await receiver?.close();
  });

  const stored = (vendor: VendorSlug) => t.db.prisma.incomingVendorWebhook.findMany({ where: { linkedAccountId: accounts[vendor]!.id }, orderBy: { id: 'asc' } });

  it('rejects bad signatures, stale timestamps, wrong tokens and unknown orgs with 401, storing nothing', async () => {
    const url = `${t.url}/webhooks/vendors/hubspot`;
    const body = JSON.stringify([{ eventId: 1, subscriptionId: 1, portalId: Number(accounts.hubspot!.remoteAccountId), appId: 1, occurredAt: Date.now(), subscriptionType: 'contact.propertyChange', attemptNumber: 0, objectId: 1 }]);
    const secret = t.app.get(IncomingWebhooksService).secretFor('hubspot')!;
    const post = (path: string, b: string, headers: Record<string, string>) => t.request(path, { method: 'POST', body: b, headers });
    const fresh = String(Date.now());
    const wrong = await post('/webhooks/vendors/hubspot', body, { 'content-type': 'application/json', 'x-hubspot-request-timestamp': fresh, 'x-hubspot-signature-v3': hubspotSignatureV3('not-the-secret', 'POST', url, body, fresh) });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'INVALID_WEBHOOK' });
    expect(wrong.text).not.toContain(secret);
    const stale = String(Date.now() - 6 * 60_000);
    const old = await post('/webhooks/vendors/hubspot', body, { 'content-type': 'application/json', 'x-hubspot-request-timestamp': stale, 'x-hubspot-signature-v3': hubspotSignatureV3(secret, 'POST', url, body, stale) });
    expect(old.status).toBe(401);
    expect(old.body.detail).toContain('5-minute');
    // The right secret and a fresh timestamp pass (control for the two rejections above).
    const good = await post('/webhooks/vendors/hubspot', body, { 'content-type': 'application/json', 'x-hubspot-request-timestamp': fresh, 'x-hubspot-signature-v3': hubspotSignatureV3(secret, 'POST', url, body, fresh) });
    expect(good.status).toBe(200);

    const zoho = await post('/webhooks/vendors/zoho', JSON.stringify({ module: 'Contacts', operation: 'update', ids: ['1'], channel_id: accounts.zoho!.remoteAccountId, token: 'wrong-token' }), { 'content-type': 'application/json' });
    expect(zoho.status).toBe(401);
    const soap = `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>00D000000000001AAA</OrganizationId><Notification><Id>04l000000000001AAA</Id><sObject xsi:type="sf:Contact" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>003000000000001AAA</sf:Id></sObject></Notification></notifications></soapenv:Body></soapenv:Envelope>`;
    const sf = await post('/webhooks/vendors/salesforce', soap, { 'content-type': 'text/xml; charset=utf-8' });
    expect(sf.status).toBe(401);
    expect((await post('/webhooks/vendors/pipedrive', '{}', { 'content-type': 'application/json' })).status).toBe(404);
    expect((await post('/webhooks/vendors/zoho', 'not json', { 'content-type': 'text/plain' })).status).toBeGreaterThanOrEqual(400);

    const huge = await post('/webhooks/vendors/zoho', JSON.stringify({ pad: 'x'.repeat(1_100_000) }), { 'content-type': 'application/json' });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');

    const metrics = (await t.request('/metrics')).text;
    expect(metrics).toContain('switchboard_incoming_webhooks_total{vendor="hubspot",result="rejected"} 2');
    expect(metrics).toContain('switchboard_incoming_webhooks_total{vendor="hubspot",result="accepted"} 1');

    // Only the one verified request was stored.
    expect(await stored('hubspot')).toHaveLength(1);
    expect(await stored('zoho')).toHaveLength(0);
    expect(await stored('salesforce')).toHaveLength(0);
  });

  it('subscribes Zoho accounts to notification channels (channel id = org id, our token, our URL)', async () => {
    const svc = t.app.get(IncomingWebhooksService);
    expect(await svc.subscribeAccount(accounts.zoho!.id)).toBeInstanceOf(Date);
    // Renewal replaces the channel instead of failing on the existing one.
    expect(await svc.renewSubscriptions()).toBe(1);
    const account = await t.db.prisma.linkedAccount.findUniqueOrThrow({ where: { id: accounts.zoho!.id } });
    const res = await t.app.get(VendorConnections).forAccount(account).request<{ watch: Record<string, unknown>[] }>({ method: 'GET', path: '/crm/v8/actions/watch' });
    expect(res.status).toBe(200);
    expect(res.body.watch).toHaveLength(1);
    expect(res.body.watch[0]).toMatchObject({ channel_id: accounts.zoho!.remoteAccountId, notify_url: `${t.url}/webhooks/vendors/zoho`, token: channelToken(svc.secretFor('zoho')!, accounts.zoho!.remoteAccountId) });
    // Not per-account at HubSpot (app-wide) or Salesforce (set up by the admin): nothing to do.
    expect(await svc.subscribeAccount(accounts.hubspot!.id)).toBeNull();
    const details = await t.request('/api/crm/v1/account-details', { apiKey: org.apiKey, headers: { 'x-account-token': accounts.zoho!.token } });
    expect(details.body.webhook_listener_url).toBe(`${t.url}/webhooks/vendors/zoho`);
  });

  it('each emulator notifies on a vendor-side change: stored, and an incremental sync of the model is requested', async () => {
    for (const vendor of ['zoho', 'salesforce'] as VendorSlug[]) {
      const before = (await stored(vendor)).length;
      const created = await t.request('/api/crm/v1/contacts', {
        method: 'POST',
        apiKey: org.apiKey,
        headers: { 'x-account-token': accounts[vendor]!.token },
        json: { model: { first_name: 'Web', last_name: `Hook ${vendor}`, email_addresses: [{ email_address: `hook-${vendor}@example.com`, email_address_type: 'WORK' }] } },
      });
      expect(created.status, created.text).toBe(201);
      const rows = await eventually(async () => {
        const r = await stored(vendor);
        return r.length > before ? r : undefined;
      });
      const row = rows[rows.length - 1]!;
      expect(row.models).toContain('Contact');
      expect(row.recordCount).toBeGreaterThanOrEqual(1);
      expect(row.body.length).toBeGreaterThan(0);
      await eventually(() => requests.some((r) => r.linkedAccountId === accounts[vendor]!.id && r.reason === 'webhook' && r.kind === 'incremental' && r.models?.includes('Contact')));
    }
    // Salesforce was answered with the SOAP Ack: the emulator stopped after one attempt.
    const sfDeliveries = mountedSandbox(t, 'salesforce').emulator.runtime.webhooks.deliveries;
    expect(sfDeliveries[sfDeliveries.length - 1]).toMatchObject({ status: 200, attempts: 1 });
  });

  it('lists stored notifications per organization and replays them; other organizations see none', async () => {
    const list = await t.request('/api/crm/v1/incoming-webhooks?vendor=zoho', { apiKey: org.apiKey });
    expect(list.status).toBe(200);
    expect(list.body.results.length).toBeGreaterThanOrEqual(1);
    const item = list.body.results[0];
    expect(item).toMatchObject({ vendor: 'zoho', linked_account_id: accounts.zoho!.id, replayed_at: null });
    const n = requests.length;
    const replay = await t.request(`/api/crm/v1/incoming-webhooks/${item.id}/replay`, { method: 'POST', apiKey: org.apiKey });
    expect(replay.status).toBe(200);
    expect(replay.body.replayed_at).not.toBeNull();
    expect(requests.length).toBe(n + 1);
    expect(requests[n]).toMatchObject({ linkedAccountId: accounts.zoho!.id, reason: 'webhook', kind: 'incremental' });

    expect((await t.request('/api/crm/v1/incoming-webhooks', { apiKey: other.apiKey })).body.results).toEqual([]);
    expect((await t.request(`/api/crm/v1/incoming-webhooks/${item.id}/replay`, { method: 'POST', apiKey: other.apiKey })).status).toBe(404);
  });

  it('purges notifications older than 7 days', async () => {
    const svc = t.app.get(IncomingWebhooksService);
    const all = await t.db.prisma.incomingVendorWebhook.count();
    expect(await svc.purge(new Date(Date.now() + 6 * 24 * 3600_000))).toBe(0);
    expect(await svc.purge(new Date(Date.now() + 8 * 24 * 3600_000))).toBe(all);
  });

  /** Changes a contact's first name at the vendor directly (not through Switchboard), like a CRM user would. */
  async function renameAtVendor(vendor: VendorSlug, remoteId: string, firstName: string): Promise<number> {
    const sandbox = mountedSandbox(t, vendor);
    const tok = (await (await fetch(`${sandbox.baseUrl}/__sandbox/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as Record<string, string>;
    const json = { 'content-type': 'application/json' };
    if (vendor === 'hubspot') {
      return (await fetch(`${sandbox.baseUrl}/crm/v3/objects/contacts/${remoteId}`, { method: 'PATCH', headers: { ...json, authorization: `Bearer ${tok.access_token}` }, body: JSON.stringify({ properties: { firstname: firstName } }) })).status;
    }
    if (vendor === 'salesforce') {
      return (await fetch(`${tok.instance_url}/services/data/v62.0/sobjects/Contact/${remoteId}`, { method: 'PATCH', headers: { ...json, authorization: `Bearer ${tok.access_token}` }, body: JSON.stringify({ FirstName: firstName }) })).status;
    }
    return (await fetch(`${tok.api_domain}/crm/v8/Contacts/${remoteId}`, { method: 'PUT', headers: { ...json, authorization: `Zoho-oauthtoken ${tok.access_token}` }, body: JSON.stringify({ data: [{ First_Name: firstName }] }) })).status;
  }

  for (const vendor of ['hubspot', 'zoho', 'salesforce'] as VendorSlug[]) {
    it(`${vendor} end to end with the real engine: vendor change -> webhook -> incremental sync -> store -> Contact.changed to the organization`, async () => {
      const account = accounts[vendor]!;
      const trigger = t.app.get<SyncTrigger>(SYNC_TRIGGER);
      await trigger.request({ linkedAccountId: account.id, models: ['Contact'], kind: 'full', reason: 'manual' });
      await eventually(async () => (await t.db.prisma.syncState.findUnique({ where: { linkedAccountId_model: { linkedAccountId: account.id, model: 'Contact' } } }))?.isInitialSync === false, 60_000);
      const put = await t.request('/api/crm/v1/webhook-settings', { method: 'PUT', apiKey: org.apiKey, json: { target_url: receiver.url, events: ['Contact.changed'] } });
      expect(put.status).toBe(200);

      const first = await t.db.prisma.crmRecord.findFirstOrThrow({ where: { linkedAccountId: account.id, model: 'Contact', remoteWasDeleted: false }, orderBy: { seq: 'asc' } });
      const name = `Webhooked ${vendor}`;
      expect(await renameAtVendor(vendor, first.remoteId, name)).toBeLessThan(300);

      await eventually(() => requests.some((r) => r.linkedAccountId === account.id && r.reason === 'webhook' && r.models?.includes('Contact')));
      await eventually(async () => {
        const r = await t.db.prisma.crmRecord.findUnique({ where: { id: first.id } });
        return (r?.data as { first_name?: string } | undefined)?.first_name === name;
      }, 60_000);
      const hook = await eventually(() => receiver.received.find((r) => JSON.parse(r.body).data?.id === first.id && JSON.parse(r.body).data?.first_name === name), 60_000);
      const body = JSON.parse(hook.body);
      expect(body.hook.event).toBe('Contact.changed');
      expect(body.data).toMatchObject({ id: first.id, remote_id: first.remoteId, first_name: name });
      expect(body.linked_account.id).toBe(account.id);
    }, 120_000);
  }
});
