import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import Fastify from 'fastify';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config/config';
import { createTestDatabase } from '../src/database/testing';
import { adapterFor } from '../src/integrations/registry';
import { LinkedAccountsService } from '../src/linked-accounts/linked-accounts.service';
import { createLogger } from '../src/observability/logger';
import { OrganizationsService } from '../src/organizations/organizations.service';
import { type MountedSandbox, SANDBOX_EMULATORS } from '../src/sandbox/sandbox.module';
import { SYNC_RUNNER, type SyncRunResult } from '../src/sync/contract';
import { fmt, load } from './support';

/**
 * bench:read — stored reads: GET /api/crm/v1/contacts?page_size=100 through Switchboard (API key,
 * account token, stored mode; the store filled by a real full sync of the HubSpot emulator)
 * against a minimal raw Fastify server that runs one SQL query over the same crm_records rows and
 * JSON-serializes the same records, in the same process and run. Target: ratio >= 0.5.
 */

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const VENDOR = 'hubspot';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: String(port),
    PUBLIC_URL: base,
    RATE_LIMIT_MAX: '0',
    SANDBOX_CONTACTS: String(CONTACTS),
    // Syncs run when this benchmark asks, not on a timer.
    SYNC_TICK_SECONDS: '3600',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-bench-')),
  });
  const app = await createApp(config, { database: db.prisma, logger: createLogger('silent') });
  await app.listen({ port, host: '127.0.0.1' });
  const { organization, key } = await app.get(OrganizationsService).createWithKey('bench');

  // A linked account on the mounted HubSpot emulator, stored mode, contacts fully synced.
  const sandbox = app.get<MountedSandbox[]>(SANDBOX_EMULATORS).find((s) => s.vendor === VENDOR);
  if (!sandbox) throw new Error('the HubSpot sandbox is not mounted');
  const tokenRes = await fetch(`${sandbox.baseUrl}/__sandbox/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const parsed = adapterFor(VENDOR)!.auth.parseTokenResponse(tokenRes.status, await tokenRes.json(), {});
  if ('error' in parsed) throw new Error(parsed.description);
  const { account, accountToken } = await app.get(LinkedAccountsService).create({
    organizationId: organization.id,
    integration: VENDOR,
    isSandbox: true,
    apiBaseUrl: parsed.apiBaseUrl ?? adapterFor(VENDOR)!.auth.endpoints({ sandboxBaseUrl: sandbox.baseUrl }).apiBaseUrl ?? sandbox.baseUrl,
    authBaseUrl: sandbox.baseUrl,
    readMode: 'live',
    tokens: { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken ?? null },
  });
  await db.prisma.linkedAccount.update({ where: { id: account.id }, data: { readMode: 'stored' } });
  const syncStarted = performance.now();
  const engine = app.get<{ syncAccount(id: string, o: { models: ['Contact']; kind: 'full' }): Promise<SyncRunResult[]> }>(SYNC_RUNNER, { strict: false });
  const [synced] = await engine.syncAccount(account.id, { models: ['Contact'], kind: 'full' });
  if (synced.outcome !== 'done') throw new Error(`sync failed: ${JSON.stringify(synced)}`);
  const syncSeconds = (performance.now() - syncStarted) / 1000;
  // Statistics as autovacuum would have them a minute after a bulk load (both servers alike).
  await db.prisma.sql.exec('ANALYZE crm_records');
  const [{ n: stored }] = await db.prisma.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM crm_records WHERE linked_account_id = $1::uuid AND model = 'Contact'`, [account.id]);

  // The baseline: one query, rows mapped to the same wire records, JSON by Fastify.
  const raw = Fastify({ logger: false });
  raw.get('/contacts', async () => {
    const rows = await db.prisma.sql.query<{ id: string; remote_id: string; created_at: Date; modified_at: Date; data: Record<string, unknown>; remote_was_deleted: boolean }>(
      `SELECT id::text AS id, remote_id, created_at, modified_at, data, remote_was_deleted FROM crm_records
       WHERE linked_account_id = $1::uuid AND model = 'Contact' AND NOT remote_was_deleted ORDER BY seq LIMIT 100`,
      [account.id],
    );
    return {
      next: null,
      previous: null,
      results: rows.map((r) => ({ id: r.id, remote_id: r.remote_id, created_at: r.created_at, modified_at: r.modified_at, ...r.data, remote_was_deleted: r.remote_was_deleted, field_mappings: null })),
    };
  });
  await raw.listen({ port: 0, host: '127.0.0.1' });
  const rawAddress = raw.server.address();
  const rawUrl = `http://127.0.0.1:${typeof rawAddress === 'object' && rawAddress ? rawAddress.port : 0}/contacts`;
  const apiUrl = `${base}/api/crm/v1/contacts?page_size=100`;
  const headers = { authorization: `Bearer ${key.key}`, 'x-account-token': accountToken };

  // Both answer the same 100 records, and ours came from the store.
  const ours = await fetch(apiUrl, { headers });
  if (ours.status !== 200 || ours.headers.get('x-read-mode') !== 'stored') throw new Error(`API answered ${ours.status} in mode ${ours.headers.get('x-read-mode')}`);
  const ourBody = (await ours.json()) as { results: Record<string, unknown>[] };
  const rawBody = (await (await fetch(rawUrl)).json()) as { results: Record<string, unknown>[] };
  const same = JSON.stringify(ourBody.results.map((r) => r.id)) === JSON.stringify(rawBody.results.map((r) => r.id));
  if (!same || ourBody.results.length !== 100) throw new Error('the two servers disagree on the first page');

  await load(apiUrl, { seconds: 1, headers, connections: CONNECTIONS });
  await load(rawUrl, { seconds: 1, connections: CONNECTIONS });
  const a: number[] = [];
  const b: number[] = [];
  const p50a: number[] = [];
  const p50b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const ra = await load(apiUrl, { seconds: SECONDS, headers, connections: CONNECTIONS });
    const rb = await load(rawUrl, { seconds: SECONDS, connections: CONNECTIONS });
    if (ra.non2xx || rb.non2xx || ra.errors || rb.errors) throw new Error(`unexpected failures: ${JSON.stringify({ ra, rb })}`);
    a.push(ra.requestsPerSecond);
    b.push(rb.requestsPerSecond);
    p50a.push(ra.p50Ms);
    p50b.push(rb.p50Ms);
  }
  const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const ratio = avg(a) / avg(b);
  process.stdout.write(
    [
      `bench:read  first page of 100 contacts, ${fmt(stored)} contacts stored (full sync of the ${VENDOR} emulator: ${fmt(syncSeconds, 1)} s), ${CONNECTIONS} connections, ${ROUNDS} x ${SECONDS} s each; database: ${db.kind}; server and load generator in one process`,
      `  Switchboard stored read (API key + account token):  ${fmt(avg(a)).padStart(7)} req/s   p50 ${fmt(avg(p50a), 1)} ms`,
      `  raw Fastify + one SQL query + JSON:                ${fmt(avg(b)).padStart(7)} req/s   p50 ${fmt(avg(p50b), 1)} ms`,
      `  ratio:                                             ${fmt(ratio, 3)}   (target >= 0.5: ${ratio >= 0.5 ? 'met' : 'NOT met'})`,
      '',
    ].join('\n'),
  );
  await raw.close();
  await app.close();
  await db.close();
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench:read failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
