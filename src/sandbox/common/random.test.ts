import { describe, expect, it } from 'vitest';
import { hash32, rngFor } from './random';

describe('random', () => {
  it('is deterministic per (seed, stream, index)', () => {
    expect(hash32(1, 2, 3)).toBe(hash32(1, 2, 3));
    expect(hash32(1, 2, 3)).not.toBe(hash32(1, 2, 4));
    const a = rngFor(7, 1, 42);
    const b = rngFor(7, 1, 42);
    expect([a.next(), a.next(), a.int(10)]).toEqual([b.next(), b.next(), b.int(10)]);
  });
  it('spreads values over the range', () => {
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) buckets[rngFor(1, 0, i).int(10)]++;
    for (const n of buckets) expect(n).toBeGreaterThan(800);
  });
});
