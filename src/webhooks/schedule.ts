/**
 * Retry schedule of outgoing webhook deliveries: exponential backoff with jitter, capped per step,
 * for 24 hours after the delivery was created; then the delivery is FAILED (and can be replayed).
 */

export const RETRY_WINDOW_MS = 24 * 3600_000;
/** No single wait is longer than this, so a receiver that comes back is served within the hour. */
export const MAX_RETRY_DELAY_MS = 3600_000;

/**
 * Wait before the attempt after `attemptsMade` failed ones: base * 2^(attemptsMade-1), capped, with
 * "equal jitter" (between half and all of it) so receivers recovering from an outage are not hit by
 * every queued delivery at the same instant.
 */
export function retryDelayMs(attemptsMade: number, baseMs: number, random: () => number = Math.random): number {
  const exp = Math.min(baseMs * 2 ** Math.max(0, attemptsMade - 1), MAX_RETRY_DELAY_MS);
  return Math.round(exp / 2 + (random() * exp) / 2);
}

/** When to try next after a failed attempt, or null when the retry window is over (FAILED). */
export function nextAttemptAt(attemptsMade: number, now: Date, retryUntil: Date, baseMs: number, random: () => number = Math.random): Date | null {
  const at = new Date(now.getTime() + retryDelayMs(attemptsMade, baseMs, random));
  return at.getTime() > retryUntil.getTime() ? null : at;
}
