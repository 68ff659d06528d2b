/**
 * A fixed-window request budget, the way vendors count: HubSpot per 10 seconds and per day,
 * Salesforce per rolling day, Zoho credits per day. `limit: Infinity` (the default) means off.
 */
export interface RateBudgetConfig {
  limit: number;
  windowMs: number;
}

export interface RateBudgetState {
  allowed: boolean;
  limit: number;
  used: number;
  remaining: number;
  /** ms until the current window ends. */
  resetInMs: number;
}

export class RateBudget {
  private windowStart = Date.now();
  private used = 0;

  constructor(private config: RateBudgetConfig) {}

  get settings(): RateBudgetConfig {
    return this.config;
  }

  configure(config: RateBudgetConfig): void {
    this.config = config;
    this.used = 0;
    this.windowStart = Date.now();
  }

  get enabled(): boolean {
    return Number.isFinite(this.config.limit);
  }

  /** Counts one request (if allowed) and returns the state after it. */
  consume(cost = 1): RateBudgetState {
    const now = Date.now();
    if (now - this.windowStart >= this.config.windowMs) {
      this.windowStart = now - ((now - this.windowStart) % this.config.windowMs);
      this.used = 0;
    }
    const allowed = this.used + cost <= this.config.limit;
    if (allowed) this.used += cost;
    return this.peekAt(now, allowed);
  }

  peek(): RateBudgetState {
    return this.peekAt(Date.now(), this.used < this.config.limit);
  }

  private peekAt(now: number, allowed: boolean): RateBudgetState {
    return {
      allowed,
      limit: this.config.limit,
      used: this.used,
      remaining: Math.max(0, this.config.limit - this.used),
      resetInMs: Math.max(0, this.windowStart + this.config.windowMs - now),
    };
  }
}
