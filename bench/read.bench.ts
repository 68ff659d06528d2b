import Fastify from 'fastify';
import type { VendorSlug } from '../src/integrations/contract';
import { linkAndSync, startBenchServer } from './app-server';
import { compareLoad, fmt } from './support';

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
const VENDOR: VendorSlug = 'hubspot';

async function main(): Promise<void> {
  // Syncs run when this benchmark asks, not on a timer.
  const server = await startBenchServer({ contacts: CONTACTS, env: { SYNC_TICK_SECONDS: '3600' } });
  const { app, db, base } = server;
  // A linked account on the mounted HubSpot emulator, stored mode, contacts fully synced.
  const { linkedAccountId, accountToken, syncSeconds } = await linkAndSync(server, VENDOR, ['Contact']);
  // Statistics as autovacuum would have them a minute after a bulk load (both servers alike).
  await db.prisma.sql.exec('ANALYZE crm_records');
  const [{ n: stored }] = await db.prisma.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM crm_records WHERE linked_account_id = $1::uuid AND model = 'Contact'`, [linkedAccountId]);

  // The baseline: one query, rows mapped to the same wire records, JSON by Fastify.
  const raw = Fastify({ logger: false });
  raw.get('/contacts', async () => {
    const rows = await db.prisma.sql.query<{ id: string; remote_id: string; created_at: Date; modified_at: Date; data: Record<string, unknown>; remote_was_deleted: boolean }>(
      `SELECT id::text AS id, remote_id, created_at, modified_at, data, remote_was_deleted FROM crm_records
       WHERE linked_account_id = $1::uuid AND model = 'Contact' AND NOT remote_was_deleted ORDER BY seq LIMIT 100`,
      [linkedAccountId],
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
  const headers = { authorization: `Bearer ${server.apiKey}`, 'x-account-token': accountToken };

  // Both answer the same 100 records, and ours came from the store.
  const ours = await fetch(apiUrl, { headers });
  if (ours.status !== 200 || ours.headers.get('x-read-mode') !== 'stored') throw new Error(`API answered ${ours.status} in mode ${ours.headers.get('x-read-mode')}`);
  const ourBody = (await ours.json()) as { results: Record<string, unknown>[] };
  const rawBody = (await (await fetch(rawUrl)).json()) as { results: Record<string, unknown>[] };
  const same = JSON.stringify(ourBody.results.map((r) => r.id)) === JSON.stringify(rawBody.results.map((r) => r.id));
  if (!same || ourBody.results.length !== 100) throw new Error('the two servers disagree on the first page');

  const [ourLoad, rawLoad] = await compareLoad({ url: apiUrl, headers }, { url: rawUrl }, { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS });
  const ratio = ourLoad.requestsPerSecond / rawLoad.requestsPerSecond;
  process.stdout.write(
    [
      `bench:read  first page of 100 contacts, ${fmt(stored)} contacts stored (full sync of the ${VENDOR} emulator: ${fmt(syncSeconds, 1)} s), ${CONNECTIONS} connections, ${ROUNDS} x ${SECONDS} s each; database: ${db.kind}; server and load generator in one process`,
      `  Switchboard stored read (API key + account token):  ${fmt(ourLoad.requestsPerSecond).padStart(7)} req/s   p50 ${fmt(ourLoad.p50Ms, 1)} ms`,
      `  raw Fastify + one SQL query + JSON:                ${fmt(rawLoad.requestsPerSecond).padStart(7)} req/s   p50 ${fmt(rawLoad.p50Ms, 1)} ms`,
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
