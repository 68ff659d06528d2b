import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/crypto/secrets';
import { LinkedAccountsService } from '../../src/linked-accounts/linked-accounts.service';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * GET /linked-accounts: every filter of the wire contract (end_user_origin_id,
 * end_user_email_address, end_user_organization_name, integration_name, status, id), combined,
 * paged, scoped to the organization, and bad values rejected naming the parameter. Also: a link
 * token's login_environment is stored under its neutral column.
 */
describe('linked accounts list filters', () => {
  let t: TestApp;
  let org: { organizationId: string; apiKey: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    org = await t.createOrganization();
    const accounts = t.app.get(LinkedAccountsService);
    const make = async (key: string, integration: string, originId: string, email: string, orgName: string, organizationId = org.organizationId) => {
      const { account } = await accounts.create({
        organizationId,
        integration,
        isSandbox: true,
        apiBaseUrl: 'http://127.0.0.1:9/unused',
        authBaseUrl: 'http://127.0.0.1:9/unused',
        endUserOriginId: originId,
        endUserEmailAddress: email,
        endUserOrganizationName: orgName,
        readMode: 'live',
        tokens: { accessToken: `token-${key}` },
      });
      ids[key] = account.id;
    };
    await make('acmeHub', 'hubspot', 'acme-1', 'pat@acme.example', 'Acme Inc.');
    await make('acmeSf', 'salesforce', 'acme-1', 'pat@acme.example', 'Acme Inc.');
    await make('globexZoho', 'zoho', 'globex-7', 'lee@globex.example', 'Globex');
    await make('initechHub', 'hubspot', 'initech-3', 'sam@initech.example', 'Initech');
    await t.db.prisma.linkedAccount.update({ where: { id: ids.initechHub }, data: { status: 'RELINK_NEEDED' } });
    const other = await t.createOrganization();
    await make('otherOrg', 'hubspot', 'acme-1', 'pat@acme.example', 'Acme Inc.', other.organizationId);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const list = async (query: string) => {
    const res = await t.request(`/api/crm/v1/linked-accounts${query}`, { apiKey: org.apiKey });
    expect(res.status, res.text).toBe(200);
    return (res.body.results as { id: string }[]).map((a) => a.id).sort();
  };
  const idsOf = (...keys: string[]) => keys.map((k) => ids[k]!).sort();

  it('without filters: every account of the organization, none of another', async () => {
    expect(await list('')).toEqual(idsOf('acmeHub', 'acmeSf', 'globexZoho', 'initechHub'));
  });

  it('each filter alone', async () => {
    expect(await list('?end_user_origin_id=acme-1')).toEqual(idsOf('acmeHub', 'acmeSf'));
    expect(await list('?end_user_email_address=lee%40globex.example')).toEqual(idsOf('globexZoho'));
    expect(await list('?end_user_organization_name=Initech')).toEqual(idsOf('initechHub'));
    expect(await list('?status=RELINK_NEEDED')).toEqual(idsOf('initechHub'));
    expect(await list('?status=COMPLETE')).toEqual(idsOf('acmeHub', 'acmeSf', 'globexZoho'));
    expect(await list(`?id=${ids.globexZoho}`)).toEqual(idsOf('globexZoho'));
    expect(await list(`?id=${ids.otherOrg}`)).toEqual([]);
  });

  it('integration_name matches the slug or the display name, sandbox suffix included', async () => {
    expect(await list('?integration_name=hubspot')).toEqual(idsOf('acmeHub', 'initechHub'));
    expect(await list('?integration_name=HubSpot')).toEqual(idsOf('acmeHub', 'initechHub'));
    expect(await list(`?integration_name=${encodeURIComponent('HubSpot (sandbox)')}`)).toEqual(idsOf('acmeHub', 'initechHub'));
    expect(await list(`?integration_name=${encodeURIComponent('Zoho CRM')}`)).toEqual(idsOf('globexZoho'));
    expect(await list('?integration_name=pipedrive')).toEqual([]);
  });

  it('filters combine (AND) and page', async () => {
    expect(await list('?end_user_origin_id=acme-1&integration_name=salesforce')).toEqual(idsOf('acmeSf'));
    expect(await list('?end_user_origin_id=acme-1&status=RELINK_NEEDED')).toEqual([]);
    const seen: string[] = [];
    let path: string | null = '/api/crm/v1/linked-accounts?end_user_origin_id=acme-1&page_size=1';
    while (path) {
      const res = await t.request(path, { apiKey: org.apiKey });
      expect(res.status).toBe(200);
      expect(res.body.results.length).toBeLessThanOrEqual(1);
      seen.push(...res.body.results.map((a: { id: string }) => a.id));
      path = res.body.next ? `/api/crm/v1/linked-accounts?end_user_origin_id=acme-1&page_size=1&cursor=${encodeURIComponent(res.body.next)}` : null;
    }
    expect(seen.sort()).toEqual(idsOf('acmeHub', 'acmeSf'));
  });

  it('bad filter values are a 400 naming the parameter', async () => {
    for (const [query, param] of [
      ['?status=BROKEN', 'status'],
      ['?id=not-a-uuid', 'id'],
      ['?page_size=0', 'page_size'],
    ] as const) {
      const res = await t.request(`/api/crm/v1/linked-accounts${query}`, { apiKey: org.apiKey });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.errors)).toContain(param);
    }
  });

  it('a link token keeps login_environment in its neutral column', async () => {
    const res = await t.request('/api/crm/v1/link-token', {
      method: 'POST',
      apiKey: org.apiKey,
      json: { end_user_email_address: 'pat@acme.example', end_user_organization_name: 'Acme Inc.', end_user_origin_id: 'acme-9', categories: ['crm'], login_environment: 'sandbox' },
    });
    expect(res.status, res.text).toBe(200);
    const row = await t.db.prisma.linkToken.findUnique({ where: { tokenHash: sha256Hex(res.body.link_token as string) } });
    expect(row?.loginEnvironment).toBe('sandbox');
  });
});
