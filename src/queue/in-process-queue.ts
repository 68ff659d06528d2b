import { Logger } from '@nestjs/common';
import type { JobContext, JobHandler, JobOptions, JobQueue, QueueName } from './job-queue';

/**
 * The default JobQueue: jobs live in this process's memory (no Redis). Same semantics as the
 * BullMQ queue where producers can observe them: jobId dedupe while a job waits (or is delayed)
 * for its first run, delays, attempts with exponential backoff, per-queue concurrency, and an
 * AbortSignal fired on close. Jobs do not survive a restart: whoever needs that (the sync
 * scheduler) re-derives its work from the database at start.
 */

interface Job {
  queue: QueueName;
  data: unknown;
  jobId?: string;
  attempt: number;
  attempts: number;
  backoffMs: number;
}

interface QueueState {
  handler?: JobHandler<unknown>;
  concurrency: number;
  running: number;
  ready: Job[];
}

export interface InProcessQueueOptions {
  /** Longest close() waits for running jobs after aborting their signals (default 10 s). */
  closeTimeoutMs?: number;
  /** Longest backoff between attempts (default 5 minutes). */
  maxBackoffMs?: number;
}

export class InProcessJobQueue implements JobQueue {
  readonly kind = 'in-process' as const;
  private readonly logger = new Logger('JobQueue');
  private readonly queues = new Map<QueueName, QueueState>();
  /** jobIds of jobs waiting or delayed before their first run, per queue. */
  private readonly pendingIds = new Map<QueueName, Set<string>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private closed = false;
  private readonly closeTimeoutMs: number;
  private readonly maxBackoffMs: number;

  constructor(options: InProcessQueueOptions = {}) {
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 300_000;
  }

  async enqueue<T>(queue: QueueName, data: T, options: JobOptions = {}): Promise<void> {
    if (this.closed) throw new Error('the job queue is closed');
    const attempts = Math.max(1, Math.floor(options.attempts ?? 1));
    const job: Job = { queue, data, jobId: options.jobId, attempt: 1, attempts, backoffMs: Math.max(0, options.backoffMs ?? 1000) };
    if (job.jobId !== undefined) {
      const ids = this.idsOf(queue);
      if (ids.has(job.jobId)) return;
      ids.add(job.jobId);
    }
    this.schedule(job, Math.max(0, options.delayMs ?? 0));
  }

  process<T>(queue: QueueName, handler: JobHandler<T>, options: { concurrency?: number } = {}): void {
    const state = this.stateOf(queue);
    if (state.handler) throw new Error(`queue ${queue} already has a handler in this process`);
    state.handler = handler as JobHandler<unknown>;
    state.concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    this.pump(queue);
  }

  /** Jobs waiting, delayed or running (tests and diagnostics). */
  size(queue: QueueName): { waiting: number; running: number; pendingIds: number } {
    const state = this.queues.get(queue);
    return { waiting: state?.ready.length ?? 0, running: state?.running ?? 0, pendingIds: this.pendingIds.get(queue)?.size ?? 0 };
  }

  /** Resolves when no job of the queue is waiting or running (delayed jobs are not waited for). */
  async idle(queue: QueueName): Promise<void> {
    for (;;) {
      const s = this.queues.get(queue);
      if (!s || (s.ready.length === 0 && s.running === 0)) return;
      await Promise.race([...this.running, new Promise((r) => setTimeout(r, 20))]);
    }
  }

  /** Every caller of close() waits for the same shutdown. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private closing?: Promise<void>;

  private async shutdown(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.queues.values()) s.ready.length = 0;
    this.pendingIds.clear();
    this.abort.abort();
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), this.closeTimeoutMs)));
    const outcome = await Promise.race([Promise.allSettled([...this.running]).then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.logger.warn(`closed with ${this.running.size} job(s) still running after ${this.closeTimeoutMs} ms`);
  }

  private idsOf(queue: QueueName): Set<string> {
    let ids = this.pendingIds.get(queue);
    if (!ids) this.pendingIds.set(queue, (ids = new Set()));
    return ids;
  }

  private stateOf(queue: QueueName): QueueState {
    let state = this.queues.get(queue);
    if (!state) this.queues.set(queue, (state = { concurrency: 1, running: 0, ready: [] }));
    return state;
  }

  private schedule(job: Job, delayMs: number): void {
    if (delayMs <= 0) {
      this.stateOf(job.queue).ready.push(job);
      this.pump(job.queue);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.closed) return;
      this.stateOf(job.queue).ready.push(job);
      this.pump(job.queue);
    }, delayMs);
    // A delayed job alone must not keep a process (a CLI, a test) alive.
    timer.unref();
    this.timers.add(timer);
  }

  private pump(queue: QueueName): void {
    const state = this.stateOf(queue);
    while (!this.closed && state.handler && state.running < state.concurrency && state.ready.length > 0) {
      const job = state.ready.shift()!;
      // From now on the job is running: a new enqueue with its id must queue another run
      // (e.g. a webhook arriving during a sync asks for a sync after it).
      if (job.attempt === 1 && job.jobId !== undefined) this.pendingIds.get(queue)?.delete(job.jobId);
      state.running++;
      const run = this.runJob(state.handler, job).finally(() => {
        state.running--;
        this.running.delete(run);
        this.pump(queue);
      });
      this.running.add(run);
    }
  }

  private async runJob(handler: JobHandler<unknown>, job: Job): Promise<void> {
    const ctx: JobContext = { attempt: job.attempt, jobId: job.jobId, signal: this.abort.signal };
    try {
      await handler(job.data, ctx);
    } catch (err) {
      const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
      if (this.closed) return;
      if (job.attempt < job.attempts) {
        const delay = Math.min(this.maxBackoffMs, job.backoffMs * 2 ** (job.attempt - 1));
        this.logger.warn(`job ${job.jobId ?? '(no id)'} on ${job.queue} failed (attempt ${job.attempt}/${job.attempts}), retrying in ${delay} ms: ${message}`);
        this.schedule({ ...job, attempt: job.attempt + 1 }, delay);
      } else {
        this.logger.error(`job ${job.jobId ?? '(no id)'} on ${job.queue} failed after ${job.attempts} attempt(s): ${message}`);
      }
    }
  }
}
