import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adapterFor } from '../../src/integrations/registry';
import type { ModelName } from '../../src/models/spec';
import { linkSandboxAccount, mountedSandbox } from '../support/linked-account';
import { expectStoreEqualsVendor } from '../support/store-compare';
import { startTestApp, type TestApp } from '../support/test-app';
import { buildWorker, postgresReachable, removeWorkerBuild, startWorker, TEST_POSTGRES_URL, type WorkerProcess } from '../support/worker-process';

/**
 * `npm run worker` as a real process against a real PostgreSQL database and the test server's
 * mounted HubSpot emulator (over HTTP): killed with SIGKILL in the middle of a sync and restarted,
 * or stopped with SIGTERM and restarted, the store ends equal to the emulator — nothing lost,
 * nothing duplicated.
 */

const CONTACTS = 2500;
const VENDOR = 'hubspot' as const;
const COMPARED: ModelName[] = ['User', 'Account', 'Contact', 'Opportunity', 'Engagement'];

async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 240_000, output?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${output ? `\n${output().slice(-3000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let reachable = false;
let savedDatabaseUrl: string | undefined;

describe('worker process: SIGKILL and SIGTERM mid-sync', () => {
  let t: TestApp;
  let apiKey: string;
  const encryptionKey = randomBytes(32).toString('base64');
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    reachable = await postgresReachable();
    if (!reachable) {
      console.warn(`SKIPPED worker-process tests: no PostgreSQL at ${TEST_POSTGRES_URL} (the worker is a second process; the embedded database serves one)`);
      return;
    }
    buildWorker();
    // The server under test on a fresh PostgreSQL database (the worker connects to the same one).
    savedDatabaseUrl = process.env.DATABASE_URL;
    process.env.DATABASE_URL = TEST_POSTGRES_URL;
    // The server runs no scheduled syncs itself here (tick every hour, accounts never announced).
    t = await startTestApp({ SANDBOX_CONTACTS: String(CONTACTS), ENCRYPTION_KEY: encryptionKey, SYNC_TICK_SECONDS: '3600' });
    apiKey = (await t.createOrganization()).apiKey;
  }, 180_000);
  beforeEach((ctx) => {
    if (!reachable) ctx.skip('no PostgreSQL');
  });
  // A worker left running would take the next test's accounts.
  const killAll = async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.kill('SIGKILL');
      await w.exited;
    }
  };
  afterEach(killAll);
  afterAll(async () => {
    await killAll();
    await t?.close();
    if (savedDatabaseUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = savedDatabaseUrl;
    removeWorkerBuild();
  });

  const workerEnv = () => ({
    DATABASE_URL: t.db.options.databaseUrl!,
    ENCRYPTION_KEY: encryptionKey,
    PUBLIC_URL: t.url,
    SYNC_TICK_SECONDS: '1',
    SYNC_RETRY_BASE_MS: '100',
  });
  const spawnWorker = () => {
    const w = startWorker(workerEnv());
    workers.push(w);
    return w;
  };
  const contactProgress = async (accountId: string) => {
    const rows = await t.db.prisma.sql.query<{ checkpoint: { seen?: number } | string | null; lease_owner: string | null; status: string }>(
      `SELECT checkpoint, lease_owner, status FROM sync_states WHERE linked_account_id = $1::uuid AND model = 'Contact'`,
      [accountId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const cp = typeof row.checkpoint === 'string' ? JSON.parse(row.checkpoint) : row.checkpoint;
    return { seen: (cp?.seen as number | undefined) ?? 0, open: cp !== null, leaseOwner: row.lease_owner, status: row.status };
  };
  const allDone = async (accountId: string) => {
    const rows = await t.db.prisma.sql.query<{ status: string }>(`SELECT status FROM sync_states WHERE linked_account_id = $1::uuid`, [accountId]);
    return rows.length === adapterFor(VENDOR)!.models.length && rows.every((r) => r.status === 'DONE');
  };
  const storedAccount = async () => {
    const org = await t.createOrganization();
    const { accountToken, linkedAccountId } = await linkSandboxAccount(t, org.organizationId, VENDOR);
    // Stored mode with its models due now: the worker's tick picks the account up.
    await t.db.prisma.linkedAccount.update({ where: { id: linkedAccountId }, data: { readMode: 'stored' } });
    return { apiKey: org.apiKey, accountToken, linkedAccountId };
  };
  const slowVendor = async (latencyMs: number) => {
    const res = await fetch(`${mountedSandbox(t, VENDOR).baseUrl}/__sandbox/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs }),
    });
    expect(res.status).toBe(200);
  };

  it('SIGKILL mid-sync, restart: resumes from the checkpoint and the store equals the emulator', async () => {
    void apiKey;
    await slowVendor(25);
    const auth = await storedAccount();
    const first = spawnWorker();
    await first.started;
    // Killed while the Contact walk is under way (some pages stored, more to come).
    const atKill = await eventually(async () => {
      const p = await contactProgress(auth.linkedAccountId);
      return p && p.open && p.seen >= 500 && p.seen < CONTACTS ? p : undefined;
    }, 'the Contact sync to be half-way', 240_000, first.output);
    first.kill('SIGKILL');
    const exit = await first.exited;
    expect(exit.signal).toBe('SIGKILL');
    const afterKill = await contactProgress(auth.linkedAccountId);
    // The dead process still holds the lease and the open checkpoint is stored.
    expect(afterKill!.open).toBe(true);
    expect(afterKill!.leaseOwner).not.toBeNull();
    expect(afterKill!.seen).toBeGreaterThanOrEqual(atKill.seen);
    // Its lease runs out (the engine's lease is minutes long: let that time pass in the database).
    await t.db.prisma.sql.execute(`UPDATE sync_states SET lease_expires_at = now() - interval '1 second' WHERE linked_account_id = $1::uuid AND lease_owner IS NOT NULL`, [
      auth.linkedAccountId,
    ]);
    await slowVendor(0);
    const second = spawnWorker();
    await second.started;
    await eventually(() => allDone(auth.linkedAccountId), 'every model to finish after the restart', 240_000, second.output);
    const runs = await t.db.prisma.sql.query<{ outcome: string | null; finished_at: Date | null; owner: string }>(
      `SELECT outcome, finished_at, owner FROM sync_runs WHERE linked_account_id = $1::uuid AND model = 'Contact' ORDER BY started_at`,
      [auth.linkedAccountId],
    );
    // The killed run never finished; the restarted worker's run resumed and completed it.
    expect(runs.length).toBe(2);
    expect(runs[0].finished_at).toBeNull();
    expect(runs[1].outcome).toBe('done');
    expect(runs[1].owner).not.toBe(runs[0].owner);
    const counts = await expectStoreEqualsVendor(t, t.db.prisma, auth, COMPARED);
    expect(counts.Contact).toBe(CONTACTS);
    second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }, 600_000);

  it('SIGTERM mid-sync: stops after the page in flight with exit code 0; a restarted worker completes the sync', async () => {
    await slowVendor(25);
    const auth = await storedAccount();
    const first = spawnWorker();
    await first.started;
    await eventually(async () => {
      const p = await contactProgress(auth.linkedAccountId);
      return p && p.open && p.seen >= 300 && p.seen < CONTACTS ? p : undefined;
    }, 'the Contact sync to be under way', 240_000, first.output);
    first.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit.code, first.output().slice(-2000)).toBe(0);
    const stopped = await contactProgress(auth.linkedAccountId);
    // Checkpointed and released: nothing waits for a lease to expire.
    expect(stopped!.open).toBe(true);
    expect(stopped!.leaseOwner).toBeNull();
    expect(stopped!.status).toBe('PARTIALLY_SYNCED');
    await slowVendor(0);
    const second = spawnWorker();
    await second.started;
    await eventually(() => allDone(auth.linkedAccountId), 'every model to finish after the restart', 240_000, second.output);
    const counts = await expectStoreEqualsVendor(t, t.db.prisma, auth, COMPARED);
    expect(counts.Contact).toBe(CONTACTS);
    second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }, 600_000);
});
