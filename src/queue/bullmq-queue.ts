import { Logger } from '@nestjs/common';
import { type Job, Queue, Worker } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import type { JobHandler, JobOptions, JobQueue, QueueName } from './job-queue';

/**
 * JobQueue on Redis (BullMQ) when REDIS_URL is set: every server and `npm run worker` process that
 * registers a handler takes jobs from the same queues, a job runs in one process at a time, and a
 * process killed mid-job has its job re-run by another once the job's lock expires (BullMQ's
 * stalled-job check).
 *
 * Dedupe uses BullMQ's deduplication id (not the job id, which may not contain ':'). The key is
 * removed when a job starts, so — like the in-process queue — it only coalesces jobs still waiting
 * or delayed; a request arriving while the job runs queues one more run.
 */

export interface BullMqQueueOptions {
  redisUrl: string;
  /** Redis key prefix of every queue (tests isolate themselves with a unique one). */
  prefix: string;
  /** Longest close() waits for running jobs after aborting their signals (default 10 s). */
  closeTimeoutMs?: number;
}

export class BullMqJobQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  private readonly logger = new Logger('JobQueue');
  private readonly connection: Redis;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers = new Map<QueueName, Worker>();
  private readonly abort = new AbortController();
  /** Set when close() starts: no new handlers. Enqueueing still works until the workers stopped,
   * so a job interrupted by the shutdown can hand its remaining work to another process. */
  private stopping = false;
  private closed = false;
  private readonly closeTimeoutMs: number;

  constructor(private readonly options: BullMqQueueOptions) {
    // BullMQ needs maxRetriesPerRequest null on connections used by blocking commands (workers).
    this.connection = new IORedis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
    this.connection.on('error', (err: Error) => this.logger.warn(`redis: ${err.message}`));
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
  }

  async enqueue<T>(queue: QueueName, data: T, options: JobOptions = {}): Promise<void> {
    if (this.closed) throw new Error('the job queue is closed');
    const attempts = Math.max(1, Math.floor(options.attempts ?? 1));
    await this.queueOf(queue).add(queue, data, {
      delay: Math.max(0, options.delayMs ?? 0),
      attempts,
      backoff: { type: 'exponential', delay: Math.max(0, options.backoffMs ?? 1000) },
      deduplication: options.jobId !== undefined ? { id: options.jobId } : undefined,
      removeOnComplete: true,
      removeOnFail: { count: 1000 },
    });
  }

  process<T>(queue: QueueName, handler: JobHandler<T>, options: { concurrency?: number } = {}): void {
    if (this.stopping) throw new Error('the job queue is closed');
    if (this.workers.has(queue)) throw new Error(`queue ${queue} already has a handler in this process`);
    const worker = new Worker(
      queue,
      async (job: Job) => {
        const dedupeId = job.opts.deduplication?.id;
        if (dedupeId !== undefined && job.attemptsMade === 0) await job.removeDeduplicationKey();
        await handler(job.data as T, { attempt: job.attemptsMade + 1, jobId: dedupeId, signal: this.abort.signal });
      },
      {
        // BullMQ duplicates this connection for its blocking reads and closes what it created.
        connection: this.connection,
        prefix: this.options.prefix,
        concurrency: Math.max(1, Math.floor(options.concurrency ?? 1)),
      },
    );
    worker.on('failed', (job, err) => {
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1);
      const message = err.message.split('\n')[0];
      if (final) this.logger.error(`job ${job.opts.deduplication?.id ?? job.id} on ${queue} failed after ${job.attemptsMade} attempt(s): ${message}`);
      else this.logger.warn(`job ${job.opts.deduplication?.id ?? job.id} on ${queue} failed (attempt ${job.attemptsMade}), will retry: ${message}`);
    });
    worker.on('error', (err) => this.logger.warn(`worker ${queue}: ${err.message}`));
    this.workers.set(queue, worker);
  }

  /** Counts of the queue's jobs in Redis (tests and diagnostics). */
  async counts(queue: QueueName): Promise<Record<string, number>> {
    return this.queueOf(queue).getJobCounts('waiting', 'delayed', 'active', 'failed', 'prioritized');
  }

  /** Every caller of close() waits for the same shutdown. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private closing?: Promise<void>;

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), this.closeTimeoutMs)));
    const graceful = Promise.allSettled([...this.workers.values()].map((w) => w.close())).then(() => 'done' as const);
    if ((await Promise.race([graceful, timeout])) === 'timeout') {
      this.logger.warn(`workers still busy after ${this.closeTimeoutMs} ms; closing anyway (their jobs will be re-run)`);
      await Promise.allSettled([...this.workers.values()].map((w) => w.close(true)));
    }
    clearTimeout(timer);
    this.closed = true;
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    await this.connection.quit().catch(() => this.connection.disconnect());
  }

  private queueOf(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.options.prefix });
      this.queues.set(name, q);
    }
    return q;
  }
}
