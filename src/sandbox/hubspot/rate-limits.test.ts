import { describe, expect, it } from 'vitest';
import { RollingBudget } from './rate-limits';

describe('HubSpot emulator rolling window (TEN_SECONDLY_ROLLING)', () => {
  it('counts the requests of the last window, not of a fixed window that restarts', () => {
    let now = 0;
    const budget = new RollingBudget({ limit: 3, windowMs: 1_000 }, () => now);
    const at = (t: number) => {
      now = t;
      return budget.consume();
    };
    expect(at(0)).toMatchObject({ allowed: true, remaining: 2 });
    expect(at(900)).toMatchObject({ allowed: true, remaining: 1 });
    expect(at(950)).toMatchObject({ allowed: true, remaining: 0 });
    expect(at(999)).toMatchObject({ allowed: false, remaining: 0, resetInMs: 1 });
    // The request of 0 ms has left the window; those of 900 and 950 ms have not.
    expect(at(1_000)).toMatchObject({ allowed: true, remaining: 0 });
    // A fixed window restarted at 1,000 ms would allow this one (the 4th request within 101 ms).
    expect(at(1_001)).toMatchObject({ allowed: false, remaining: 0, resetInMs: 899 });
    expect(at(1_900)).toMatchObject({ allowed: true, remaining: 0 });
    now = 3_000;
    expect(budget.peek()).toMatchObject({ allowed: true, used: 0, remaining: 3 });
  });
});
