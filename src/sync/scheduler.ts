import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { PrismaService } from '../database/prisma.service';
import { EventBus, type SwitchboardEvent } from '../events/event-bus';
import { adapterFor } from '../integrations/registry';
import { MODEL_NAMES, type ModelName } from '../models/spec';
import { JOB_QUEUE, type JobContext, type JobQueue } from '../queue/job-queue';
import { QUEUE_ROLE, type QueueRole, runsJobs } from '../queue/queue.module';
import { SYNC_RUNNER, type SyncKind, type SyncReason, type SyncRequest, type SyncRunner, type SyncRunResult, type SyncTrigger } from './contract';

/**
 * Turns sync requests (link, schedule, vendor webhook, resync route) into jobs on the 'sync' queue
 * and runs them: one job per linked account carrying the models to sync, which the engine runs in
 * dependency order, each model under its lease (so at most one run per (account, model) at a time
 * across every process sharing the database).
 *
 * - Dedupe: the job id is `sync:<account>:<kind>:<models>`, so a burst of webhooks for the same
 *   model coalesces into one waiting job; a request arriving while that job runs queues one more.
 * - A model whose lease another process holds ('skipped'), that failed, or that was interrupted by
 *   a shutdown ('aborted') is re-queued with exponential backoff (SYNC_RETRY_BASE_MS), never dropped;
 *   past the last retry the periodic tick picks it up again.
 * - The tick (every SYNC_TICK_SECONDS, and once at start) claims due sync_states rows atomically
 *   (UPDATE ... RETURNING moves next_sync_start forward) so that of several processes only one
 *   enqueues each due account; it also resumes runs left open by a crashed process once their lease
 *   expired, starts the first sync of stored-mode accounts that have none yet, and (in-process
 *   queue, first tick) re-queues pairs whose queued job died with a previous process.
 * - Live-mode accounts store nothing: no sync is ever run for them.
 */

export const SYNC_QUEUE = 'sync';

export interface SyncJobData {
  linkedAccountId: string;
  models?: ModelName[];
  kind?: SyncKind;
  reason: SyncReason;
  /** Retries of this request so far (for lease-blocked, failed or interrupted models). */
  retry?: number;
}

/** The engine's per-account helper (SyncEngine.syncAccount): models in dependency order, one failing never stops the others. */
export interface AccountSyncRunner extends SyncRunner {
  syncAccount(linkedAccountId: string, options: { models?: ModelName[]; kind?: SyncKind; signal?: AbortSignal }): Promise<SyncRunResult[]>;
}

export interface SchedulerOptions {
  tickMs: number;
  retryBaseMs: number;
  /** Longest retry delay. */
  maxRetryDelayMs: number;
  /** Retries of one request before leaving the rest to the tick. */
  maxRetries: number;
  concurrency: number;
}

const TICK_NAME = 'sync-scheduler-tick';

export function syncJobId(req: Pick<SyncRequest, 'linkedAccountId' | 'models' | 'kind'>): string {
  const models = req.models?.length ? [...new Set(req.models)].sort().join(',') : '*';
  return `sync:${req.linkedAccountId}:${req.kind ?? 'auto'}:${models}`;
}

@Injectable()
export class SyncScheduler implements SyncTrigger, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SyncScheduler');
  readonly options: SchedulerOptions;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private unsubscribe?: () => void;
  private stopped = false;

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(SYNC_RUNNER) private readonly runner: AccountSyncRunner,
    private readonly prisma: PrismaService,
    private readonly events: EventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(QUEUE_ROLE) private readonly role: QueueRole,
    @Optional() private readonly schedulerRegistry?: SchedulerRegistry,
  ) {
    this.options = {
      tickMs: config.queue.syncTickMs,
      retryBaseMs: config.queue.syncRetryBaseMs,
      maxRetryDelayMs: 10 * 60_000,
      maxRetries: 6,
      concurrency: config.queue.syncConcurrency,
    };
  }

  /** Whether this process runs sync jobs and the tick (a worker always; a server unless SERVER_RUNS_JOBS=false). */
  get consumes(): boolean {
    return runsJobs(this.role, this.config);
  }

  onApplicationBootstrap(): void {
    // Every process that links accounts asks for their first sync, consumer or not (the job goes to the shared queue).
    if (this.config.queue.syncSchedule) this.unsubscribe = this.events.subscribe('LinkedAccount.linked', (e) => this.onLinked(e));
    if (!this.consumes) return;
    this.queue.process<SyncJobData>(
      SYNC_QUEUE,
      async (data, ctx) => {
        await this.handle(data, ctx);
      },
      { concurrency: this.options.concurrency },
    );
    // SYNC_SCHEDULE=off: only explicit requests run (no tick).
    if (!this.config.queue.syncSchedule) return;
    this.timer = setInterval(() => void this.tick(), this.options.tickMs);
    this.schedulerRegistry?.addInterval(TICK_NAME, this.timer);
    // At start: resume what a previous process left open, and catch up on due syncs.
    void this.tick();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) {
      if (this.schedulerRegistry?.doesExist('interval', TICK_NAME)) this.schedulerRegistry.deleteInterval(TICK_NAME);
      else clearInterval(this.timer);
    }
    await this.ticking;
  }

  /** SyncTrigger: queue a sync of an account (all of its vendor's models unless `models` is given). */
  async request(req: SyncRequest): Promise<void> {
    const data: SyncJobData = { linkedAccountId: req.linkedAccountId, reason: req.reason };
    if (req.models?.length) data.models = [...new Set(req.models)];
    if (req.kind) data.kind = req.kind;
    await this.queue.enqueue(SYNC_QUEUE, data, { jobId: syncJobId(req), delayMs: req.delayMs });
  }

  /** Runs one sync job (exported for the worker and tests through the queue). */
  async handle(data: SyncJobData, ctx: Pick<JobContext, 'signal'>): Promise<SyncRunResult[]> {
    const account = await this.prisma.linkedAccount.findUnique({
      where: { id: data.linkedAccountId },
      select: { id: true, integration: true, readMode: true, status: true },
    });
    if (!account) return [];
    if (account.readMode !== 'stored') return [];
    // Without valid tokens every call would fail; the relink flow asks for a full sync afterwards.
    if (account.status === 'RELINK_NEEDED') return [];
    const results = await this.runner.syncAccount(account.id, { models: data.models, kind: data.kind, signal: ctx.signal });
    const again = results.filter((r) => r.outcome !== 'done').map((r) => r.model);
    if (again.length) await this.retryLater(data, again);
    return results;
  }

  private async retryLater(data: SyncJobData, models: ModelName[]): Promise<void> {
    const retry = (data.retry ?? 0) + 1;
    if (retry > this.options.maxRetries) {
      this.logger.warn(`sync of ${models.join(', ')} for ${data.linkedAccountId} still not done after ${this.options.maxRetries} retries; the scheduler tick will try again`);
      return;
    }
    const delayMs = Math.min(this.options.maxRetryDelayMs, this.options.retryBaseMs * 2 ** (retry - 1));
    const next: SyncJobData = { ...data, models, retry };
    try {
      await this.queue.enqueue(SYNC_QUEUE, next, { jobId: syncJobId(next), delayMs });
    } catch (err) {
      // The queue is closing (shutdown): the open checkpoint stays in sync_states and the tick of
      // the next process resumes it.
      this.logger.warn(`could not re-queue the sync of ${data.linkedAccountId}: ${(err as Error).message}`);
    }
  }

  private async onLinked(e: SwitchboardEvent): Promise<void> {
    if (!e.linkedAccountId || this.stopped) return;
    const account = await this.prisma.linkedAccount.findUnique({ where: { id: e.linkedAccountId }, select: { id: true, integration: true, readMode: true, syncFrequencyMinutes: true } });
    if (!account || account.readMode !== 'stored') return;
    const models = adapterFor(account.integration)?.models ?? [];
    // The rows make the sync visible in sync-status at once and keep the tick from starting a second first sync.
    if (models.length) {
      await this.prisma.sql.execute(
        `INSERT INTO sync_states (linked_account_id, model, next_sync_start)
         SELECT $1::uuid, m, now() + ($3::int * interval '1 minute') FROM unnest($2::text[]) AS m
         ON CONFLICT (linked_account_id, model) DO UPDATE SET next_sync_start = EXCLUDED.next_sync_start`,
        [account.id, [...models], account.syncFrequencyMinutes],
      );
    }
    await this.request({ linkedAccountId: account.id, kind: 'full', reason: 'link' });
  }

  /** One scheduling pass; concurrent calls share the pass in progress. */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.ticking ??= this.runTick()
      .catch((err) => this.logger.warn(`scheduler tick failed: ${(err as Error).message}`))
      .finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  /** False until this process's first tick has run. */
  private recovered = false;

  private async runTick(): Promise<void> {
    // An in-process queue loses its jobs with the process: on the first tick, pairs that were
    // queued but never started (e.g. the rest of a first sync killed half-way) are due again.
    const recoverQueued = !this.recovered && this.queue.kind === 'in-process';
    this.recovered = true;
    const sql = this.prisma.sql;
    // 1. Stored-mode accounts with models never synced (account linked while no process ran, or
    //    read mode switched to stored): claim by inserting their rows; only the inserter enqueues.
    const accounts = await sql.query<{ id: string; integration: string; frequency: number; models: string[] | null }>(
      `SELECT la.id::text AS id, la.integration, la.sync_frequency_minutes AS frequency,
              (SELECT array_agg(s.model) FROM sync_states s WHERE s.linked_account_id = la.id) AS models
       FROM linked_accounts la WHERE la.read_mode = 'stored' AND la.status = 'COMPLETE'`,
    );
    for (const a of accounts) {
      const have = new Set(a.models ?? []);
      const missing = (adapterFor(a.integration)?.models ?? []).filter((m) => !have.has(m));
      if (!missing.length) continue;
      const inserted = await sql.query<{ model: string }>(
        `INSERT INTO sync_states (linked_account_id, model, next_sync_start)
         SELECT $1::uuid, m, now() + ($3::int * interval '1 minute') FROM unnest($2::text[]) AS m
         ON CONFLICT (linked_account_id, model) DO NOTHING RETURNING model`,
        [a.id, missing, a.frequency],
      );
      if (inserted.length) await this.request({ linkedAccountId: a.id, models: inserted.map((r) => r.model as ModelName), reason: 'schedule' });
    }
    // 2. Due pairs: next sync time passed, or a run left open by a crashed (lease expired) or
    //    shut-down process. Claiming moves next_sync_start forward in the same statement.
    const due = await sql.query<{ id: string; model: string }>(
      `UPDATE sync_states s SET next_sync_start = now() + (la.sync_frequency_minutes * interval '1 minute')
       FROM linked_accounts la
       WHERE la.id = s.linked_account_id AND la.read_mode = 'stored' AND la.status = 'COMPLETE'
         AND s.status <> 'DISABLED'
         AND (s.lease_owner IS NULL OR s.lease_expires_at IS NULL OR s.lease_expires_at < now())
         AND (s.next_sync_start IS NULL OR s.next_sync_start <= now() OR s.status IN ('SYNCING', 'PARTIALLY_SYNCED')
              OR ($1::boolean AND s.last_sync_start IS NULL))
       RETURNING s.linked_account_id::text AS id, s.model`,
      [recoverQueued],
    );
    const byAccount = new Map<string, ModelName[]>();
    for (const row of due) {
      const list = byAccount.get(row.id) ?? [];
      list.push(row.model as ModelName);
      byAccount.set(row.id, list);
    }
    for (const [id, models] of byAccount) {
      const ordered = MODEL_NAMES.filter((m) => models.includes(m));
      await this.request({ linkedAccountId: id, models: ordered, reason: 'schedule' });
    }
  }
}
