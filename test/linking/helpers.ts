import { createServer, type Server } from 'node:http';
import { SANDBOX_VENDORS, type SandboxVendor } from '../../src/sandbox/registry';
import type { MountedSandbox } from '../../src/sandbox/sandbox.module';
import { SANDBOX_EMULATORS } from '../../src/sandbox/sandbox.module';
import type { TestApp } from '../support/test-app';

export const VENDORS = SANDBOX_VENDORS;
export type Vendor = SandboxVendor;

/** A stand-in for the product's frontend: records the query of every request to /done. */
export async function startFrontend(): Promise<{ url: string; origin: string; hits: URLSearchParams[]; server: Server; close(): Promise<void> }> {
  const hits: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/done') hits.push(u.searchParams);
    if (u.pathname === '/opener') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html lang="en"><title>app</title><body><h1>App</h1><script>window.received=[];window.addEventListener("message",function(e){window.received.push({origin:e.origin,data:e.data});});</script></body></html>');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><html lang="en"><title>done</title><body><h1 id="done">Done</h1></body></html>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const origin = `http://127.0.0.1:${port}`;
  return { url: `${origin}/done`, origin, hits, server, close: () => new Promise((r) => server.close(() => r())) };
}

export function emulator(t: TestApp, vendor: Vendor): MountedSandbox {
  const found = t.app.get<MountedSandbox[]>(SANDBOX_EMULATORS).find((s) => s.vendor === vendor);
  if (!found) throw new Error(`no sandbox for ${vendor}`);
  return found;
}

export async function tokenStats(t: TestApp, vendor: Vendor): Promise<{ codeExchanges: number; refreshes: number; revocations: number }> {
  const res = await fetch(`${emulator(t, vendor).baseUrl}/__sandbox`);
  return ((await res.json()) as { tokenStats: { codeExchanges: number; refreshes: number; revocations: number } }).tokenStats;
}

export async function setupOrg(t: TestApp, frontend?: { url: string; origin: string }) {
  const org = await t.createOrganization();
  if (frontend) {
    const r = await t.request('/api/crm/v1/link-settings', { method: 'PUT', apiKey: org.apiKey, json: { allowed_redirect_urls: [frontend.url], allowed_origins: [frontend.origin] } });
    if (r.status !== 200) throw new Error(`link-settings: ${r.status} ${r.text}`);
  }
  return org;
}

export async function createLinkToken(t: TestApp, apiKey: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await t.request('/api/crm/v1/link-token', {
    method: 'POST',
    apiKey,
    json: { end_user_email_address: 'pat@acme.example', end_user_organization_name: 'Acme Inc.', end_user_origin_id: 'acme-1', categories: ['crm'], ...extra },
  });
  if (r.status !== 200) throw new Error(`link-token: ${r.status} ${r.text}`);
  return r.body.link_token as string;
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m ? m[1]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>') : undefined;
}

/** Submits an emulator consent page like a browser would (first tenant, allow or deny); answers the callback URL. */
export async function consent(authorizeUrl: string, decision: 'allow' | 'deny' = 'allow', tenantIndex = 0): Promise<string> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`consent page ${page.status}: ${html.slice(0, 200)}`);
  const formTag = /<form[^>]*>/i.exec(html)?.[0] ?? '';
  const action = new URL(attr(formTag, 'action') ?? '', authorizeUrl).toString();
  const form = new URLSearchParams();
  const tenants: string[] = [];
  for (const m of html.matchAll(/<input[^>]*>/gi)) {
    const tag = m[0];
    const type = (attr(tag, 'type') ?? 'text').toLowerCase();
    const name = attr(tag, 'name');
    if (!name) continue;
    if (type === 'hidden') form.append(name, attr(tag, 'value') ?? '');
    if (type === 'radio' && name === 'tenant') tenants.push(attr(tag, 'value') ?? '');
  }
  if (tenants.length) form.set('tenant', tenants[tenantIndex]!);
  form.set('decision', decision);
  const res = await fetch(action, { method: 'POST', body: form, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`consent post ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return location;
}

/** GET that must redirect; answers the Location. */
export async function redirectOf(url: string): Promise<string> {
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`expected a redirect from ${url}, got ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return new URL(location, url).toString();
}

/**
 * The whole hosted flow over plain HTTP (the browser test does it with clicks): link page start,
 * vendor consent, callback, redirect to the frontend with the public token, exchange.
 */
export async function linkAccount(
  t: TestApp,
  org: { apiKey: string },
  frontend: { url: string },
  vendor: Vendor,
  opts: { tenantIndex?: number; linkTokenExtra?: Record<string, unknown> } = {},
): Promise<{ accountToken: string; id: string; publicToken: string; body: any }> {
  const linkToken = await createLinkToken(t, org.apiKey, opts.linkTokenExtra);
  const authorize = await redirectOf(`${t.url}/link/start?${new URLSearchParams({ link_token: linkToken, integration: vendor, redirect_url: frontend.url })}`);
  const callback = await consent(authorize, 'allow', opts.tenantIndex ?? 0);
  const done = new URL(await redirectOf(callback));
  const publicToken = done.searchParams.get('public_token');
  if (!publicToken) throw new Error(`no public token in ${done.pathname}?${[...done.searchParams.keys()].join(',')}`);
  const ex = await t.request(`/api/crm/v1/account-token/${publicToken}`, { apiKey: org.apiKey });
  if (ex.status !== 200) throw new Error(`exchange ${ex.status} ${ex.text}`);
  return { accountToken: ex.body.account_token, id: ex.body.id, publicToken, body: ex.body };
}
