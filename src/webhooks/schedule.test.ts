import { describe, expect, it } from 'vitest';
import { MAX_RETRY_DELAY_MS, nextAttemptAt, RETRY_WINDOW_MS, retryDelayMs } from './schedule';

describe('webhook retry schedule', () => {
  it('doubles from the base, with jitter between half and all of the step, capped at an hour', () => {
    expect(retryDelayMs(1, 30_000, () => 1)).toBe(30_000);
    expect(retryDelayMs(1, 30_000, () => 0)).toBe(15_000);
    expect(retryDelayMs(2, 30_000, () => 1)).toBe(60_000);
    expect(retryDelayMs(5, 30_000, () => 1)).toBe(480_000);
    expect(retryDelayMs(30, 30_000, () => 1)).toBe(MAX_RETRY_DELAY_MS);
    for (let i = 0; i < 100; i++) {
      const d = retryDelayMs(3, 30_000);
      expect(d).toBeGreaterThanOrEqual(60_000);
      expect(d).toBeLessThanOrEqual(120_000);
    }
  });

  it('keeps retrying for 24 hours after creation, then gives up', () => {
    const created = new Date('2026-01-01T00:00:00Z');
    const until = new Date(created.getTime() + RETRY_WINDOW_MS);
    for (const random of [() => 0, () => 0.5, () => 1]) {
      let now = created;
      let attempts = 1; // the first attempt failed at creation
      const times: Date[] = [created];
      for (;;) {
        const next = nextAttemptAt(attempts, now, until, 30_000, random);
        if (!next) break;
        expect(next.getTime()).toBeGreaterThan(now.getTime());
        expect(next.getTime()).toBeLessThanOrEqual(until.getTime());
        times.push(next);
        now = next;
        attempts++;
      }
      // The last attempt is within one (maximal) step of the end of the window: nothing is given up early.
      expect(until.getTime() - now.getTime()).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS);
      expect(times.length).toBeGreaterThan(20);
      expect(times.length).toBeLessThan(60);
    }
  });

  it('a delivery created after its window (a replay of an old one gets a fresh window) never retries past it', () => {
    const now = new Date('2026-01-02T00:00:00Z');
    expect(nextAttemptAt(1, now, new Date(now.getTime() + 10_000), 30_000, () => 1)).toBeNull();
    expect(nextAttemptAt(1, now, new Date(now.getTime() + 40_000), 30_000, () => 1)?.getTime()).toBe(now.getTime() + 30_000);
  });
});
