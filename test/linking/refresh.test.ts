import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CONFIG } from '../../src/config/config';
import { TOKEN_VAULT } from '../../src/crypto/vault';
import { EventBus, type SwitchboardEvent } from '../../src/events/event-bus';
import { VendorError } from '../../src/integrations/contract';
import { adapterFor } from '../../src/integrations/registry';
import { VendorConnections } from '../../src/linked-accounts/connections';
import { CredentialsService } from '../../src/linked-accounts/credentials.service';
import { IssuesService } from '../../src/linked-accounts/issues.service';
import { LinkedAccountsService } from '../../src/linked-accounts/linked-accounts.service';
import { SANDBOX_EMULATORS } from '../../src/sandbox/sandbox.module';
import { startTestApp, type TestApp } from '../support/test-app';
import { emulator, linkAccount, setupOrg, startFrontend, tokenStats, VENDORS } from './helpers';

describe('token refresh (single flight, rotation, mid-read expiry, invalid_grant)', () => {
  let t: TestApp;
  let fe: Awaited<ReturnType<typeof startFrontend>>;
  let org: Awaited<ReturnType<typeof setupOrg>>;
  let accounts: LinkedAccountsService;
  let credentials: CredentialsService;

  beforeAll(async () => {
    t = await startTestApp();
    fe = await startFrontend();
    org = await setupOrg(t, fe);
    accounts = t.app.get(LinkedAccountsService);
    credentials = t.app.get(CredentialsService);
  });
  afterAll(async () => {
    await fe?.close();
    await t?.close();
  });

  const accountOf = async (id: string) => (await t.db.prisma.linkedAccount.findUniqueOrThrow({ where: { id } }));
  /** A second CredentialsService, as another server process would have (its own in-flight map). */
  const otherProcess = () =>
    new CredentialsService(
      t.db.prisma,
      accounts,
      t.app.get(APP_CONFIG),
      t.app.get(SANDBOX_EMULATORS),
      t.app.get(TOKEN_VAULT),
      t.app.get(IssuesService),
      t.app.get(EventBus),
    );

  it('two concurrent refreshes (two "processes", 401 path and expiry path) make exactly one token request', async () => {
    const linked = await linkAccount(t, org, fe, 'hubspot', { linkTokenExtra: { end_user_origin_id: 'concurrent' } });
    const account = await accountOf(linked.id);
    const before = (await accounts.readTokens(account.id))!;
    const a = credentials.tokenSource(account);
    const b = otherProcess().tokenSource(account);
    const stats0 = await tokenStats(t, 'hubspot');
    const results = await Promise.all([a.refreshAfterUnauthorized(before.accessToken), b.refreshAfterUnauthorized(before.accessToken), a.refreshAfterUnauthorized(before.accessToken), b.refreshAfterUnauthorized(before.accessToken)]);
    const stats1 = await tokenStats(t, 'hubspot');
    expect(stats1.refreshes - stats0.refreshes).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(results[0]).not.toBe(before.accessToken);

    // Ahead of expiry: the stored token is about to expire; both processes ask at once.
    await t.db.prisma.linkedAccountCredential.update({ where: { linkedAccountId: account.id }, data: { expiresAt: new Date(Date.now() + 30_000) } });
    // The write above bypassed the services (as another process would): drop this process's few-second token cache.
    accounts.invalidate(account.id);
    const [x, y] = await Promise.all([a.getAccessToken(), b.getAccessToken()]);
    const stats2 = await tokenStats(t, 'hubspot');
    expect(stats2.refreshes - stats1.refreshes).toBe(1);
    expect(x).toBe(y);
    const after = (await accounts.readTokens(account.id))!;
    expect(after.accessToken).toBe(x);
    expect(after.version).toBe(before.version + 2);
  });

  it('saves a rotated refresh token and keeps the old one when the answer has none', async () => {
    const sf = await linkAccount(t, org, fe, 'salesforce', { linkTokenExtra: { end_user_origin_id: 'rotation' } });
    const sfAccount = await accountOf(sf.id);
    const sfBefore = (await accounts.readTokens(sf.id))!;
    await credentials.refresh(sfAccount, { failedToken: sfBefore.accessToken });
    const sfAfter = (await accounts.readTokens(sf.id))!;
    expect(sfAfter.accessToken).not.toBe(sfBefore.accessToken);
    expect(sfAfter.refreshToken).toBe(sfBefore.refreshToken); // Salesforce answers no refresh_token: kept

    // HubSpot's token answer always carries refresh_token: with rotation on it is a new one.
    const emu = emulator(t, 'hubspot').emulator.runtime.tokens;
    const z = await linkAccount(t, org, fe, 'hubspot', { linkTokenExtra: { end_user_origin_id: 'rotation' } });
    const zAccount = await accountOf(z.id);
    emu.options = { ...emu.options, rotateRefreshTokens: true };
    try {
      const first = (await accounts.readTokens(z.id))!;
      await credentials.refresh(zAccount, { failedToken: first.accessToken });
      const second = (await accounts.readTokens(z.id))!;
      expect(second.refreshToken).not.toBe(first.refreshToken); // rotated and saved
      // The old refresh token is dead at the vendor now; the saved one keeps working.
      await credentials.refresh(zAccount, { failedToken: second.accessToken });
      const third = (await accounts.readTokens(z.id))!;
      expect(third.accessToken).not.toBe(second.accessToken);
      expect(third.refreshToken).not.toBe(second.refreshToken);
      expect((await accountOf(z.id)).status).toBe('COMPLETE');
    } finally {
      emu.options = { ...emu.options, rotateRefreshTokens: false };
    }
  });

  for (const vendor of VENDORS) {
    it(`${vendor}: an access token expiring in the middle of a paginated read is refreshed without the caller noticing`, async () => {
      const linked = await linkAccount(t, org, fe, vendor, { linkTokenExtra: { end_user_origin_id: `paging-${vendor}` } });
      const account = await accountOf(linked.id);
      const conn = t.app.get(VendorConnections).forAccount(account);
      const adapter = adapterFor(vendor)!;
      const stats0 = await tokenStats(t, vendor);
      const seen = new Set<string>();
      let state = null as Awaited<ReturnType<typeof adapter.list>>['nextState'];
      for (let page = 0; page < 4; page++) {
        if (page === 2) {
          const r = await fetch(`${emulator(t, vendor).baseUrl}/__sandbox/tokens/expire`, { method: 'POST' });
          expect(r.status).toBeLessThan(300);
        }
        const res = await adapter.list(conn, 'Contact', { pageSize: 10, state, filters: {} });
        for (const r of res.records) {
          expect(seen.has(r.remoteId)).toBe(false);
          seen.add(r.remoteId);
        }
        state = res.nextState;
        if (!state) break;
      }
      expect(seen.size).toBeGreaterThanOrEqual(30);
      const stats1 = await tokenStats(t, vendor);
      expect(stats1.refreshes - stats0.refreshes).toBe(1);
    });
  }

  it('invalid_grant marks the account RELINK_NEEDED, opens an issue, publishes the event; a re-link resolves it in place', async () => {
    const events: SwitchboardEvent[] = [];
    const unsubscribe = t.app.get(EventBus).subscribe('LinkedAccount.relink_needed', (e) => {
      events.push(e);
    });
    const linked = await linkAccount(t, org, fe, 'hubspot', { linkTokenExtra: { end_user_origin_id: 'relink' } });
    const account = await accountOf(linked.id);
    const tokens = (await accounts.readTokens(account.id))!;
    // The end user uninstalls the app: the refresh token dies at the vendor.
    const revoke = await fetch(`${emulator(t, 'hubspot').baseUrl}/oauth/v3/token/revoke`, { method: 'POST', body: new URLSearchParams({ token: tokens.refreshToken! }) });
    expect(revoke.status).toBeLessThan(300);
    const err = await credentials.refresh(account, { failedToken: tokens.accessToken }).catch((e) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect((err as VendorError).kind).toBe('auth');
    expect(JSON.stringify({ m: (err as Error).message })).not.toContain(tokens.refreshToken!);
    expect((await accountOf(account.id)).status).toBe('RELINK_NEEDED');
    await new Promise((r) => setTimeout(r, 20));
    expect(events.map((e) => e.linkedAccountId)).toEqual([account.id]);
    expect(events[0]!.organizationId).toBe(org.organizationId);

    const issues = await t.request(`/api/crm/v1/issues?linked_account_id=${account.id}`, { apiKey: org.apiKey });
    expect(issues.status).toBe(200);
    expect(issues.body.results).toHaveLength(1);
    const issue = issues.body.results[0];
    expect(issue).toMatchObject({ status: 'ONGOING', is_muted: false });
    expect(issue.error_description).toMatch(/link it again/);
    expect(issue.first_incident_time).toBeTruthy();
    expect(issue.end_user.linked_account_id).toBe(account.id);
    const listed = await t.request(`/api/crm/v1/linked-accounts?status=RELINK_NEEDED`, { apiKey: org.apiKey });
    expect(listed.body.results.map((a: { id: string }) => a.id)).toContain(account.id);

    // A second failure does not publish again or open a second issue.
    await credentials.refresh(await accountOf(account.id), { failedToken: tokens.accessToken }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toHaveLength(1);

    // Re-link: same end user, same portal -> the same linked account, COMPLETE, issue resolved.
    const again = await linkAccount(t, org, fe, 'hubspot', { linkTokenExtra: { end_user_origin_id: 'relink' } });
    expect(again.id).toBe(account.id);
    expect((await accountOf(account.id)).status).toBe('COMPLETE');
    const resolved = await t.request(`/api/crm/v1/issues/${issue.id}`, { apiKey: org.apiKey });
    expect(resolved.body.status).toBe('RESOLVED');
    const details = await t.request('/api/crm/v1/account-details', { apiKey: org.apiKey, headers: { 'x-account-token': again.accountToken } });
    expect(details.body.status).toBe('COMPLETE');
    unsubscribe();
  });

  it('the sweep refreshes tokens close to expiry', async () => {
    const linked = await linkAccount(t, org, fe, 'zoho', { linkTokenExtra: { end_user_origin_id: 'sweep' } });
    const before = (await accounts.readTokens(linked.id))!;
    await t.db.prisma.linkedAccountCredential.update({ where: { linkedAccountId: linked.id }, data: { expiresAt: new Date(Date.now() + 60_000) } });
    const result = await credentials.sweep();
    expect(result.refreshed).toBeGreaterThanOrEqual(1);
    const after = (await accounts.readTokens(linked.id))!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 10 * 60_000);
  });
});
