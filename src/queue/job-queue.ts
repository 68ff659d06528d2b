/**
 * Background jobs (syncs, outgoing webhook deliveries, async pass-through). One interface, two
 * implementations: in-process (the default: no Redis needed) and BullMQ when REDIS_URL is set, so
 * several server and `npm run worker` processes share the work. Producers never know which runs.
 */

/** Queues of the product. */
export type QueueName = 'sync' | 'webhook-delivery' | 'async-passthrough' | (string & {});

export interface JobOptions {
  /**
   * Deduplication key: while a job with this id is waiting or delayed, enqueueing the same id again
   * does nothing (e.g. `sync:<account>:<model>`).
   */
  jobId?: string;
  /** Run no earlier than this many milliseconds from now. */
  delayMs?: number;
  /** Total attempts including the first (default 1); failed attempts are retried with backoff. */
  attempts?: number;
  /** Exponential backoff base between attempts (default 1000 ms). */
  backoffMs?: number;
}

export interface JobContext {
  /** 1 for the first attempt. */
  attempt: number;
  jobId?: string;
  /** Aborted when the process shuts down: long jobs should stop at a safe point. */
  signal: AbortSignal;
}

export type JobHandler<T> = (data: T, ctx: JobContext) => Promise<void>;

export interface JobQueue {
  readonly kind: 'in-process' | 'bullmq';
  /** Adds a job (JSON-serializable data). Resolves once the job is durably queued (BullMQ) or accepted. */
  enqueue<T>(queue: QueueName, data: T, options?: JobOptions): Promise<void>;
  /**
   * Registers the handler of a queue in this process. Server processes and worker processes both
   * call it; a process that should not consume (e.g. API-only) simply does not.
   */
  process<T>(queue: QueueName, handler: JobHandler<T>, options?: { concurrency?: number }): void;
  /** Stops taking jobs, aborts running ones' signals, waits for them (bounded), closes connections. */
  close(): Promise<void>;
}

/** Nest injection token of the JobQueue. */
export const JOB_QUEUE = Symbol('JOB_QUEUE');
