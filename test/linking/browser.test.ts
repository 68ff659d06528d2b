import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Code passed to page.evaluate runs in the browser.
declare const window: { open(url: string, name: string, features: string): unknown; received: { origin: string; data: any }[] };
import { startTestApp, type TestApp } from '../support/test-app';
import { createLinkToken, setupOrg, startFrontend, VENDORS } from './helpers';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser test SKIPPED: no chromium at ${CHROMIUM} (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('hosted Link in a real browser (chromium)', () => {
  let t: TestApp;
  let fe: Awaited<ReturnType<typeof startFrontend>>;
  let org: Awaited<ReturnType<typeof setupOrg>>;
  let context: import('playwright-core').BrowserContext;
  let userDataDir: string;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    t = await startTestApp();
    fe = await startFrontend();
    org = await setupOrg(t, fe);
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
    await fe?.close();
    await t?.close();
  });

  for (const vendor of VENDORS) {
    it(`full-page flow: link token -> Link page -> ${vendor} consent -> linked account -> account-scoped route`, async () => {
      const linkToken = await createLinkToken(t, org.apiKey, { end_user_origin_id: `browser-${vendor}` });
      const page = await context.newPage();
      await page.goto(`${t.url}/link?link_token=${linkToken}&redirect_url=${encodeURIComponent(fe.url)}`);
      await expectLocator(page.locator('h1')).toHaveText('Link your CRM');
      await expectLocator(page.getByText('Acme Inc.')).toBeVisible();
      const choice = page.locator(`a[data-integration="${vendor}"]`);
      await expectLocator(choice.locator('.badge')).toHaveText('Sandbox');
      // Keyboard: the vendor choice is a real, focusable link.
      await choice.focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('#allow');
      await page.click('#allow');
      await page.waitForURL((u) => u.toString().startsWith(fe.url));
      const publicToken = new URL(page.url()).searchParams.get('public_token');
      expect(publicToken).toMatch(/^sbp_/);
      await page.close();

      const exchanged = await t.request(`/api/crm/v1/account-token/${publicToken}`, { apiKey: org.apiKey });
      expect(exchanged.status).toBe(200);
      expect(exchanged.body.integration).toMatchObject({ slug: vendor, categories: ['crm'], is_sandbox: true });
      expect(exchanged.body.integration.name).toMatch(/\(sandbox\)$/);
      const details = await t.request('/api/crm/v1/account-details', { apiKey: org.apiKey, headers: { 'x-account-token': exchanged.body.account_token } });
      expect(details.status).toBe(200);
      expect(details.body).toMatchObject({ id: exchanged.body.id, integration_slug: vendor, status: 'COMPLETE', end_user_origin_id: `browser-${vendor}`, is_sandbox: true });
    });
  }

  it('popup flow: the public token reaches the opener by postMessage, only to the allowed origin', async () => {
    const linkToken = await createLinkToken(t, org.apiKey, { end_user_origin_id: 'browser-popup' });
    const opener = await context.newPage();
    await opener.goto(`${fe.origin}/opener`);
    const popupPromise = context.waitForEvent('page');
    await opener.evaluate((url) => {
      window.open(url, 'switchboard-link', 'width=500,height=700');
    }, `${t.url}/link?link_token=${linkToken}&mode=popup&origin=${encodeURIComponent(fe.origin)}`);
    const popup = await popupPromise;
    await popup.waitForSelector('a[data-integration="hubspot"]');
    await popup.click('a[data-integration="hubspot"]');
    await popup.waitForSelector('#allow');
    await popup.click('#allow');
    await opener.waitForFunction(() => window.received.length > 0, undefined, { timeout: 15_000 });
    const received = await opener.evaluate(() => window.received);
    expect(received[0]!.origin).toBe(new URL(t.url).origin);
    expect(received[0]!.data).toMatchObject({ type: 'switchboard-link', event: 'success', integration: { slug: 'hubspot' } });
    const exchanged = await t.request(`/api/crm/v1/account-token/${received[0]!.data.public_token}`, { apiKey: org.apiKey });
    expect(exchanged.status).toBe(200);
    await opener.close();
  });

  it('consent denied shows an error page whose "Try again" restarts the flow', async () => {
    const linkToken = await createLinkToken(t, org.apiKey, { end_user_origin_id: 'browser-deny' });
    const page = await context.newPage();
    await page.goto(`${t.url}/link?link_token=${linkToken}&redirect_url=${encodeURIComponent(fe.url)}`);
    await page.click('a[data-integration="zoho"]');
    await page.waitForSelector('#deny');
    await page.click('#deny');
    await expectLocator(page.locator('h1')).toHaveText('Access not granted');
    await page.click('#retry');
    await expectLocator(page.locator('h1')).toHaveText('Link your CRM');
    await page.close();
  });
});

// vitest's expect has no Playwright matchers: a small async shim for the two used above.
function expectLocator(locator: import('playwright-core').Locator) {
  return {
    toHaveText: async (text: string) => {
      await locator.first().waitFor({ timeout: 10_000 });
      expect((await locator.first().textContent())?.trim()).toBe(text);
    },
    toBeVisible: async () => {
      await locator.first().waitFor({ state: 'visible', timeout: 10_000 });
    },
  };
}
