import { randomBytes } from 'node:crypto';
import { MergeClient } from '@mergeapi/merge-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdmin } from '../../src/cli/admin';
import { keyIdOf } from '../../src/crypto/encryption-key';
import { TOKEN_VAULT, TokenVault } from '../../src/crypto/vault';
import { adapterFor } from '../../src/integrations/registry';
import { VendorConnections } from '../../src/linked-accounts/connections';
import { CredentialsService } from '../../src/linked-accounts/credentials.service';
import { rotateCredentialKeys } from '../../src/linked-accounts/key-rotation';
import { LinkedAccountsService } from '../../src/linked-accounts/linked-accounts.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { consent, linkAccount, redirectOf, setupOrg, startFrontend, VENDORS } from './helpers';

const OLD_KEY = randomBytes(32);
const NEW_KEY = randomBytes(32);

describe('token vault: no plaintext at rest, key rotation while running; Merge SDK compatibility', () => {
  let t: TestApp;
  let fe: Awaited<ReturnType<typeof startFrontend>>;
  let org: Awaited<ReturnType<typeof setupOrg>>;
  const linked: { id: string; accountToken: string; publicToken: string }[] = [];

  beforeAll(async () => {
    // The server runs with the new key and still accepts the old one (the rotation set-up).
    t = await startTestApp({ ENCRYPTION_KEY: NEW_KEY.toString('base64'), ENCRYPTION_PREVIOUS_KEYS: OLD_KEY.toString('base64') });
    fe = await startFrontend();
    org = await setupOrg(t, fe);
    for (const vendor of VENDORS) linked.push(await linkAccount(t, org, fe, vendor, { linkTokenExtra: { end_user_origin_id: `vault-${vendor}` } }));
  });
  afterAll(async () => {
    await fe?.close();
    await t?.close();
  });

  async function dump(): Promise<string> {
    const tables = ['linked_account_credentials', 'linked_accounts', 'oauth_states', 'public_tokens', 'link_tokens', 'linked_account_issues'];
    const out: unknown[] = [];
    for (const table of tables) out.push(await t.db.prisma.$queryRawUnsafe(`SELECT * FROM ${table}`));
    return JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
  }

  it('a dump of the credential and linked-account tables contains no plaintext token', async () => {
    const accounts = t.app.get(LinkedAccountsService);
    const text = await dump();
    for (const l of linked) {
      const tokens = (await accounts.readTokens(l.id))!;
      expect(tokens.accessToken.length).toBeGreaterThan(10);
      expect(text).not.toContain(tokens.accessToken);
      if (tokens.refreshToken) expect(text).not.toContain(tokens.refreshToken);
      expect(text).not.toContain(l.accountToken);
      expect(text).not.toContain(l.publicToken);
    }
    expect(text).toContain('v1.'); // ciphertexts are there
  });

  it('keys:rotate re-encrypts every credential under the current key while refreshes run, and every account keeps working', async () => {
    const accounts = t.app.get(LinkedAccountsService);
    const serverVault = t.app.get<TokenVault>(TOKEN_VAULT);
    expect(serverVault.currentKeyId).toBe(keyIdOf(NEW_KEY));
    // Make the stored credentials look like they were written under the old key.
    const oldVault = new TokenVault({ key: OLD_KEY, keyId: keyIdOf(OLD_KEY) });
    const plain = new Map<string, { accessToken: string; refreshToken: string | null }>();
    for (const l of linked) {
      const tokens = (await accounts.readTokens(l.id))!;
      plain.set(l.id, tokens);
      await t.db.prisma.linkedAccountCredential.update({
        where: { linkedAccountId: l.id },
        data: {
          accessTokenCipher: oldVault.encrypt(tokens.accessToken, `${l.id}:access`),
          refreshTokenCipher: tokens.refreshToken ? oldVault.encrypt(tokens.refreshToken, `${l.id}:refresh`) : null,
          keyId: oldVault.currentKeyId,
        },
      });
    }
    // Rotation (what `npm run admin -- keys:rotate` runs) concurrently with a refresh of one account.
    const credentials = t.app.get(CredentialsService);
    const first = await t.db.prisma.linkedAccount.findUniqueOrThrow({ where: { id: linked[0]!.id } });
    const [report] = await Promise.all([rotateCredentialKeys(t.db.prisma, serverVault, { batchSize: 2 }), credentials.refresh(first, { failedToken: plain.get(first.id)!.accessToken })]);
    expect(report.failed).toEqual([]);
    expect(report.rotated + report.current).toBe(linked.length);
    const rows = await t.db.prisma.linkedAccountCredential.findMany();
    const newOnly = new TokenVault({ key: NEW_KEY, keyId: keyIdOf(NEW_KEY) });
    for (const row of rows) {
      expect(row.keyId).toBe(newOnly.currentKeyId);
      // Readable without the old key now.
      newOnly.decrypt(row.accessTokenCipher, `${row.linkedAccountId}:access`);
      if (row.refreshTokenCipher) expect(newOnly.decrypt(row.refreshTokenCipher, `${row.linkedAccountId}:refresh`)).toBe(plain.get(row.linkedAccountId)!.refreshToken);
    }
    const again = await rotateCredentialKeys(t.db.prisma, serverVault);
    expect(again).toMatchObject({ rotated: 0, current: linked.length, failed: [] });
    // Every account still reads from its vendor and refreshes.
    for (const l of linked) {
      const account = await t.db.prisma.linkedAccount.findUniqueOrThrow({ where: { id: l.id } });
      const page = await adapterFor(account.integration)!.list(t.app.get(VendorConnections).forAccount(account), 'Contact', { pageSize: 5, state: null, filters: {} });
      expect(page.records.length).toBeGreaterThan(0);
      const current = (await accounts.readTokens(l.id))!;
      expect(await credentials.refresh(account, { failedToken: current.accessToken })).not.toBe(current.accessToken);
    }
  });

  it.skipIf(!process.env.DATABASE_URL)('`admin keys:rotate` (the CLI) re-encrypts old-key rows in the database of a running server (PostgreSQL)', async () => {
    const oldVault = new TokenVault({ key: OLD_KEY, keyId: keyIdOf(OLD_KEY) });
    const accounts = t.app.get(LinkedAccountsService);
    const l = linked[1]!;
    const tokens = (await accounts.readTokens(l.id))!;
    await t.db.prisma.linkedAccountCredential.update({
      where: { linkedAccountId: l.id },
      data: { accessTokenCipher: oldVault.encrypt(tokens.accessToken, `${l.id}:access`), refreshTokenCipher: tokens.refreshToken ? oldVault.encrypt(tokens.refreshToken, `${l.id}:refresh`) : null, keyId: oldVault.currentKeyId },
    });
    const saved = { ...process.env };
    const lines: string[] = [];
    try {
      Object.assign(process.env, { DATABASE_URL: t.db.options.databaseUrl, ENCRYPTION_KEY: NEW_KEY.toString('base64'), ENCRYPTION_PREVIOUS_KEYS: OLD_KEY.toString('base64'), NODE_ENV: 'test' });
      expect(await runAdmin(['keys:rotate'], (line) => lines.push(line))).toBe(0);
    } finally {
      process.env = saved;
    }
    expect(lines[0]).toMatch(/1 credential\(s\) re-encrypted, 2 already current, 0 failed/);
    expect(lines.join('\n')).not.toContain(tokens.accessToken);
    const row = await t.db.prisma.linkedAccountCredential.findUniqueOrThrow({ where: { linkedAccountId: l.id } });
    expect(row.keyId).toBe(keyIdOf(NEW_KEY));
    expect((await accounts.readTokens(l.id))!.accessToken).toBe(tokens.accessToken);
  });

  it('the official Merge SDK works unchanged: linkToken.create, accountToken.retrieve, linkedAccounts.list, accountDetails.retrieve, deleteAccount.delete', async () => {
    for (const baseUrl of [`${t.url}/api`, t.url]) {
      const merge = new MergeClient({ apiKey: org.apiKey, baseUrl });
      const lt = await merge.crm.linkToken.create({
        endUserEmailAddress: 'sdk@acme.example',
        endUserOrganizationName: 'SDK Co',
        endUserOriginId: `sdk-${baseUrl.length}`,
        categories: ['crm'],
        integration: 'salesforce',
        shouldCreateMagicLinkUrl: true,
      });
      expect(lt.linkToken).toMatch(/^sbl_/);
      expect(lt.integrationName).toBe('Salesforce (sandbox)');
      expect(lt.magicLinkUrl).toContain('/link?link_token=');
      const authorize = await redirectOf(`${lt.magicLinkUrl}&redirect_url=${encodeURIComponent(fe.url)}`);
      const done = new URL(await redirectOf(await consent(authorize)));
      const publicToken = done.searchParams.get('public_token')!;

      const at = await merge.crm.accountToken.retrieve(publicToken);
      expect(at.accountToken).toMatch(/^sba_/);
      expect(at.integration).toMatchObject({ name: 'Salesforce (sandbox)', slug: 'salesforce', categories: ['crm'] });
      expect(at.integration.squareImage).toContain('/link/assets/salesforce.svg');

      const page = await merge.crm.linkedAccounts.list({ endUserOriginId: `sdk-${baseUrl.length}` });
      expect(page.data).toHaveLength(1);
      expect(page.data[0]).toMatchObject({ id: at.id, status: 'COMPLETE', endUserOrganizationName: 'SDK Co', endUserEmailAddress: 'sdk@acme.example', category: 'crm' });
      expect(page.data[0]!.integration).toMatchObject({ slug: 'salesforce', passthroughAvailable: true });

      const scoped = new MergeClient({ apiKey: org.apiKey, accountToken: at.accountToken, baseUrl });
      const details = await scoped.crm.accountDetails.retrieve();
      expect(details).toMatchObject({ id: at.id, integration: 'Salesforce (sandbox)', integrationSlug: 'salesforce', status: 'COMPLETE', endUserOriginId: `sdk-${baseUrl.length}` });
      const actions = await scoped.crm.availableActions.retrieve();
      expect(actions.passthroughAvailable).toBe(true);
      expect(actions.availableModelOperations?.map((m) => m.modelName)).toContain('Contact');

      await scoped.crm.deleteAccount.delete();
      await expect(scoped.crm.accountDetails.retrieve()).rejects.toMatchObject({ statusCode: 404 });
    }
    // Paging through the SDK: page_size 1 walks every linked account once.
    const merge = new MergeClient({ apiKey: org.apiKey, baseUrl: `${t.url}/api` });
    const ids: string[] = [];
    for await (const a of await merge.crm.linkedAccounts.list({ pageSize: 1 })) ids.push(a.id);
    expect(ids.length).toBe(linked.length);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
