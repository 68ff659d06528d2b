import type { FastifyReply } from 'fastify';
import { RateBudget, type RateBudgetConfig, type RateBudgetState } from '../common/rate-budget';
import { rateLimitBody, type RatePolicy } from './errors';

/**
 * HubSpot's request budgets and X-HubSpot-RateLimit-* headers. All off (limit Infinity) unless
 * settings.rateLimits is true or a budget is configured through the control API.
 *
 * - tenSecondly: per rolling 10 s (OAuth apps: 110), policy TEN_SECONDLY_ROLLING, headers -Max / -Remaining / -Interval-Milliseconds;
 * - secondly: per rolling second, policy SECONDLY, headers -Secondly / -Secondly-Remaining;
 * - daily: per day (private apps; OAuth apps have none), policy DAILY, headers -Daily / -Daily-Remaining;
 * - search: the search endpoints' own per-second limit (5/s), policy SECONDLY, no headers (like HubSpot).
 */

/**
 * A rolling window, as HubSpot names its policy (TEN_SECONDLY_ROLLING): a request is allowed while
 * fewer than `limit` allowed requests arrived in the last `windowMs`, so a burst at the end of one
 * window cannot be followed by another at the start of the next (a fixed window allows twice the
 * limit across its boundary). `remaining` is the limit minus the requests of the last window.
 */
export class RollingBudget {
  /** Arrival times of the allowed requests still inside the window, oldest first. */
  private arrivals: number[] = [];

  constructor(
    private config: RateBudgetConfig,
    private readonly now: () => number = Date.now,
  ) {}

  get settings(): RateBudgetConfig {
    return this.config;
  }

  configure(config: RateBudgetConfig): void {
    this.config = config;
    this.arrivals = [];
  }

  get enabled(): boolean {
    return Number.isFinite(this.config.limit);
  }

  consume(cost = 1): RateBudgetState {
    const now = this.now();
    this.expire(now);
    const allowed = this.arrivals.length + cost <= this.config.limit;
    if (allowed) for (let i = 0; i < cost; i++) this.arrivals.push(now);
    return this.stateAt(now, allowed);
  }

  peek(): RateBudgetState {
    const now = this.now();
    this.expire(now);
    return this.stateAt(now, this.arrivals.length < this.config.limit);
  }

  private expire(now: number): void {
    let n = 0;
    while (n < this.arrivals.length && this.arrivals[n] <= now - this.config.windowMs) n++;
    if (n) this.arrivals.splice(0, n);
  }

  private stateAt(now: number, allowed: boolean): RateBudgetState {
    const used = this.arrivals.length;
    return {
      allowed,
      limit: this.config.limit,
      used,
      remaining: Math.max(0, this.config.limit - used),
      resetInMs: used ? Math.max(0, this.arrivals[0] + this.config.windowMs - now) : 0,
    };
  }
}

export type BudgetName = 'tenSecondly' | 'secondly' | 'daily' | 'search';

export const REALISTIC: Record<BudgetName, RateBudgetConfig> = {
  tenSecondly: { limit: 110, windowMs: 10_000 },
  secondly: { limit: Infinity, windowMs: 1_000 },
  daily: { limit: Infinity, windowMs: 86_400_000 },
  search: { limit: 5, windowMs: 1_000 },
};

const OFF: Record<BudgetName, RateBudgetConfig> = {
  tenSecondly: { limit: Infinity, windowMs: 10_000 },
  secondly: { limit: Infinity, windowMs: 1_000 },
  daily: { limit: Infinity, windowMs: 86_400_000 },
  search: { limit: Infinity, windowMs: 1_000 },
};

export class HubspotRateLimits {
  readonly budgets: Record<BudgetName, RateBudget | RollingBudget>;

  constructor(realistic: boolean) {
    const src = realistic ? REALISTIC : OFF;
    this.budgets = {
      tenSecondly: new RollingBudget(src.tenSecondly),
      secondly: new RollingBudget(src.secondly),
      daily: new RateBudget(src.daily),
      search: new RateBudget(src.search),
    };
  }

  get anyEnabled(): boolean {
    return Object.values(this.budgets).some((b) => b.enabled);
  }

  /**
   * Counts one API request; sets the headers and answers 429 when a budget is exhausted.
   * Returns true when the request was answered here.
   */
  apply(reply: FastifyReply, isSearch: boolean): boolean {
    if (!this.anyEnabled) return false;
    const b = this.budgets;
    let denied: RatePolicy | null = null;
    if (b.daily.enabled) {
      const s = b.daily.consume();
      reply.header('X-HubSpot-RateLimit-Daily', String(s.limit));
      reply.header('X-HubSpot-RateLimit-Daily-Remaining', String(s.remaining));
      if (!s.allowed) denied = 'DAILY';
    }
    if (b.tenSecondly.enabled) {
      const s = denied ? b.tenSecondly.peek() : b.tenSecondly.consume();
      reply.header('X-HubSpot-RateLimit-Interval-Milliseconds', String(b.tenSecondly.settings.windowMs));
      reply.header('X-HubSpot-RateLimit-Max', String(s.limit));
      reply.header('X-HubSpot-RateLimit-Remaining', String(s.remaining));
      if (!denied && !s.allowed) denied = 'TEN_SECONDLY_ROLLING';
    }
    if (b.secondly.enabled) {
      const s = denied ? b.secondly.peek() : b.secondly.consume();
      reply.header('X-HubSpot-RateLimit-Secondly', String(s.limit));
      reply.header('X-HubSpot-RateLimit-Secondly-Remaining', String(s.remaining));
      if (!denied && !s.allowed) denied = 'SECONDLY';
    }
    if (!denied && isSearch && b.search.enabled && !b.search.consume().allowed) denied = 'SECONDLY';
    if (!denied) return false;
    reply.code(429).type('application/json;charset=utf-8').send(rateLimitBody(denied));
    return true;
  }
}
