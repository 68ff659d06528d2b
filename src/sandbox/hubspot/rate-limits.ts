import type { FastifyReply } from 'fastify';
import { RateBudget, type RateBudgetConfig } from '../common/rate-budget';
import { rateLimitBody, type RatePolicy } from './errors';

/**
 * HubSpot's request budgets and X-HubSpot-RateLimit-* headers. All off (limit Infinity) unless
 * settings.rateLimits is true or a budget is configured through the control API.
 *
 * - tenSecondly: per 10 s (OAuth apps: 110), policy TEN_SECONDLY_ROLLING, headers -Max / -Remaining / -Interval-Milliseconds;
 * - secondly: per second, policy SECONDLY, headers -Secondly / -Secondly-Remaining;
 * - daily: per day (private apps; OAuth apps have none), policy DAILY, headers -Daily / -Daily-Remaining;
 * - search: the search endpoints' own per-second limit (5/s), policy SECONDLY, no headers (like HubSpot).
 */

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
  readonly budgets: Record<BudgetName, RateBudget>;

  constructor(realistic: boolean) {
    const src = realistic ? REALISTIC : OFF;
    this.budgets = {
      tenSecondly: new RateBudget(src.tenSecondly),
      secondly: new RateBudget(src.secondly),
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
