import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_VAULT, type TokenVault } from '../../src/crypto/vault';
import { EventBus } from '../../src/events/event-bus';
import { WebhookDeliveriesService } from '../../src/webhooks/deliveries.service';
import { mergeSignature, verifyTimestampedSignature } from '../../src/webhooks/signing';
import { linkSandboxAccount } from '../support/linked-account';
import { startTestApp, type TestApp } from '../support/test-app';
import { eventually, Receiver } from './receiver';

describe('outgoing webhooks to the organization', () => {
  let t: TestApp;
  let receiver: Receiver;
  let a: { organizationId: string; apiKey: string };
  let b: { organizationId: string; apiKey: string };
  let key = '';
  let accountId = '';

  beforeAll(async () => {
    // Short retry base so three attempts take well under a second; the schedule itself is unit-tested.
    t = await startTestApp({ WEBHOOK_RETRY_BASE_MS: '50' });
    receiver = await new Receiver().start();
    a = await t.createOrganization('A');
    b = await t.createOrganization('B');
    accountId = (await linkSandboxAccount(t, a.organizationId, 'hubspot')).linkedAccountId;
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  const publish = (organizationId: string, event: string, data: Record<string, unknown> = {}, linkedAccountId?: string) =>
    t.app.get(EventBus).publish({ event, organizationId, linkedAccountId, data });

  it('validates settings and shows the signing key once', async () => {
    expect((await t.request('/api/crm/v1/webhook-settings', { method: 'PUT', json: { target_url: receiver.url } })).status).toBe(401);
    const bad = await t.request('/api/crm/v1/webhook-settings', { method: 'PUT', apiKey: a.apiKey, json: { target_url: 'ftp://example.com/x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].source.pointer).toBe('/body/target_url');
    const creds = await t.request('/api/crm/v1/webhook-settings', { method: 'PUT', apiKey: a.apiKey, json: { target_url: 'https://user:pw@example.com/x' } });
    expect(creds.status).toBe(400);
    const badEvent = await t.request('/api/crm/v1/webhook-settings', { method: 'PUT', apiKey: a.apiKey, json: { target_url: receiver.url, events: ['Contact.changed', 'Nope.exploded'] } });
    expect(badEvent.status).toBe(400);
    expect(badEvent.body.errors[0].source.pointer).toBe('/body/events/1');
    expect((await t.request('/api/crm/v1/webhook-settings', { apiKey: a.apiKey })).status).toBe(404);

    const created = await t.request('/api/crm/v1/webhook-settings', { method: 'PUT', apiKey: a.apiKey, json: { target_url: receiver.url } });
    expect(created.status).toBe(200);
    key = created.body.signing_key;
    expect(key).toMatch(/^whsec_/);
    expect(created.body).toMatchObject({ target_url: receiver.url, events: [], is_active: true, signing_key_prefix: key.slice(0, 10) });
    const read = await t.request('/api/crm/v1/webhook-settings', { apiKey: a.apiKey });
    expect(read.status).toBe(200);
    expect(read.body.signing_key).toBeUndefined();
    expect(read.text).not.toContain(key);
    const again = await t.request('/crm/v1/webhook-settings', { method: 'PUT', apiKey: a.apiKey, json: { target_url: receiver.url } });
    expect(again.body.signing_key).toBeUndefined();
    expect(again.body.id).toBe(created.body.id);
  });

  it('retries a failing receiver with backoff: 500, 500, 200 is three attempts of one event id, each signed', async () => {
    receiver.received.length = 0;
    receiver.script = [500, 500, 200];
    publish(a.organizationId, 'LinkedAccount.linked', {}, accountId);
    const delivery = await eventually(async () => {
      const list = await t.request('/api/crm/v1/webhook-deliveries?event=LinkedAccount.linked', { apiKey: a.apiKey });
      const d = list.body.results[0];
      return d?.status === 'DELIVERED' ? d : undefined;
    });
    expect(delivery.attempts).toBe(3);
    expect(receiver.received).toHaveLength(3);
    const ids = new Set(receiver.received.map((r) => r.headers['x-switchboard-event-id']));
    expect([...ids]).toEqual([delivery.event_id]);
    for (const r of receiver.received) {
      expect(r.body).toBe(receiver.received[0]!.body);
      expect(r.headers['x-merge-webhook-signature']).toBe(mergeSignature(key, r.body));
      expect(verifyTimestampedSignature(key, r.body, String(r.headers['x-switchboard-signature']), Math.floor(Date.now() / 1000))).toBe(true);
      expect(verifyTimestampedSignature('whsec_other', r.body, String(r.headers['x-switchboard-signature']), Math.floor(Date.now() / 1000))).toBe(false);
    }
    const body = JSON.parse(receiver.received[0]!.body);
    expect(body.hook).toMatchObject({ event: 'LinkedAccount.linked', target: receiver.url, event_id: delivery.event_id });
    expect(body.linked_account).toMatchObject({ id: accountId, integration_slug: 'hubspot', category: 'crm', is_sandbox: true, status: 'COMPLETE' });
    expect(body.data).toEqual({});

    const metrics = (await t.request('/metrics')).text;
    expect(metrics).toMatch(/switchboard_webhook_attempts_total\{outcome="retry"\} [2-9]/);
    expect(metrics).toMatch(/switchboard_webhook_attempts_total\{outcome="delivered"\} [1-9]/);

    const detail = await t.request(`/api/crm/v1/webhook-deliveries/${delivery.id}`, { apiKey: a.apiKey });
    expect(detail.body.attempt_log.map((x: { status_code: number }) => x.status_code)).toEqual([500, 500, 200]);
    expect(detail.body.attempt_log[0].error).toContain('500');
    expect(detail.body.payload.hook.event_id).toBe(delivery.event_id);
    expect(detail.text).not.toContain(key);

    // Replay: a new delivery of the same event id.
    receiver.received.length = 0;
    const replay = await t.request(`/api/crm/v1/webhook-deliveries/${delivery.id}/replay`, { method: 'POST', apiKey: a.apiKey });
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ event_id: delivery.event_id, replay_of: delivery.id, status: 'PENDING' });
    await eventually(() => receiver.received.length === 1);
    expect(receiver.received[0]!.headers['x-switchboard-event-id']).toBe(delivery.event_id);
    expect(JSON.parse(receiver.received[0]!.body).data).toEqual(body.data);
    await eventually(async () => (await t.request(`/api/crm/v1/webhook-deliveries/${replay.body.id}`, { apiKey: a.apiKey })).body.status === 'DELIVERED');
  });

  it('gives up when the retry window is over (FAILED), and the sweep resends due deliveries nobody is sending', async () => {
    receiver.received.length = 0;
    receiver.script = [503];
    publish(a.organizationId, 'LinkedAccount.relink_needed', { reason: 'test' }, accountId);
    const first = await eventually(async () => (await t.request('/api/crm/v1/webhook-deliveries?event=LinkedAccount.relink_needed', { apiKey: a.apiKey })).body.results[0]);
    // End the 24-hour window now instead of waiting for it: the next failed attempt must be the last.
    await t.db.prisma.webhookDelivery.update({ where: { id: first.id }, data: { retryUntil: new Date() } });
    const failed = await eventually(async () => {
      const d = (await t.request(`/api/crm/v1/webhook-deliveries/${first.id}`, { apiKey: a.apiKey })).body;
      return d.status === 'FAILED' ? d : undefined;
    });
    expect(failed.next_attempt_at).toBeNull();
    expect(failed.attempts).toBeGreaterThanOrEqual(1);
    expect(failed.last_status_code).toBe(503);
    const failedList = await t.request('/api/crm/v1/webhook-deliveries?status=FAILED', { apiKey: a.apiKey });
    expect(failedList.body.results.map((d: { id: string }) => d.id)).toContain(first.id);

    // A due PENDING row without any job (as after a restart with the in-process queue): the sweep sends it.
    receiver.script = [200];
    const orphan = await t.db.prisma.webhookDelivery.create({
      data: { ...(await t.db.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: first.id } })), id: '0190f0e0-0000-7000-8000-000000000001', status: 'PENDING', attempts: 0, nextAttemptAt: new Date(Date.now() - 1000), retryUntil: new Date(Date.now() + 3600_000), leaseUntil: null, lastError: null, lastStatusCode: null },
    });
    const before = receiver.received.length;
    expect(await t.app.get(WebhookDeliveriesService).sweep()).toBeGreaterThanOrEqual(1);
    await eventually(async () => (await t.db.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: orphan.id } })).status === 'DELIVERED');
    expect(receiver.received.length).toBe(before + 1);
  });

  it('filters events, pages the log, and keeps tenants apart', async () => {
    await t.request('/api/crm/v1/webhook-settings', { method: 'PUT', apiKey: a.apiKey, json: { target_url: receiver.url, events: ['Contact.changed'] } });
    const count = async () => (await t.db.prisma.webhookDelivery.count({ where: { organizationId: a.organizationId } }));
    const n0 = await count();
    publish(a.organizationId, 'Contact.changed', { id: 'c1' }, accountId);
    publish(a.organizationId, 'Account.changed', { id: 'x' }, accountId);
    publish(b.organizationId, 'Contact.changed', { id: 'b1' });
    await eventually(async () => (await count()) === n0 + 1);
    // A later event as a sentinel: once it is recorded, the filtered one had its chance to be.
    publish(a.organizationId, 'Contact.changed', { id: 'c1b' }, accountId);
    await eventually(async () => (await count()) === n0 + 2);
    const recent = await t.db.prisma.webhookDelivery.findMany({ where: { organizationId: a.organizationId }, orderBy: { id: 'desc' }, take: 2 });
    expect(recent.map((d) => d.event)).toEqual(['Contact.changed', 'Contact.changed']);
    expect(await t.db.prisma.webhookDelivery.count({ where: { organizationId: b.organizationId } })).toBe(0);
    const page1 = await t.request('/api/crm/v1/webhook-deliveries?page_size=1', { apiKey: a.apiKey });
    expect(page1.body.results).toHaveLength(1);
    expect(page1.body.next).toBeTruthy();
    const page2 = await t.request(`/api/crm/v1/webhook-deliveries?page_size=1&cursor=${encodeURIComponent(page1.body.next)}`, { apiKey: a.apiKey });
    expect(page2.body.results[0].id > page1.body.results[0].id).toBe(true);
    expect((await t.request('/api/crm/v1/webhook-deliveries?page_size=0', { apiKey: a.apiKey })).status).toBe(400);
    expect((await t.request('/api/crm/v1/webhook-deliveries?status=LOST', { apiKey: a.apiKey })).status).toBe(400);

    // Organization B sees none of A's deliveries and cannot read or replay them.
    const mine = page1.body.results[0].id;
    const bList = await t.request('/api/crm/v1/webhook-deliveries', { apiKey: b.apiKey });
    expect(bList.body.results).toEqual([]);
    expect((await t.request(`/api/crm/v1/webhook-deliveries/${mine}`, { apiKey: b.apiKey })).status).toBe(404);
    expect((await t.request(`/api/crm/v1/webhook-deliveries/${mine}/replay`, { method: 'POST', apiKey: b.apiKey })).status).toBe(404);
    expect((await t.request('/api/crm/v1/webhook-settings', { apiKey: b.apiKey })).status).toBe(404);
    // A cursor of A's list is not accepted in B's.
    expect((await t.request(`/api/crm/v1/webhook-deliveries?cursor=${encodeURIComponent(page1.body.next)}`, { apiKey: b.apiKey })).status).toBe(400);
  });

  it('a burst of events (a sync page) is recorded in order and each event delivered once', async () => {
    await t.request('/api/crm/v1/webhook-settings', { method: 'PUT', apiKey: a.apiKey, json: { target_url: receiver.url, events: [] } });
    receiver.received.length = 0;
    receiver.script = [200];
    const n0 = await t.db.prisma.webhookDelivery.count({ where: { organizationId: a.organizationId } });
    const start = new Date();
    for (let i = 0; i < 120; i++) publish(a.organizationId, 'Contact.changed', { id: `burst-${i}` }, accountId);
    await eventually(async () => (await t.db.prisma.webhookDelivery.count({ where: { organizationId: a.organizationId, status: 'DELIVERED', createdAt: { gte: start } } })) === 120, 60_000);
    expect(await t.db.prisma.webhookDelivery.count({ where: { organizationId: a.organizationId } })).toBe(n0 + 120);
    const ids = receiver.received.map((r) => JSON.parse(r.body).data.id as string);
    expect(new Set(ids).size).toBe(120);
    expect(ids.length).toBe(120);
    // Recorded in publication order: the log lists them in that order.
    const log = await t.db.prisma.webhookDelivery.findMany({ where: { organizationId: a.organizationId }, orderBy: { id: 'desc' }, take: 120 });
    expect(log.reverse().map((d) => (JSON.parse(d.payload) as { data: { id: string } }).data.id)).toEqual(Array.from({ length: 120 }, (_, i) => `burst-${i}`));
  });

  it('keeps finished deliveries 30 days, pending ones until they finish', async () => {
    const svc = t.app.get(WebhookDeliveriesService);
    const finished = await t.db.prisma.webhookDelivery.count({ where: { status: { in: ['DELIVERED', 'FAILED'] } } });
    expect(finished).toBeGreaterThan(0);
    expect(await svc.purge(new Date(Date.now() + 29 * 24 * 3600_000))).toBe(0);
    const pendingId = '0190f0e0-0000-7000-8000-0000000000aa';
    const any = await t.db.prisma.webhookDelivery.findFirstOrThrow({ where: { organizationId: a.organizationId } });
    await t.db.prisma.webhookDelivery.create({ data: { ...any, id: pendingId, status: 'PENDING', nextAttemptAt: new Date(Date.now() + 3600_000), leaseUntil: null } });
    expect(await svc.purge(new Date(Date.now() + 31 * 24 * 3600_000))).toBe(finished);
    expect(await t.db.prisma.webhookDelivery.findUnique({ where: { id: pendingId } })).not.toBeNull();
    await t.db.prisma.webhookDelivery.delete({ where: { id: pendingId } });
  });

  it('retries follow the organization to a new target URL', async () => {
    const second = await new Receiver().start();
    try {
      receiver.received.length = 0;
      receiver.script = [500];
      publish(a.organizationId, 'Contact.changed', { id: 'moving' }, accountId);
      const first = await eventually(() => receiver.received.find((r) => JSON.parse(r.body).data.id === 'moving'));
      const eventId = first.headers['x-switchboard-event-id'];
      await t.request('/api/crm/v1/webhook-settings', { method: 'PUT', apiKey: a.apiKey, json: { target_url: second.url } });
      const moved = await eventually(() => second.received.find((r) => r.headers['x-switchboard-event-id'] === eventId));
      expect(JSON.parse(moved.body).data.id).toBe('moving');
      const d = (await t.request(`/api/crm/v1/webhook-deliveries?event_id=${eventId}`, { apiKey: a.apiKey })).body.results[0];
      await eventually(async () => (await t.request(`/api/crm/v1/webhook-deliveries/${d.id}`, { apiKey: a.apiKey })).body.status === 'DELIVERED');
      expect((await t.request(`/api/crm/v1/webhook-deliveries/${d.id}`, { apiKey: a.apiKey })).body.target_url).toBe(second.url);
    } finally {
      await t.request('/api/crm/v1/webhook-settings', { method: 'PUT', apiKey: a.apiKey, json: { target_url: receiver.url } });
      receiver.script = [200];
      await second.close();
    }
  });

  it('rotates the key: later attempts are signed with the new one', async () => {
    const rotated = await t.request('/api/crm/v1/webhook-settings/rotate-key', { method: 'POST', apiKey: a.apiKey });
    expect(rotated.status).toBe(200);
    const newKey = rotated.body.signing_key as string;
    expect(newKey).not.toBe(key);
    receiver.received.length = 0;
    receiver.script = [200];
    publish(a.organizationId, 'Contact.changed', { id: 'c2' }, accountId);
    await eventually(() => receiver.received.length === 1);
    const r = receiver.received[0]!;
    expect(r.headers['x-merge-webhook-signature']).toBe(mergeSignature(newKey, r.body));
    expect(r.headers['x-merge-webhook-signature']).not.toBe(mergeSignature(key, r.body));
  });
});

describe('outgoing webhooks through BullMQ (REDIS_URL set)', () => {
  let t: TestApp;
  let receiver: Receiver;

  beforeAll(async () => {
    t = await startTestApp({ WEBHOOK_RETRY_BASE_MS: '50', REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: `sbtest-webhooks-${process.pid}-${Date.now()}` });
    receiver = await new Receiver().start();
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('delivers and retries through the shared queue: 503 then 200 is two attempts of one event id', async () => {
    const org = await t.createOrganization('Redis');
    const put = await t.request('/api/crm/v1/webhook-settings', { method: 'PUT', apiKey: org.apiKey, json: { target_url: receiver.url } });
    const key = put.body.signing_key as string;
    receiver.script = [503, 200];
    t.app.get(EventBus).publish({ event: 'LinkedAccount.sync_completed', organizationId: org.organizationId, data: { sync_status: [] } });
    const delivery = await eventually(async () => {
      const d = (await t.request('/api/crm/v1/webhook-deliveries', { apiKey: org.apiKey })).body.results[0];
      return d?.status === 'DELIVERED' ? d : undefined;
    });
    expect(delivery.attempts).toBe(2);
    expect(receiver.received.map((r) => r.headers['x-switchboard-event-id'])).toEqual([delivery.event_id, delivery.event_id]);
    expect(receiver.received[1]!.headers['x-merge-webhook-signature']).toBe(mergeSignature(key, receiver.received[1]!.body));
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ hook: { event: 'LinkedAccount.sync_completed' }, linked_account: null, data: { sync_status: [] } });
  });
});

describe('outgoing webhooks with private targets denied (the production default)', () => {
  let t: TestApp;
  let receiver: Receiver;

  beforeAll(async () => {
    t = await startTestApp({ WEBHOOK_PRIVATE_TARGETS: 'deny' });
    receiver = await new Receiver().start();
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('refuses loopback targets when set, and again at connect time', async () => {
    const org = await t.createOrganization('Guarded');
    for (const target of [receiver.url, receiver.url.replace('127.0.0.1', 'localhost'), 'http://169.254.169.254/latest/meta-data', 'http://[::1]:9/x']) {
      const res = await t.request('/api/crm/v1/webhook-settings', { method: 'PUT', apiKey: org.apiKey, json: { target_url: target } });
      expect(res.status, target).toBe(400);
      expect(res.body.errors[0].source.pointer).toBe('/body/target_url');
    }
    // A target that passed the check and points somewhere private later (DNS re-pointed): refused at connect time.
    await t.db.prisma.organizationWebhookSettings.create({
      data: { organizationId: org.organizationId, targetUrl: receiver.url.replace('127.0.0.1', 'localhost'), signingKeyCipher: t.app.get<TokenVault>(TOKEN_VAULT).encrypt('whsec_x', `webhook-key:${org.organizationId}`), signingKeyPrefix: 'whsec_x' },
    });
    t.app.get(EventBus).publish({ event: 'LinkedAccount.linked', organizationId: org.organizationId, data: {} });
    const attempt = await eventually(async () => (await t.db.prisma.webhookDeliveryAttempt.findFirst({ where: { delivery: { organizationId: org.organizationId } } })) ?? undefined);
    expect(attempt.statusCode).toBeNull();
    expect(attempt.error).toContain('non-public');
    expect(receiver.received).toHaveLength(0);
  });
});
