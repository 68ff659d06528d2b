import IORedis from 'ioredis';
import { beforeAll, beforeEach } from 'vitest';

/** The Redis the Redis-backed tests use: REDIS_URL, else the local default. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function redisReachable(url = TEST_REDIS_URL): Promise<boolean> {
  const client = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Call inside a describe block: every test of it is skipped, with a message naming the URL, when no
 * Redis answers (developer machines); CI has Redis, so there they run.
 */
export function skipWithoutRedis(): void {
  let reachable = false;
  beforeAll(async () => {
    reachable = await redisReachable();
    if (!reachable) console.warn(`SKIPPED: no Redis answers at ${TEST_REDIS_URL} (set REDIS_URL or start Redis to run these tests)`);
  });
  beforeEach((ctx) => {
    if (!reachable) ctx.skip(`no Redis at ${TEST_REDIS_URL}`);
  });
}
