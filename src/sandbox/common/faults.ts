import type { FastifyReply, FastifyRequest } from 'fastify';
import { Rng } from './random';

/**
 * Runtime fault injection for an emulator's API routes, off by default. Tests and benchmarks set
 * it through the control API (see control.ts) to prove that clients survive a flaky vendor.
 */

export type InjectedStatus = 429 | 500 | 502 | 503;
export const INJECTABLE_STATUSES: readonly InjectedStatus[] = [429, 500, 502, 503];

export interface FaultConfig {
  /** Probability (0..1) per request of answering with that status, vendor-styled. */
  errorRates: Partial<Record<InjectedStatus, number>>;
  /** Added latency per request, in ms. */
  latencyMs: number;
  /** Probability (0..1) of destroying the connection without an answer. */
  dropRate: number;
  /**
   * Seed of the rolls (optional): the same seed injects the same faults at the same request numbers
   * (in arrival order), so a test can rely on faults happening. Without it, Math.random.
   */
  seed?: number;
}

export const NO_FAULTS: FaultConfig = { errorRates: {}, latencyMs: 0, dropRate: 0 };

/** How a vendor renders an injected error (body and headers exactly as the vendor would). */
export type VendorErrorRenderer = (status: InjectedStatus, reply: FastifyReply) => unknown;

export function validateFaultConfig(input: unknown): FaultConfig {
  const src = (input ?? {}) as Record<string, unknown>;
  const rates: Partial<Record<InjectedStatus, number>> = {};
  const rawRates = (src.errorRates ?? {}) as Record<string, unknown>;
  if (typeof rawRates !== 'object' || Array.isArray(rawRates)) throw new Error('errorRates must be an object');
  for (const [k, v] of Object.entries(rawRates)) {
    const status = Number(k) as InjectedStatus;
    if (!INJECTABLE_STATUSES.includes(status)) throw new Error(`errorRates: unsupported status ${k} (use ${INJECTABLE_STATUSES.join(', ')})`);
    if (typeof v !== 'number' || v < 0 || v > 1) throw new Error(`errorRates.${k} must be a number between 0 and 1`);
    rates[status] = v;
  }
  const latencyMs = src.latencyMs ?? 0;
  const dropRate = src.dropRate ?? 0;
  if (typeof latencyMs !== 'number' || latencyMs < 0 || latencyMs > 120_000) throw new Error('latencyMs must be a number between 0 and 120000');
  if (typeof dropRate !== 'number' || dropRate < 0 || dropRate > 1) throw new Error('dropRate must be a number between 0 and 1');
  if (src.seed !== undefined && !Number.isInteger(src.seed)) throw new Error('seed must be an integer');
  return { errorRates: rates, latencyMs, dropRate, ...(src.seed !== undefined ? { seed: src.seed as number } : {}) };
}

export class FaultInjector {
  private config: FaultConfig = NO_FAULTS;
  /** Counts of faults actually injected, for test assertions. */
  readonly injected = { errors: 0, drops: 0 };
  private roll: () => number;

  constructor(private readonly random: () => number = Math.random) {
    this.roll = random;
  }

  get current(): FaultConfig {
    return this.config;
  }

  set(config: FaultConfig): void {
    this.config = config;
    if (config.seed === undefined) this.roll = this.random;
    else {
      const rng = new Rng(config.seed);
      this.roll = () => rng.next();
    }
  }

  reset(): void {
    this.config = NO_FAULTS;
    this.injected.errors = 0;
    this.injected.drops = 0;
  }

  get active(): boolean {
    const c = this.config;
    return c.latencyMs > 0 || c.dropRate > 0 || Object.values(c.errorRates).some((r) => (r ?? 0) > 0);
  }

  /**
   * Applies the configured faults to one request. Returns true when the request was answered (or
   * dropped) here and the route must not run.
   */
  async apply(request: FastifyRequest, reply: FastifyReply, render: VendorErrorRenderer): Promise<boolean> {
    if (!this.active) return false;
    const c = this.config;
    if (c.latencyMs > 0) await new Promise((r) => setTimeout(r, c.latencyMs));
    if (c.dropRate > 0 && this.roll() < c.dropRate) {
      this.injected.drops++;
      request.raw.socket.destroy();
      reply.hijack();
      return true;
    }
    let roll = this.roll();
    for (const status of INJECTABLE_STATUSES) {
      const rate = c.errorRates[status] ?? 0;
      if (rate <= 0) continue;
      if (roll < rate) {
        this.injected.errors++;
        await render(status, reply);
        return true;
      }
      roll -= rate;
    }
    return false;
  }
}
