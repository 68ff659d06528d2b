import { afterEach, describe, expect, it } from 'vitest';
import { InProcessJobQueue } from './in-process-queue';

/** Resolves when `predicate` holds, polling (no timing assertions: only eventual outcomes). */
async function until(predicate: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('InProcessJobQueue', () => {
  let queue: InProcessJobQueue;
  afterEach(async () => {
    await queue?.close();
  });

  it('runs jobs enqueued before the handler registers, in order', async () => {
    queue = new InProcessJobQueue();
    await queue.enqueue('q', { n: 1 });
    await queue.enqueue('q', { n: 2 });
    const seen: number[] = [];
    queue.process<{ n: number }>('q', async (data) => {
      seen.push(data.n);
    });
    await queue.idle('q');
    expect(seen).toEqual([1, 2]);
  });

  it('coalesces jobs with the same jobId while waiting, but queues another run once it started', async () => {
    queue = new InProcessJobQueue();
    const gate = deferred();
    const seen: string[] = [];
    let started = 0;
    queue.process<{ v: string }>('q', async (data) => {
      started++;
      seen.push(data.v);
      if (started === 1) await gate.promise;
    });
    await queue.enqueue('q', { v: 'a' }, { jobId: 'sync:1' });
    await until(() => started === 1, 'first job to start');
    // The first run is active: this one must wait behind it, and the next two coalesce into it.
    await queue.enqueue('q', { v: 'b' }, { jobId: 'sync:1' });
    await queue.enqueue('q', { v: 'c' }, { jobId: 'sync:1' });
    await queue.enqueue('q', { v: 'other' }, { jobId: 'sync:2' });
    expect(queue.size('q').pendingIds).toBe(2);
    gate.resolve();
    await queue.idle('q');
    expect(seen).toEqual(['a', 'b', 'other']);
  });

  it('dedupes a delayed job and runs it after its delay', async () => {
    queue = new InProcessJobQueue();
    const seen: string[] = [];
    queue.process<{ v: string }>('q', async (data) => {
      seen.push(data.v);
    });
    await queue.enqueue('q', { v: 'later' }, { jobId: 'x', delayMs: 50 });
    await queue.enqueue('q', { v: 'dup' }, { jobId: 'x' });
    expect(seen).toEqual([]);
    await until(() => seen.length === 1, 'delayed job');
    expect(seen).toEqual(['later']);
  });

  it('retries failed attempts with exponential backoff and gives up after the last one', async () => {
    queue = new InProcessJobQueue();
    const attempts: number[] = [];
    queue.process('q', async (_data, ctx) => {
      attempts.push(ctx.attempt);
      throw new Error('boom');
    });
    await queue.enqueue('q', {}, { attempts: 3, backoffMs: 5 });
    await until(() => attempts.length === 3, 'three attempts');
    await new Promise((r) => setTimeout(r, 100));
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('succeeds on a later attempt', async () => {
    queue = new InProcessJobQueue();
    let calls = 0;
    let done = false;
    queue.process('q', async () => {
      if (++calls < 2) throw new Error('transient');
      done = true;
    });
    await queue.enqueue('q', {}, { attempts: 5, backoffMs: 1 });
    await until(() => done, 'success');
    expect(calls).toBe(2);
  });

  it('never runs more jobs of a queue at once than its concurrency', async () => {
    queue = new InProcessJobQueue();
    let active = 0;
    let peak = 0;
    let finished = 0;
    queue.process(
      'q',
      async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
        finished++;
      },
      { concurrency: 3 },
    );
    for (let i = 0; i < 20; i++) await queue.enqueue('q', { i });
    await until(() => finished === 20, 'all jobs');
    expect(peak).toBe(3);
  });

  it('keeps queues independent', async () => {
    queue = new InProcessJobQueue();
    const gate = deferred();
    let bDone = false;
    queue.process('a', async () => gate.promise);
    queue.process('b', async () => {
      bDone = true;
    });
    await queue.enqueue('a', {});
    await queue.enqueue('b', {});
    await until(() => bDone, 'queue b despite a blocked');
    gate.resolve();
  });

  it('aborts running jobs on close, waits for them, and drops delayed ones', async () => {
    queue = new InProcessJobQueue();
    let aborted = false;
    let finished = false;
    let delayedRan = false;
    queue.process<{ kind: string }>('q', async (data, ctx) => {
      if (data.kind === 'delayed') {
        delayedRan = true;
        return;
      }
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      aborted = ctx.signal.aborted;
      finished = true;
    });
    await queue.enqueue('q', { kind: 'long' });
    await queue.enqueue('q', { kind: 'delayed' }, { delayMs: 60_000 });
    await until(() => queue.size('q').running === 1, 'long job to start');
    await queue.close();
    expect(aborted).toBe(true);
    expect(finished).toBe(true);
    expect(delayedRan).toBe(false);
    await expect(queue.enqueue('q', {})).rejects.toThrow(/closed/);
  });

  it('bounds close() when a job ignores its abort signal', async () => {
    queue = new InProcessJobQueue({ closeTimeoutMs: 50 });
    const never = deferred();
    queue.process('q', async () => never.promise);
    await queue.enqueue('q', {});
    await until(() => queue.size('q').running === 1, 'job to start');
    await queue.close();
    // close() returned although the job is still running.
    expect(queue.size('q').running).toBe(1);
    never.resolve();
  });

  it('a second close() waits for the same shutdown', async () => {
    queue = new InProcessJobQueue();
    let finished = false;
    queue.process('q', async (_d, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => setTimeout(resolve, 20), { once: true }));
      finished = true;
    });
    await queue.enqueue('q', {});
    await until(() => queue.size('q').running === 1, 'job to start');
    void queue.close();
    await queue.close();
    expect(finished).toBe(true);
  });

  it('refuses a second handler for the same queue', () => {
    queue = new InProcessJobQueue();
    queue.process('q', async () => undefined);
    expect(() => queue.process('q', async () => undefined)).toThrow(/already has a handler/);
  });
});
