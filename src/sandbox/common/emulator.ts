import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { FaultInjector, validateFaultConfig } from './faults';
import type { IssuedTokens, OAuthTokenStore, TokenGrant } from './oauth-tokens';
import type { RateBudgetConfig } from './rate-budget';
import { WebhookSender } from './webhook-sender';
import type { SandboxVendor } from '../registry';

export type { SandboxVendor };

/**
 * What every vendor emulator is: a Fastify plugin that serves the vendor's OAuth, REST API and a
 * control API, mountable under a prefix inside the Switchboard server or standalone on a port.
 */

export interface EmulatorSettings {
  /** Seed of the deterministic dataset. */
  seed: number;
  /** How many contacts to generate (other objects are derived from it). */
  contacts: number;
  /** Access-token lifetime in seconds (vendor default when unset). */
  accessTokenTtlSeconds?: number;
  /** Where vendor notifications (webhooks, outbound messages) are POSTed; none when unset. */
  webhookUrl?: string;
  /** Enforce the vendor's realistic rate limits (off by default so benchmarks measure code). */
  rateLimits?: boolean;
  /** Shared secret for webhook signatures (HubSpot client secret, Zoho channel token, ...). */
  webhookSecret?: string;
}

export const DEFAULT_EMULATOR_SETTINGS: EmulatorSettings = { seed: 1, contacts: 200 };

export interface SandboxEmulator {
  readonly vendor: SandboxVendor;
  readonly runtime: EmulatorRuntime;
  /** The vendor's object name of contacts as POST /__sandbox/mutate takes it (e.g. `contacts`). */
  readonly contactObject: string;
  /** Registers every route relative to where it is mounted. */
  readonly plugin: FastifyPluginAsync;
}

/** The state shared by every emulator: faults, tokens, webhooks, budgets, dataset settings. */
export abstract class EmulatorRuntime {
  readonly faults = new FaultInjector();
  readonly webhooks = new WebhookSender();
  abstract readonly tokens: OAuthTokenStore;
  settings: EmulatorSettings;
  /** Requests answered by the API (not OAuth or control), for tests and benchmarks. */
  apiRequests = 0;

  constructor(settings: Partial<EmulatorSettings>) {
    this.settings = { ...DEFAULT_EMULATOR_SETTINGS, ...settings };
  }

  /** Rebuilds the dataset from settings (called at start and on reset). */
  abstract reseed(): void;
  /** Record counts per vendor object, for the control API and tests. */
  abstract counts(): Record<string, number>;
  /** Vendor rate-limit budgets by name, to show and configure through the control API. */
  abstract budgets(): Record<string, { configure(c: RateBudgetConfig): void; settings: RateBudgetConfig }>;
  /** The vendor's token response for a directly issued grant (tests skip the browser flow). */
  abstract renderTokenResponse(tokens: IssuedTokens, baseUrl: string): Record<string, unknown>;
  /** The default grant used when the control API issues tokens directly. */
  abstract defaultGrant(): TokenGrant;
}

function baseUrlOf(request: { protocol: string; headers: { host?: string } }, prefix: string): string {
  return `${request.protocol}://${request.headers.host ?? '127.0.0.1'}${prefix}`;
}

/**
 * Control API, mounted at <emulator base>/__sandbox. Off the vendor's own paths, so no SDK
 * can hit it by accident.
 */
export function registerControlRoutes(app: FastifyInstance, runtime: EmulatorRuntime, vendor: SandboxVendor): void {
  const prefix = () => app.prefix ?? '';
  app.get('/__sandbox', async () => ({
    vendor,
    settings: { ...runtime.settings, webhookSecret: runtime.settings.webhookSecret ? '(set)' : undefined },
    faults: runtime.faults.current,
    injected: runtime.faults.injected,
    accessTokenTtlSeconds: runtime.tokens.options.accessTtlSeconds,
    tokenStats: runtime.tokens.stats,
    apiRequests: runtime.apiRequests,
    budgets: Object.fromEntries(Object.entries(runtime.budgets()).map(([k, b]) => [k, b.settings])),
    counts: runtime.counts(),
    webhookDeliveries: runtime.webhooks.deliveries.length,
  }));
  app.put('/__sandbox/faults', async (request, reply) => {
    try {
      runtime.faults.set(validateFaultConfig(request.body));
      return runtime.faults.current;
    } catch (err) {
      return reply.code(400).send({ error: (err as Error).message });
    }
  });
  app.delete('/__sandbox/faults', async (_request, reply) => {
    runtime.faults.reset();
    return reply.code(204).send();
  });
  app.post('/__sandbox/tokens/expire', async () => ({ expired: runtime.tokens.expireAllAccessTokens() }));
  app.post('/__sandbox/tokens', async (request) => {
    const body = (request.body ?? {}) as Partial<TokenGrant>;
    const grant = { ...runtime.defaultGrant(), ...body };
    return runtime.renderTokenResponse(runtime.tokens.issueDirect(grant), baseUrlOf(request, prefix()));
  });
  app.put('/__sandbox/settings', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (body.accessTokenTtlSeconds !== undefined) {
      const ttl = body.accessTokenTtlSeconds;
      if (typeof ttl !== 'number' || ttl < 1) return reply.code(400).send({ error: 'accessTokenTtlSeconds must be a positive number' });
      runtime.tokens.setAccessTtl(ttl);
      runtime.settings.accessTokenTtlSeconds = ttl;
    }
    if (body.webhookUrl !== undefined) {
      if (body.webhookUrl !== null && typeof body.webhookUrl !== 'string') return reply.code(400).send({ error: 'webhookUrl must be a string or null' });
      runtime.settings.webhookUrl = (body.webhookUrl as string | null) ?? undefined;
    }
    if (body.webhookSecret !== undefined) {
      if (typeof body.webhookSecret !== 'string') return reply.code(400).send({ error: 'webhookSecret must be a string' });
      runtime.settings.webhookSecret = body.webhookSecret;
    }
    if (body.budgets !== undefined) {
      const budgets = runtime.budgets();
      for (const [name, cfg] of Object.entries(body.budgets as Record<string, { limit?: number | null; windowMs?: number }>)) {
        const budget = budgets[name];
        if (!budget) return reply.code(400).send({ error: `budgets.${name}: unknown budget (known: ${Object.keys(budgets).join(', ')})` });
        const limit = cfg.limit === null || cfg.limit === undefined ? Infinity : cfg.limit;
        if (typeof limit !== 'number' || limit < 0) return reply.code(400).send({ error: `budgets.${name}.limit must be a number >= 0 or null` });
        budget.configure({ limit, windowMs: cfg.windowMs ?? budget.settings.windowMs });
      }
    }
    return { ok: true };
  });
  app.post('/__sandbox/reset', async (request, reply) => {
    const body = (request.body ?? {}) as Partial<EmulatorSettings>;
    if (body.contacts !== undefined && (!Number.isInteger(body.contacts) || body.contacts < 0 || body.contacts > 1_000_000)) {
      return reply.code(400).send({ error: 'contacts must be an integer between 0 and 1000000' });
    }
    if (body.seed !== undefined && !Number.isInteger(body.seed)) return reply.code(400).send({ error: 'seed must be an integer' });
    runtime.settings = { ...runtime.settings, ...body };
    runtime.faults.reset();
    runtime.reseed();
    return { counts: runtime.counts() };
  });
}
