import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsService } from '../../src/linked-accounts/credentials.service';
import { LinkedAccountsService } from '../../src/linked-accounts/linked-accounts.service';
import { linkSandboxAccount } from '../support/linked-account';
import { linkAccount, setupOrg, startFrontend } from './helpers';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The hot-path caches of linked accounts and access tokens never outlive a change made in this
 * process: a regenerated account token, a refresh, a re-link, a status change and a delete are visible on the
 * very next request.
 */
describe('linked-account caches: explicit invalidation', () => {
  let t: TestApp;
  let org: { organizationId: string; apiKey: string };
  let accounts: LinkedAccountsService;
  let credentials: CredentialsService;

  beforeAll(async () => {
    t = await startTestApp();
    org = await t.createOrganization();
    accounts = t.app.get(LinkedAccountsService);
    credentials = t.app.get(CredentialsService);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const details = (token: string) => t.request('/api/crm/v1/account-details', { apiKey: org.apiKey, headers: { 'x-account-token': token } });

  it('a regenerated account token replaces the old one at once; a deleted account is gone at once', async () => {
    const { accountToken } = await linkSandboxAccount(t, org.organizationId, 'hubspot');
    expect((await details(accountToken)).status).toBe(200);
    expect((await details(accountToken)).status).toBe(200); // served from the cache now
    const regen = await t.request('/api/crm/v1/account-token/regenerate', { method: 'POST', apiKey: org.apiKey, headers: { 'x-account-token': accountToken } });
    expect(regen.status).toBe(200);
    const fresh = regen.body.account_token as string;
    expect((await details(accountToken)).status).toBe(404);
    expect((await details(fresh)).status).toBe(200);
    // A list through the new token works (live read through the cached account and access token).
    const list = await t.request('/api/crm/v1/contacts?page_size=2', { apiKey: org.apiKey, headers: { 'x-account-token': fresh } });
    expect(list.status).toBe(200);
    const del = await t.request('/api/crm/v1/delete-account', { method: 'POST', apiKey: org.apiKey, headers: { 'x-account-token': fresh } });
    expect(del.status).toBe(200);
    expect((await details(fresh)).status).toBe(404);
    expect((await t.request('/api/crm/v1/contacts?page_size=2', { apiKey: org.apiKey, headers: { 'x-account-token': fresh } })).status).toBe(404);
  });

  it('another organization never gets a cached account', async () => {
    const { accountToken } = await linkSandboxAccount(t, org.organizationId, 'zoho');
    expect((await details(accountToken)).status).toBe(200);
    const other = await t.createOrganization();
    const res = await t.request('/api/crm/v1/account-details', { apiKey: other.apiKey, headers: { 'x-account-token': accountToken } });
    expect(res.status).toBe(404);
  });

  it('a refresh and a re-link replace the cached access token; a status change replaces the cached account', async () => {
    const fe = await startFrontend();
    try {
      const linkedOrg = await setupOrg(t, fe);
      const linked = await linkAccount(t, linkedOrg, fe, 'salesforce', { linkTokenExtra: { end_user_origin_id: 'cache-1' } });
      const account = await accounts.resolveAccountToken(linkedOrg.organizationId, linked.accountToken);
      const source = credentials.tokenSource(account);
      const first = await source.getAccessToken();
      expect(await source.getAccessToken()).toBe(first);
      const refreshed = await credentials.refresh(account, { force: true });
      expect(refreshed).not.toBe(first);
      expect(await source.getAccessToken()).toBe(refreshed);

      // Re-link of the same end user's same vendor account: new tokens for the same linked account.
      const again = await linkAccount(t, linkedOrg, fe, 'salesforce', { linkTokenExtra: { end_user_origin_id: 'cache-1' } });
      expect(again.id).toBe(account.id);
      const relinked = (await accounts.readTokens(account.id))!.accessToken;
      expect(relinked).not.toBe(refreshed);
      expect(await source.getAccessToken()).toBe(relinked);

      expect((await accounts.resolveAccountToken(linkedOrg.organizationId, again.accountToken)).status).toBe('COMPLETE');
      await credentials.markRelinkNeeded(account, { error: 'invalid_grant', description: 'test', invalidGrant: true });
      expect((await accounts.resolveAccountToken(linkedOrg.organizationId, again.accountToken)).status).toBe('RELINK_NEEDED');
    } finally {
      await fe.close();
    }
  });
});
