import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCommittedOpenApi } from '../../src/openapi/generate';
import { startTestApp, type TestApp } from '../support/test-app';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser check of /docs SKIPPED: no chromium at ${CHROMIUM} (apt-get install -y chromium)`);

/** Every src= and href= of an HTML page. */
const references = (html: string) => [...html.matchAll(/\s(?:src|href)\s*=\s*["']([^"']+)["']/g)].map((m) => m[1]);

describe('/docs: the browsable reference, served from this server only', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('serves the committed document at /openapi.json', async () => {
    const res = await fetch(`${t.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(readCommittedOpenApi()));
  });

  it('serves the page and every asset it references from this origin, under a same-origin CSP', async () => {
    const res = await fetch(`${t.url}/docs/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await res.text();
    expect(html).toContain('<title>Switchboard API reference</title>');
    const refs = references(html);
    expect(refs.length).toBeGreaterThanOrEqual(4);
    // Namespace URIs inside inline SVG are identifiers, not loads; nothing else may be absolute.
    const loads = refs.filter((r) => !r.startsWith('http://www.w3.org/'));
    expect(loads.filter((r) => /^(https?:)?\/\//i.test(r))).toEqual([]);
    for (const ref of loads) {
      const asset = await fetch(new URL(ref, `${t.url}/docs/`));
      expect(asset.status, ref).toBe(200);
      const body = await asset.arrayBuffer();
      expect(body.byteLength, ref).toBeGreaterThan(0);
      if (ref.endsWith('.css')) {
        const css = Buffer.from(body).toString('utf8');
        expect(css.match(/url\(\s*["']?(https?:)?\/\/[^)]*\)/gi) ?? [], ref).toEqual([]);
      }
    }
    const init = await (await fetch(`${t.url}/docs/swagger-ui-init.js`)).text();
    expect(init).toContain('"validatorUrl": null');
  });

  it.skipIf(!hasChromium)(
    'renders every operation in a real browser without one request to another origin',
    async () => {
      const { chromium } = await import('playwright-core');
      const userDataDir = mkdtempSync(join(tmpdir(), 'sb-chromium-docs-'));
      const context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      try {
        const page = await context.newPage();
        const requested: string[] = [];
        const problems: string[] = [];
        page.on('request', (r) => requested.push(r.url()));
        page.on('console', (m) => {
          if (m.type() === 'error') problems.push(m.text());
        });
        page.on('pageerror', (e) => problems.push(e.message));
        await page.goto(`${t.url}/docs/`);
        await page.waitForSelector('.opblock', { timeout: 60_000 });
        const documented = Object.values<Record<string, unknown>>(JSON.parse(readCommittedOpenApi()).paths).reduce((n, item) => n + Object.keys(item).length, 0);
        expect(await page.locator('.opblock').count()).toBe(documented);
        expect(await page.locator('.info .title').innerText()).toContain('Switchboard unified CRM API');
        expect(requested.length).toBeGreaterThan(3);
        expect(requested.filter((u) => !u.startsWith(t.url) && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
        rmSync(userDataDir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
