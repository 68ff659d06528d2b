import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkSandboxAccount } from '../support/linked-account';
import { startTestApp, type TestApp } from '../support/test-app';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`explorer browser test SKIPPED: no chromium at ${CHROMIUM}`);

/** The GraphQL explorer in a real browser: its CSP allows only itself, and it runs queries and browses the schema. */
describe.skipIf(!hasChromium)('GraphQL explorer in a real browser (chromium)', () => {
  let t: TestApp;
  let apiKey: string;
  let accountToken: string;
  let context: import('playwright-core').BrowserContext;
  let userDataDir: string;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    t = await startTestApp({ SANDBOX_CONTACTS: '20' });
    const org = await t.createOrganization('explorer');
    apiKey = org.apiKey;
    accountToken = (await linkSandboxAccount(t, org.organizationId, 'zoho')).accountToken;
    userDataDir = mkdtempSync(join(tmpdir(), 'sb-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await t?.close();
  });

  it('runs a query with the two keys, shows the result, and browses the schema; loads nothing from elsewhere', async () => {
    const page = await context.newPage();
    const foreign: string[] = [];
    const cspErrors: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(t.url)) foreign.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') cspErrors.push(m.text());
    });
    await page.goto(`${t.url}/graphql/explorer`);
    // The schema browser is filled from introspection (no key needed).
    await page.waitForSelector('#types a');
    await page.fill('#filter', 'ContactFilter');
    await page.click('#types a:text-is("ContactFilter")');
    await page.waitForSelector('#types h3');
    expect(await page.textContent('#types')).toContain('accountId');

    await page.fill('#apiKey', apiKey);
    await page.fill('#accountToken', accountToken);
    await page.fill('#query', '{ contacts(first: 3) { nodes { id firstName account { name } } pageInfo { hasNextPage } } }');
    await page.click('#run');
    await page.waitForFunction(() => (globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } }).document.getElementById('result').textContent.includes('"data"'));
    const result = JSON.parse((await page.textContent('#result'))!);
    expect(result.errors).toBeUndefined();
    expect(result.data.contacts.nodes).toHaveLength(3);
    expect(result.data.contacts.pageInfo.hasNextPage).toBe(true);
    expect(await page.textContent('#status')).toContain('HTTP 200');

    expect(foreign).toEqual([]);
    expect(cspErrors).toEqual([]);
    await page.close();
  }, 60_000);
});
