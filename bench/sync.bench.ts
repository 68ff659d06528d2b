import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../src/database/testing';
import type { VendorSlug } from '../src/integrations/contract';
import { MetricsService } from '../src/observability/metrics';
import { IdentitiesService } from '../src/crm/identities.service';
import { StoreWriter } from '../src/sync/store-writer';
import { SyncEngine } from '../src/sync/sync.engine';
import { linkStandalone, startSyncContext } from '../src/sync/testing';
import { fmt } from './support';

/**
 * bench:sync — the stored-sync engine against each vendor emulator (in its own process, so its CPU
 * and memory are not ours), on PostgreSQL when DATABASE_URL is set (else embedded PGlite).
 *
 * 1. Limits off, per size: a full sync of every model (N contacts plus the related accounts,
 *    opportunities, activities, ...): records/s, peak RSS of this process (sampled every 100 ms;
 *    first vs second half of the run shows whether it stays flat), and the store-write rate (time
 *    in StoreWriter.prepare + apply) over a raw bulk insert of the same rows (one INSERT ... SELECT
 *    FROM unnest per page, same page size, into a scratch copy of crm_records with the same indexes).
 * 2. Limits on (the emulator's realistic budgets): a Contact sync for a fixed time; successful
 *    vendor requests/s over the allowance. HubSpot's 110 / 10 s is its real burst limit; Zoho's
 *    per-day credits are scaled to a 10-second window so a short run meets them. Salesforce has no
 *    per-second limit at all, only a rolling 24 h allocation (Enterprise: 100,000 requests plus
 *    1,000 per licence): its target line runs against that real allocation, whose allowance is its
 *    average rate (1.16 requests/s). A second Salesforce line, not a target, keeps the earlier
 *    compression of the day into 100 requests / 10 s (8.6 times the real rate), where 2,000-record
 *    pages make the sync bound by storing, not by the budget.
 *
 * `npm run bench:sync` runs Node with --max-old-space-size=192 (the heap cap we recommend for sync
 * workers): without it V8 grows the heap lazily and RSS reaches ~500 MB at 10,000 contacts with no
 * leak behind it (measured: 507 MB uncapped vs 299 MB with a 200 MB cap, same throughput). With a
 * 256 MB cap a 1,000,000-contact Salesforce run let the heap grow to 213 MB (166 used, mostly
 * garbage old space waits for) and RSS reached 401 MB after 33 minutes; with 192 the whole run
 * peaked at 355 MB (1st half 326, 2nd half 355; 2026-12-07).
 * It also sets MALLOC_ARENA_MAX=2 (as docker/Dockerfile does): most of RSS outside the V8 heap is
 * glibc's per-thread malloc arenas of V8's worker threads (pmap, Salesforce 100,000: ~89 MB in four
 * arenas); with 2 arenas, peak RSS at 100,000 contacts went 266 -> 229 MB (HubSpot) and 371-374
 * -> 337 MB (Salesforce alone), at the same speed (PostgreSQL, loaded machine, 2026-11-22).
 *
 * Environment: BENCH_SYNC_VENDORS (default salesforce,hubspot,zoho), BENCH_SYNC_SIZES (default
 * 100000,1000000), BENCH_SYNC_LIMITED_SECONDS (default 40), BENCH_SYNC_SKIP_LIMITS=1, BENCH_SYNC_SKIP_RAW=1 (no
 * raw-insert comparison), BENCH_SYNC_EMULATOR_HEAP_MB (the emulator child's heap limit, default 4096),
 * BENCH_SYNC_MEMORY=1 (print the process's memory breakdown every 5 s).
 */

const VENDORS = (process.env.BENCH_SYNC_VENDORS ?? 'salesforce,hubspot,zoho').split(',').filter(Boolean) as VendorSlug[];
const SIZES = (process.env.BENCH_SYNC_SIZES ?? '100000,1000000').split(',').filter(Boolean).map(Number);
const LIMITED_SECONDS = Number(process.env.BENCH_SYNC_LIMITED_SECONDS ?? 40);
const SKIP_RAW = process.env.BENCH_SYNC_SKIP_RAW === '1';
const MB = 1024 * 1024;

/** Limits-on runs: the budgets set in the emulator and the requests per second they grant. */
interface LimitedRun {
  vendor: VendorSlug;
  budgets: Record<string, { limit: number; windowMs: number }>;
  perSecond: number;
  note: string;
  /** false: shown for comparison, not the issue's target. */
  target: boolean;
}
const DAY_MS = 86_400_000;
const LIMITED_RUNS: LimitedRun[] = [
  // HubSpot's realistic OAuth-app budget, as the emulator enforces it (110 per 10 s).
  { vendor: 'hubspot', budgets: {}, perSecond: 11, note: '110 requests / 10 s (realistic)', target: true },
  { vendor: 'salesforce', budgets: { DailyApiRequests: { limit: 100_000, windowMs: DAY_MS } }, perSecond: 100_000 / (DAY_MS / 1000), note: 'DailyApiRequests 100,000 / 24 h (Enterprise base allocation, realistic)', target: true },
  { vendor: 'salesforce', budgets: { DailyApiRequests: { limit: 100, windowMs: 10_000 } }, perSecond: 10, note: 'DailyApiRequests compressed to 100 / 10 s; not a target: storing-bound', target: false },
  { vendor: 'zoho', budgets: { credits: { limit: 100, windowMs: 10_000 } }, perSecond: 10, note: 'credits scaled to 100 / 10 s', target: true },
];

interface Emulator {
  proc: ChildProcess;
  url: string;
  stats(): Promise<{ rss: number; apiRequests: number }>;
  stop(): Promise<void>;
}

/**
 * Node options of the emulator child. fork() passes our own execArgv by default, so the vendor got
 * our 256 MB heap cap too: the Salesforce emulator keeps up to 16,384 generated records (each with
 * its rendered JSON) per object segment, ~400 MB at 100,000 contacts, and died of it ("Salesforce
 * ran out of memory"). The vendor's memory is not ours: it gets its own limit, and heap-snapshot
 * flags given to this process stay with this process.
 */
function emulatorExecArgv(): string[] {
  const own = process.execArgv.filter((a) => !/^--(max-old-space-size|heapsnapshot-near-heap-limit|diagnostic-dir|heapsnapshot-signal)\b/.test(a));
  return [...own, `--max-old-space-size=${process.env.BENCH_SYNC_EMULATOR_HEAP_MB ?? 4096}`];
}

async function startEmulator(vendor: VendorSlug, contacts: number, limits: boolean): Promise<Emulator> {
  const proc = fork(join(__dirname, 'sync-emulator.js'), [vendor, String(contacts), limits ? 'limits' : 'off'], { stdio: 'inherit', execArgv: emulatorExecArgv() });
  const url = await new Promise<string>((resolve, reject) => {
    proc.once('message', (m: { type: string; url: string }) => (m.type === 'ready' ? resolve(m.url) : reject(new Error('unexpected message'))));
    proc.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  // A vendor that dies mid-run (e.g. out of memory) fails the bench at once instead of leaving every
  // later model failing and stop() waiting for an exit that already happened.
  let stopping = false;
  proc.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${vendor} emulator (pid ${proc.pid}) exited during the run: code ${code}, signal ${signal}`);
    process.exit(1);
  });
  return {
    proc,
    url,
    stats: () =>
      new Promise((resolve) => {
        proc.once('message', (m: { rss: number; apiRequests: number }) => resolve(m));
        proc.send({ type: 'stats' });
      }),
    stop: () =>
      new Promise((resolve) => {
        stopping = true;
        proc.once('exit', () => resolve());
        proc.send({ type: 'stop' });
      }),
  };
}

/**
 * Samples this process's RSS; peaks of the first and second half of the run. With
 * BENCH_SYNC_MEMORY=1 it also prints where the memory is (V8 heap used/total, external,
 * arrayBuffers, and the rest of RSS) every 5 seconds.
 */
function rssSampler() {
  const samples: { t: number; rss: number }[] = [];
  const timer = setInterval(() => samples.push({ t: Date.now(), rss: process.memoryUsage().rss }), 100);
  const mb = (n: number) => fmt(n / MB);
  const breakdown = () => {
    const m = process.memoryUsage();
    console.log(
      `  memory: rss ${mb(m.rss)} MB = heap total ${mb(m.heapTotal)} (used ${mb(m.heapUsed)}) + external ${mb(m.external)} (arrayBuffers ${mb(m.arrayBuffers)}) + other ${mb(m.rss - m.heapTotal - m.external)}`,
    );
  };
  if (process.env.BENCH_SYNC_MEMORY === '1') breakdown();
  const report = process.env.BENCH_SYNC_MEMORY === '1' ? setInterval(breakdown, 5000) : undefined;
  return {
    stop() {
      clearInterval(timer);
      clearInterval(report);
      samples.push({ t: Date.now(), rss: process.memoryUsage().rss });
      const mid = (samples[0].t + samples[samples.length - 1].t) / 2;
      const peak = (xs: typeof samples) => xs.reduce((m, s) => Math.max(m, s.rss), 0);
      return { peak: peak(samples), firstHalf: peak(samples.filter((s) => s.t <= mid)), secondHalf: peak(samples.filter((s) => s.t > mid)) };
    },
  };
}

type AsyncMethod = (...args: never[]) => Promise<unknown>;

/**
 * Replaces `target[name]` by a wrapper that reports each call's duration (also when it throws), its
 * arguments and, when it succeeded, its result to `record`.
 */
function timeMethod<T extends Record<K, AsyncMethod>, K extends keyof T>(
  target: T,
  name: K,
  record: (ns: bigint, args: Parameters<T[K]>, result: Awaited<ReturnType<T[K]>> | undefined) => void,
): void {
  const method = target[name].bind(target) as T[K];
  target[name] = (async (...args: Parameters<T[K]>) => {
    const start = process.hrtime.bigint();
    let result: Awaited<ReturnType<T[K]>> | undefined;
    try {
      result = (await method(...args)) as Awaited<ReturnType<T[K]>>;
      return result;
    } finally {
      record(process.hrtime.bigint() - start, args, result);
    }
  }) as T[K];
}

async function measureRawInsert(db: TestDatabase, accountId: string, pageSizes: Map<string, number>): Promise<{ rows: number; seconds: number }> {
  const sql = db.prisma.sql;
  await sql.exec('DROP TABLE IF EXISTS bench_raw_records; CREATE TABLE bench_raw_records (LIKE crm_records INCLUDING ALL)');
  let rows = 0;
  let ns = 0n;
  for (const [model, pageSize] of pageSizes) {
    let after = '0';
    for (;;) {
      // Text forms of the same values our writer sends; only the INSERT is timed.
      const page = await sql.query<Record<string, string | boolean | null>>(
        `SELECT seq::text AS seq_text, id::text AS id, remote_id, data::text AS data, remote_data::text AS remote_data, remote_fields::text AS remote_fields,
                content_hash, remote_data_hash, remote_created_at::text AS rc, remote_updated_at::text AS ru, remote_was_deleted
         FROM crm_records WHERE linked_account_id = $1::uuid AND model = $2 AND seq > $3::bigint ORDER BY seq LIMIT $4`,
        [accountId, model, after, pageSize],
      );
      if (!page.length) break;
      after = page[page.length - 1].seq_text as string;
      const col = (k: string) => page.map((r) => r[k]);
      const start = process.hrtime.bigint();
      await sql.execute(
        `INSERT INTO bench_raw_records (id, linked_account_id, model, remote_id, data, remote_data, remote_fields, content_hash, remote_data_hash,
                                        remote_created_at, remote_updated_at, remote_was_deleted)
         SELECT id, $1::uuid, $2, remote_id, data, remote_data, remote_fields, content_hash, remote_data_hash, rc, ru, del
         FROM unnest($3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[], $7::jsonb[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::boolean[])
           AS t(id, remote_id, data, remote_data, remote_fields, content_hash, remote_data_hash, rc, ru, del)`,
        [
          accountId,
          model,
          col('id'),
          col('remote_id'),
          col('data'),
          col('remote_data'),
          col('remote_fields'),
          col('content_hash'),
          col('remote_data_hash'),
          col('rc'),
          col('ru'),
          col('remote_was_deleted'),
        ],
      );
      ns += process.hrtime.bigint() - start;
      rows += page.length;
    }
  }
  await sql.exec('DROP TABLE bench_raw_records');
  return { rows, seconds: Number(ns) / 1e9 };
}

function vendorRequests(metrics: MetricsService, vendor: string): Promise<{ ok: number; limited: number; other: number }> {
  return metrics.vendorRequests.get().then((m) => {
    const out = { ok: 0, limited: 0, other: 0 };
    for (const v of m.values) {
      if (v.labels.vendor !== vendor) continue;
      const status = Number(v.labels.status);
      if (status >= 200 && status < 300) out.ok += v.value;
      else if (status === 429) out.limited += v.value;
      else out.other += v.value;
    }
    return out;
  });
}

async function limitsOff(vendor: VendorSlug, contacts: number): Promise<void> {
  const emu = await startEmulator(vendor, contacts, false);
  const db = await createTestDatabase();
  const ctx = await startSyncContext(db.prisma, [{ vendor, url: emu.url }]);
  try {
    const account = await linkStandalone(ctx, vendor, emu.url);
    const writer = ctx.get(StoreWriter);
    let writeNs = 0n;
    let idsNs = 0n;
    let applyNs = 0n;
    let written = 0;
    const pageSizes = new Map<string, number>();
    // Time the store writer's own work (serialize, hash, resolve ids, the upsert).
    // Breakdown: related-record ids not yet cached (idsFor, inside prepare), the upsert (which also
    // resolves the records' own ids); the rest of prepare is serializing and hashing.
    const identities = ctx.get(IdentitiesService);
    timeMethod(identities, 'idsFor', (ns) => {
      idsNs += ns;
    });
    timeMethod(writer, 'prepare', (ns, [, model, records]) => {
      writeNs += ns;
      pageSizes.set(model, Math.max(pageSizes.get(model) ?? 0, records.length));
    });
    timeMethod(writer, 'apply', (ns, _args, applied) => {
      writeNs += ns;
      applyNs += ns;
      if (applied) written += applied.result.written;
    });
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const sampler = rssSampler();
    const started = process.hrtime.bigint();
    const results = await ctx.get(SyncEngine).syncAccount(account.id, { kind: 'full' });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rss = sampler.stop();
    const failed = results.filter((r) => r.outcome !== 'done');
    const seen = results.reduce((n, r) => n + r.seen, 0);
    const contactsSeen = results.find((r) => r.model === 'Contact')?.seen ?? 0;
    const ours = written / (Number(writeNs) / 1e9);
    // The raw comparison re-inserts every row (as long again as the sync's writes): skippable for 1,000,000-contact runs.
    const raw = SKIP_RAW ? { rows: 0, seconds: 0 } : await measureRawInsert(db, account.id, pageSizes);
    const rawRate = raw.rows / raw.seconds;
    console.log(
      `${vendor.padEnd(10)} ${fmt(contacts).padStart(9)} contacts  limits off  ${fmt(seen)} records (${fmt(contactsSeen)} contacts) in ${fmt(seconds, 1)} s = ${fmt(seen / seconds)} records/s` +
        `  peak RSS ${fmt(rss.peak / MB)} MB (start ${fmt(rssBefore / MB)}, 1st half ${fmt(rss.firstHalf / MB)}, 2nd half ${fmt(rss.secondHalf / MB)})` +
        (SKIP_RAW ? `  store write ${fmt(ours)} rows/s (raw insert not measured)` : `  store write ${fmt(ours)} rows/s vs raw unnest insert ${fmt(rawRate)} rows/s: ratio ${fmt(ours / rawRate, 2)}`) +
        ` (writer ${fmt(Number(writeNs) / 1e9, 1)} s: related ids ${fmt(Number(idsNs) / 1e9, 1)}, serialize+hash ${fmt(Number(writeNs - applyNs - idsNs) / 1e9, 1)}, upsert ${fmt(Number(applyNs) / 1e9, 1)}; raw ${fmt(raw.seconds, 1)} s)` +
        (failed.length ? `  FAILED: ${failed.map((f) => `${f.model}: ${f.error}`).join('; ')}` : ''),
    );
  } finally {
    await ctx.close();
    await db.close();
    await emu.stop();
  }
}

async function limitsOn(run: LimitedRun): Promise<void> {
  const { vendor } = run;
  const emu = await startEmulator(vendor, 200_000, true);
  const db = await createTestDatabase();
  const ctx = await startSyncContext(db.prisma, [{ vendor, url: emu.url }]);
  try {
    const budget = run;
    if (Object.keys(budget.budgets).length) {
      const res = await fetch(`${emu.url}/__sandbox/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ budgets: budget.budgets }) });
      if (!res.ok) throw new Error(`budgets: ${res.status} ${await res.text()}`);
    }
    const account = await linkStandalone(ctx, vendor, emu.url);
    const metrics = ctx.get(MetricsService);
    const before = await vendorRequests(metrics, vendor);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), LIMITED_SECONDS * 1000);
    const started = process.hrtime.bigint();
    const [result] = await ctx.get(SyncEngine).syncAccount(account.id, { models: ['Contact'], kind: 'full', signal: abort.signal });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    clearTimeout(timer);
    const after = await vendorRequests(metrics, vendor);
    const ok = after.ok - before.ok;
    const rate = ok / seconds;
    console.log(
      `${vendor.padEnd(10)} limits on (${budget.note}): ${fmt(ok)} successful vendor requests in ${fmt(seconds, 1)} s = ${fmt(rate, 2)}/s, ` +
        `allowance ${fmt(budget.perSecond, 2)}/s: ratio ${fmt(rate / budget.perSecond, 2)}  (429 answers ${after.limited - before.limited}, other errors ${after.other - before.other}; ` +
        `${fmt(result?.seen ?? 0)} contacts, outcome ${result?.outcome}${result?.error ? `: ${result.error}` : ''})`,
    );
  } finally {
    await ctx.close();
    await db.close();
    await emu.stop();
  }
}

async function main(): Promise<void> {
  console.log(`bench:sync on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}, Node ${process.version}`);
  for (const contacts of SIZES) for (const vendor of VENDORS) await limitsOff(vendor, contacts);
  if (process.env.BENCH_SYNC_SKIP_LIMITS !== '1') for (const run of LIMITED_RUNS) if (VENDORS.includes(run.vendor)) await limitsOn(run);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
