import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';
import { linkAccount, setupOrg, startFrontend, VENDORS } from './helpers';

describe('smoke', () => {
  let t: TestApp;
  let fe: Awaited<ReturnType<typeof startFrontend>>;
  beforeAll(async () => {
    t = await startTestApp();
    fe = await startFrontend();
  });
  afterAll(async () => {
    await fe?.close();
    await t?.close();
  });
  for (const vendor of VENDORS) {
    it(`links ${vendor}`, async () => {
      const org = await setupOrg(t, fe);
      const linked = await linkAccount(t, org, fe, vendor);
      const details = await t.request('/api/crm/v1/account-details', { apiKey: org.apiKey, headers: { 'x-account-token': linked.accountToken } });
      expect(details.status, details.text).toBe(200);
      expect(details.body.integration_slug).toBe(vendor);
    });
  }
});
