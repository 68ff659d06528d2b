import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkSandboxAccount } from '../support/linked-account';
import { skipWithoutRedis, TEST_REDIS_URL } from '../support/redis';
import { startTestApp, type TestApp } from '../support/test-app';

/** Async pass-through when the queue is BullMQ (REDIS_URL set): the receipt's job goes through Redis. */
describe('async pass-through through BullMQ (REDIS_URL set)', () => {
  skipWithoutRedis();
  let t: TestApp | undefined;
  let apiKey: string;
  let accountToken: string;

  beforeAll(async () => {
    t = await startTestApp({ SANDBOX_CONTACTS: '4', REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: `sbtest-passthrough-${process.pid}-${Date.now()}` });
    const org = await t.createOrganization();
    apiKey = org.apiKey;
    accountToken = (await linkSandboxAccount(t, org.organizationId, 'hubspot')).accountToken;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('queues the request and answers its result', async () => {
    const app = t!;
    const created = await app.request('/api/crm/v1/async-passthrough', { method: 'POST', apiKey, headers: { 'x-account-token': accountToken }, json: { method: 'GET', path: '/crm/v3/objects/contacts?limit=2' } });
    expect(created.status).toBe(200);
    const id = created.body.async_passthrough_receipt_id as string;
    let res = await app.request(`/api/crm/v1/async-passthrough/${id}`, { apiKey, headers: { 'x-account-token': accountToken } });
    for (let i = 0; res.status === 202 && i < 600; i++) {
      await new Promise((r) => setTimeout(r, 50));
      res = await app.request(`/api/crm/v1/async-passthrough/${id}`, { apiKey, headers: { 'x-account-token': accountToken } });
    }
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ method: 'GET', status: 200 });
    expect(res.body.response.results).toHaveLength(2);
  });
});
