import { randomBytes, randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { VendorSlug } from '../../src/integrations/contract';
import { adapterFor } from '../../src/integrations/registry';
import { SANDBOX_VENDORS } from '../../src/sandbox/registry';
import { BullMqJobQueue } from '../../src/queue/bullmq-queue';
import { SYNC_QUEUE, type SyncJobData } from '../../src/sync/scheduler';
import { linkSandboxAccount } from '../support/linked-account';
import { redisReachable, TEST_REDIS_URL } from '../support/redis';
import { startTestApp, type TestApp } from '../support/test-app';
import { buildWorker, postgresReachable, removeWorkerBuild, startWorker, TEST_POSTGRES_URL, type WorkerProcess } from '../support/worker-process';

/**
 * Two `npm run worker` processes on one Redis (BullMQ) and one PostgreSQL database sync 20 linked
 * accounts while extra sync jobs for the same pairs keep arriving: from sync_runs, no (account,
 * model) ever ran twice at once, every run completed, and both workers took part.
 */

const ACCOUNTS = 20;
const CONTACTS = 120;
const VENDORS = SANDBOX_VENDORS;

async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs: number, output?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${output ? `\n${output().slice(-3000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let ready = false;
let savedDatabaseUrl: string | undefined;

describe('two workers on Redis', () => {
  let t: TestApp;
  const encryptionKey = randomBytes(32).toString('base64');
  const prefix = `sbtest-${randomUUID().slice(0, 8)}`;
  const workers: WorkerProcess[] = [];
  let producer: BullMqJobQueue | undefined;

  beforeAll(async () => {
    const [redis, pg] = await Promise.all([redisReachable(), postgresReachable()]);
    if (!redis || !pg) {
      console.warn(`SKIPPED two-worker test: needs Redis at ${TEST_REDIS_URL} (${redis ? 'ok' : 'unreachable'}) and PostgreSQL at ${TEST_POSTGRES_URL} (${pg ? 'ok' : 'unreachable'})`);
      return;
    }
    ready = true;
    buildWorker();
    savedDatabaseUrl = process.env.DATABASE_URL;
    process.env.DATABASE_URL = TEST_POSTGRES_URL;
    // The server only serves the emulators and the database here: it never syncs (tick every hour, no link events).
    t = await startTestApp({ SANDBOX_CONTACTS: String(CONTACTS), ENCRYPTION_KEY: encryptionKey, SYNC_TICK_SECONDS: '3600' });
  }, 180_000);
  beforeEach((ctx) => {
    if (!ready) ctx.skip('needs Redis and PostgreSQL');
  });
  afterAll(async () => {
    for (const w of workers) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.kill('SIGKILL');
      await w.exited;
    }
    await producer?.close();
    await t?.close();
    if (ready) {
      const admin = new IORedis(TEST_REDIS_URL);
      const keys = await admin.keys(`${prefix}:*`);
      if (keys.length) await admin.del(...keys);
      await admin.quit();
    }
    if (savedDatabaseUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = savedDatabaseUrl;
    removeWorkerBuild();
  });

  it('never runs the same (account, model) twice at once, and completes everything', async () => {
    const accounts: { id: string; vendor: VendorSlug }[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const vendor = VENDORS[i % VENDORS.length];
      const org = await t.createOrganization();
      const { linkedAccountId } = await linkSandboxAccount(t, org.organizationId, vendor);
      await t.db.prisma.linkedAccount.update({ where: { id: linkedAccountId }, data: { readMode: 'stored' } });
      accounts.push({ id: linkedAccountId, vendor });
    }
    const env = {
      DATABASE_URL: t.db.options.databaseUrl!,
      ENCRYPTION_KEY: encryptionKey,
      PUBLIC_URL: t.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      SYNC_TICK_SECONDS: '1',
      SYNC_RETRY_BASE_MS: '100',
      SYNC_CONCURRENCY: '3',
    };
    workers.push(startWorker(env), startWorker(env));
    await Promise.all(workers.map((w) => w.started));
    const output = () => workers.map((w, i) => `--- worker ${i}\n${w.output().slice(-1500)}`).join('\n');

    // Competing demands for the same pairs while the first syncs run: a full resync and
    // incremental syncs of some models for every account (different dedupe keys, so they queue).
    producer = new BullMqJobQueue({ redisUrl: TEST_REDIS_URL, prefix });
    for (const a of accounts) {
      const jobs: SyncJobData[] = [
        { linkedAccountId: a.id, kind: 'full', reason: 'manual' },
        { linkedAccountId: a.id, models: ['Contact', 'Account'], kind: 'incremental', reason: 'webhook' },
        { linkedAccountId: a.id, models: ['Contact'], reason: 'webhook' },
      ];
      for (const job of jobs) await producer.enqueue(SYNC_QUEUE, job);
    }

    const q = producer;
    await eventually(
      async () => {
        const rows = await t.db.prisma.sql.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM sync_states WHERE linked_account_id = ANY($1::uuid[]) AND status = 'DONE'`,
          [accounts.map((a) => a.id)],
        );
        const expected = accounts.reduce((n, a) => n + adapterFor(a.vendor)!.models.length, 0);
        if (rows[0].n !== expected) return false;
        const counts = await q.counts(SYNC_QUEUE);
        return counts.waiting + counts.delayed + counts.active + counts.prioritized === 0;
      },
      'every account synced and the queue drained',
      480_000,
      output,
    );

    const overlaps = await t.db.prisma.sql.query<{ linked_account_id: string; model: string }>(
      `SELECT a.linked_account_id::text AS linked_account_id, a.model FROM sync_runs a JOIN sync_runs b
         ON a.linked_account_id = b.linked_account_id AND a.model = b.model AND a.id <> b.id
        AND a.started_at <= b.started_at AND b.started_at < COALESCE(a.finished_at, 'infinity'::timestamptz)`,
    );
    expect(overlaps).toEqual([]);
    const runs = await t.db.prisma.sql.query<{ owner: string; outcome: string | null; n: number }>(
      `SELECT owner, outcome, count(*)::int AS n FROM sync_runs WHERE linked_account_id = ANY($1::uuid[]) GROUP BY owner, outcome`,
      [accounts.map((a) => a.id)],
    );
    // Every run finished and succeeded; both workers took part.
    expect(runs.filter((r) => r.outcome !== 'done')).toEqual([]);
    expect(new Set(runs.map((r) => r.owner)).size).toBe(2);
    // More runs than pairs: the competing jobs really ran (after the lease was free), not dropped.
    const pairs = accounts.reduce((n, a) => n + adapterFor(a.vendor)!.models.length, 0);
    expect(runs.reduce((n, r) => n + r.n, 0)).toBeGreaterThan(pairs);
    const contacts = await t.db.prisma.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM crm_records WHERE linked_account_id = ANY($1::uuid[]) AND model = 'Contact' AND NOT remote_was_deleted`,
      [accounts.map((a) => a.id)],
    );
    expect(contacts[0].n).toBe(ACCOUNTS * CONTACTS);
  }, 600_000);
});
