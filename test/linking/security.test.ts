import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/crypto/secrets';
import { startTestApp, type TestApp } from '../support/test-app';
import { consent, createLinkToken, linkAccount, redirectOf, setupOrg, startFrontend } from './helpers';

describe('hosted Link security', () => {
  let t: TestApp;
  let fe: Awaited<ReturnType<typeof startFrontend>>;
  let org: Awaited<ReturnType<typeof setupOrg>>;

  beforeAll(async () => {
    t = await startTestApp();
    fe = await startFrontend();
    org = await setupOrg(t, fe);
  });
  afterAll(async () => {
    await fe?.close();
    await t?.close();
  });

  /** Starts a flow and answers the vendor's callback URL (with code and state). */
  async function callbackUrl(vendor = 'hubspot', decision: 'allow' | 'deny' = 'allow'): Promise<{ url: URL; linkToken: string }> {
    const linkToken = await createLinkToken(t, org.apiKey);
    const authorize = await redirectOf(`${t.url}/link/start?${new URLSearchParams({ link_token: linkToken, integration: vendor, redirect_url: fe.url })}`);
    const a = new URL(authorize);
    expect(a.searchParams.get('redirect_uri')).toBe(`${t.url}/link/oauth/callback`);
    expect(a.searchParams.get('code_challenge_method')).toBe('S256');
    return { url: new URL(await consent(authorize, decision)), linkToken };
  }

  it('state is stored hashed, with the PKCE verifier and link token encrypted', async () => {
    const { url } = await callbackUrl();
    const state = url.searchParams.get('state')!;
    const rows = await t.db.prisma.oAuthState.findMany();
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(state);
    expect(rows.some((r) => r.stateHash === sha256Hex(state))).toBe(true);
    expect(rows.every((r) => r.codeVerifierCipher?.startsWith('v1.'))).toBe(true);
  });

  it('a tampered state is refused', async () => {
    const { url } = await callbackUrl();
    const state = url.searchParams.get('state')!;
    url.searchParams.set('state', state.slice(0, -2) + (state.endsWith('AA') ? 'BB' : 'AA'));
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('could not be verified');
    expect(html).not.toContain(state);
    const forged = await fetch(`${t.url}/link/oauth/callback?code=abc&state=${encodeURIComponent('{"return":"https://evil.example"}')}`, { redirect: 'manual' });
    expect(forged.status).toBe(400);
    expect(forged.headers.get('location')).toBeNull();
  });

  it('a replayed state is refused (single use)', async () => {
    const { url } = await callbackUrl();
    const first = await fetch(url, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(new URL(first.headers.get('location')!).searchParams.get('public_token')).toMatch(/^sbp_/);
    const replay = await fetch(url, { redirect: 'manual' });
    expect(replay.status).toBe(400);
    const html = await replay.text();
    expect(html).toContain('already used');
    expect(html).toContain('id="retry"');
  });

  it('an expired state is refused with a way to try again', async () => {
    const { url } = await callbackUrl();
    await t.db.prisma.oAuthState.update({ where: { stateHash: sha256Hex(url.searchParams.get('state')!) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('expired');
    const retry = /id="retry" href="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
    const again = await fetch(new URL(retry, t.url));
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('Link your CRM');
  });

  it('an expired link token shows the expired page; consent denied shows its page and a way back', async () => {
    const token = await createLinkToken(t, org.apiKey);
    await t.db.prisma.linkToken.update({ where: { tokenHash: sha256Hex(token) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await fetch(`${t.url}/link?link_token=${token}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('Link expired');

    const { url } = await callbackUrl('salesforce', 'deny');
    expect(url.searchParams.get('error')).toBe('access_denied');
    const denied = await fetch(url, { redirect: 'manual' });
    expect(denied.status).toBe(403);
    const html = await denied.text();
    expect(html).toContain('Access not granted');
    expect(html).toContain('id="retry"');
    expect(html).toContain('id="return"');
    expect(html).toContain('error=denied');
  });

  it('refuses open redirects: return URLs and popup origins only from the allowlist', async () => {
    const token = await createLinkToken(t, org.apiKey);
    for (const bad of ['https://evil.example/done', `${fe.origin}/elsewhere`, `${fe.url}#x`, 'javascript:alert(1)', `//evil.example${new URL(fe.url).pathname}`, `${fe.origin.replace('127.0.0.1', 'user:pw@127.0.0.1')}/done`]) {
      for (const path of ['/link', '/link/start']) {
        const res = await fetch(`${t.url}${path}?${new URLSearchParams({ link_token: token, integration: 'hubspot', redirect_url: bad })}`, { redirect: 'manual' });
        expect(res.status, `${path} ${bad}`).toBe(400);
        expect(res.headers.get('location')).toBeNull();
        expect(await res.text()).not.toContain('evil.example');
      }
    }
    const popup = await fetch(`${t.url}/link?${new URLSearchParams({ link_token: token, mode: 'popup', origin: 'https://evil.example' })}`);
    expect(popup.status).toBe(400);
    // Another organization's allowlist does not count.
    const other = await t.createOrganization();
    const otherToken = await createLinkToken(t, other.apiKey);
    const res = await fetch(`${t.url}/link/start?${new URLSearchParams({ link_token: otherToken, integration: 'hubspot', redirect_url: fe.url })}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    // The allowlist route rejects non-origins.
    const bad = await t.request('/api/crm/v1/link-settings', { method: 'PUT', apiKey: org.apiKey, json: { allowed_origins: ['https://a.example/path'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].source.pointer).toBe('/body/allowed_origins/0');
  });

  it('a public token works once, only for its organization; another organization gets 404 for the account token', async () => {
    const linked = await linkAccount(t, org, fe, 'zoho');
    const again = await t.request(`/api/crm/v1/account-token/${linked.publicToken}`, { apiKey: org.apiKey });
    expect(again.status).toBe(404);
    expect(again.text).not.toContain(linked.publicToken);

    const other = await t.createOrganization();
    const { url } = await callbackUrl('hubspot');
    const done = new URL(await redirectOf(url.toString()));
    const publicToken = done.searchParams.get('public_token')!;
    const foreign = await t.request(`/api/crm/v1/account-token/${publicToken}`, { apiKey: other.apiKey });
    expect(foreign.status).toBe(404);
    const own = await t.request(`/api/crm/v1/account-token/${publicToken}`, { apiKey: org.apiKey });
    expect(own.status).toBe(200); // the foreign attempt did not burn it

    const cross = await t.request('/api/crm/v1/account-details', { apiKey: other.apiKey, headers: { 'x-account-token': linked.accountToken } });
    expect(cross.status).toBe(404);
    expect(cross.body.code).toBe('NOT_FOUND');
    const missing = await t.request('/api/crm/v1/account-details', { apiKey: org.apiKey });
    expect(missing.status).toBe(400);
    const ok = await t.request('/crm/v1/account-details', { apiKey: org.apiKey, headers: { 'x-account-token': linked.accountToken } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: linked.id, integration: 'Zoho CRM (sandbox)', integration_slug: 'zoho', is_sandbox: true, status: 'COMPLETE' });
  });

  it('regenerating the account token retires the old one; delete-account revokes at the vendor and purges everything', async () => {
    const linked = await linkAccount(t, org, fe, 'salesforce');
    const regen = await t.request('/api/crm/v1/account-token/regenerate', { method: 'POST', apiKey: org.apiKey, headers: { 'x-account-token': linked.accountToken } });
    expect(regen.status).toBe(200);
    const old = await t.request('/api/crm/v1/account-details', { apiKey: org.apiKey, headers: { 'x-account-token': linked.accountToken } });
    expect(old.status).toBe(404);
    const token = regen.body.account_token as string;
    await t.db.prisma.remoteIdentity.create({ data: { linkedAccountId: linked.id, model: 'Contact', remoteId: '003x' } });
    const statsBefore = (await (await fetch(`${t.url}/sandbox/salesforce/__sandbox`)).json()) as { tokenStats: { revocations: number } };
    const del = await t.request('/api/crm/v1/delete-account', { method: 'POST', apiKey: org.apiKey, headers: { 'x-account-token': token } });
    expect(del.status).toBe(200);
    expect(del.body.revoked_at_vendor).toBe(true);
    const statsAfter = (await (await fetch(`${t.url}/sandbox/salesforce/__sandbox`)).json()) as { tokenStats: { revocations: number } };
    expect(statsAfter.tokenStats.revocations).toBe(statsBefore.tokenStats.revocations + 1);
    expect(await t.db.prisma.linkedAccount.findUnique({ where: { id: linked.id } })).toBeNull();
    expect(await t.db.prisma.linkedAccountCredential.findUnique({ where: { linkedAccountId: linked.id } })).toBeNull();
    expect(await t.db.prisma.remoteIdentity.count({ where: { linkedAccountId: linked.id } })).toBe(0);
    const gone = await t.request('/api/crm/v1/account-details', { apiKey: org.apiKey, headers: { 'x-account-token': token } });
    expect(gone.status).toBe(404);
  });

  it('the Link page is self-contained and accessible; the link-token route validates its body', async () => {
    const token = await createLinkToken(t, org.apiKey);
    const res = await fetch(`${t.url}/link?link_token=${token}&redirect_url=${encodeURIComponent(fe.url)}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<h1>');
    expect(html).toContain('Acme Inc.');
    expect(html.match(/class="badge">Sandbox</g)).toHaveLength(3);
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/); // no external assets
    const bad = await t.request('/api/crm/v1/link-token', { method: 'POST', apiKey: org.apiKey, json: { end_user_email_address: 'x', end_user_organization_name: 'A', end_user_origin_id: '1', categories: ['crm'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].source.pointer).toBe('/body/end_user_email_address');
    const magic = await t.request('/api/crm/v1/link-token', {
      method: 'POST',
      apiKey: org.apiKey,
      json: { end_user_email_address: 'a@b.example', end_user_organization_name: 'A', end_user_origin_id: '1', categories: ['crm'], integration: 'hubspot', should_create_magic_link_url: true },
    });
    expect(magic.body.integration_name).toBe('HubSpot (sandbox)');
    expect(magic.body.magic_link_url).toMatch(new RegExp(`^${t.url}/link\\?link_token=sbl_`));
    // Preselected integration: the magic link goes straight to the vendor's consent.
    const straight = await fetch(magic.body.magic_link_url, { redirect: 'manual' });
    expect(straight.status).toBe(302);
    expect(straight.headers.get('location')).toContain('/sandbox/hubspot/oauth/authorize');
    const unauth = await t.request('/api/crm/v1/link-token', { method: 'POST', json: {} });
    expect(unauth.status).toBe(401);
  });
});
