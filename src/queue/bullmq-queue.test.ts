import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutRedis, TEST_REDIS_URL as REDIS_URL } from '../../test/support/redis';
import { BullMqJobQueue } from './bullmq-queue';

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('BullMqJobQueue (Redis)', () => {
  skipWithoutRedis();
  const prefix = `sbtest-${randomUUID().slice(0, 8)}`;
  const opened: BullMqJobQueue[] = [];
  const open = () => {
    const q = new BullMqJobQueue({ redisUrl: REDIS_URL, prefix, closeTimeoutMs: 5000 });
    opened.push(q);
    return q;
  };
  let admin: IORedis;
  beforeAll(() => {
    admin = new IORedis(REDIS_URL);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((q) => q.close()));
  });
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length) await admin.del(...keys);
    await admin.quit();
  });

  it('shares a queue between two processes and runs each job once', async () => {
    const producer = open();
    const a = open();
    const b = open();
    const ran: string[] = [];
    const handler = (who: string) => async (data: { n: number }) => {
      ran.push(`${who}:${data.n}`);
      await new Promise((r) => setTimeout(r, 5));
    };
    a.process('share', handler('a'), { concurrency: 2 });
    b.process('share', handler('b'), { concurrency: 2 });
    for (let n = 0; n < 30; n++) await producer.enqueue('share', { n });
    await until(() => ran.length >= 30, '30 jobs');
    await new Promise((r) => setTimeout(r, 200));
    const numbers = ran.map((r) => Number(r.split(':')[1])).sort((x, y) => x - y);
    expect(numbers).toEqual([...Array(30).keys()]);
  });

  it('coalesces a waiting job with the same jobId (ids may contain colons) and accepts it again once started', async () => {
    const q = open();
    await q.enqueue('dedupe', { v: 'a' }, { jobId: 'sync:acc-1', delayMs: 300 });
    await q.enqueue('dedupe', { v: 'b' }, { jobId: 'sync:acc-1' });
    await q.enqueue('dedupe', { v: 'c' }, { jobId: 'sync:acc-2' });
    const counts = await q.counts('dedupe');
    expect(counts.delayed + counts.waiting).toBe(2);
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    q.process<{ v: string }>('dedupe', async (data) => {
      seen.push(data.v);
      if (data.v === 'a') await gate;
    });
    await until(() => seen.includes('a'), 'delayed job a');
    // a is running: the same id queues one more run.
    await q.enqueue('dedupe', { v: 'd' }, { jobId: 'sync:acc-1' });
    release();
    await until(() => seen.length === 3, 'three runs');
    expect(seen.sort()).toEqual(['a', 'c', 'd']);
  });

  it('retries with backoff and reports the attempt number', async () => {
    const q = open();
    const attempts: number[] = [];
    q.process('retry', async (_data, ctx) => {
      attempts.push(ctx.attempt);
      if (ctx.attempt < 3) throw new Error('transient');
    });
    await q.enqueue('retry', {}, { attempts: 4, backoffMs: 10 });
    await until(() => attempts.length === 3, 'three attempts');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('aborts the running job signal on close', async () => {
    const q = open();
    let aborted = false;
    let started = false;
    q.process('abort', async (_data, ctx) => {
      started = true;
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      aborted = true;
    });
    await q.enqueue('abort', {});
    await until(() => started, 'job start');
    await q.close();
    expect(aborted).toBe(true);
  });
});
