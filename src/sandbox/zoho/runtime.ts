import { EmulatorRuntime, type EmulatorSettings } from '../common/emulator';
import { OAuthTokenStore, type IssuedTokens, type TokenGrant } from '../common/oauth-tokens';
import { RateBudget, type RateBudgetConfig } from '../common/rate-budget';
import { randomBytes } from 'node:crypto';
import { Tenant, TENANTS, tenantInfo } from './tenant';
import type { WatchChannel } from './notifications';

export const DEFAULT_SCOPE = 'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.users.READ,ZohoCRM.org.READ,ZohoCRM.coql.READ,ZohoCRM.notifications.ALL';
const DAY_MS = 86_400_000;

/** Realistic budgets (settings.rateLimits=true): Enterprise, ~50 licences; concurrency per app+org. */
export const REALISTIC_BUDGETS = { credits: { limit: 100_000, windowMs: DAY_MS }, concurrency: { limit: 20, windowMs: 60_000 } };

/** A budget whose state is kept per tenant (Zoho counts credits and concurrency per org). */
export class PerTenantBudget {
  private readonly byTenant = new Map<string, RateBudget>();
  constructor(public settings: RateBudgetConfig) {}
  configure(c: RateBudgetConfig): void {
    this.settings = c;
    for (const b of this.byTenant.values()) b.configure(c);
  }
  get enabled(): boolean {
    return Number.isFinite(this.settings.limit);
  }
  for(tenant: string): RateBudget {
    let b = this.byTenant.get(tenant);
    if (!b) {
      b = new RateBudget(this.settings);
      this.byTenant.set(tenant, b);
    }
    return b;
  }
}

/** Concurrent requests in flight per tenant, capped by `limit` (windowMs unused). */
export class ConcurrencyLimit {
  private readonly inFlight = new Map<string, number>();
  constructor(public settings: RateBudgetConfig) {}
  configure(c: RateBudgetConfig): void {
    this.settings = c;
  }
  tryEnter(tenant: string): boolean {
    const n = this.inFlight.get(tenant) ?? 0;
    if (n >= this.settings.limit) return false;
    this.inFlight.set(tenant, n + 1);
    return true;
  }
  leave(tenant: string): void {
    this.inFlight.set(tenant, Math.max(0, (this.inFlight.get(tenant) ?? 1) - 1));
  }
}

function zohoToken(): string {
  return `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
}

export class ZohoRuntime extends EmulatorRuntime {
  readonly tokens: OAuthTokenStore;
  readonly credits: PerTenantBudget;
  readonly concurrency: ConcurrencyLimit;
  /** First client secret seen per client id. */
  readonly clientSecrets = new Map<string, string>();
  /** Watch channels per tenant key. */
  readonly channels = new Map<string, Map<string, WatchChannel>>();
  /** Base URL the emulator was last reached at (for notification resource_uri). */
  lastBaseUrl = 'http://127.0.0.1';
  mutations = 0;
  /** Requests answered 429 by the credit or concurrency limits. */
  rateLimited = 0;
  private tenants = new Map<string, Tenant>();

  constructor(settings: Partial<EmulatorSettings>) {
    super(settings);
    this.tokens = new OAuthTokenStore({
      accessTtlSeconds: this.settings.accessTokenTtlSeconds ?? 3600,
      rotateRefreshTokens: false,
      formatAccessToken: zohoToken,
      formatRefreshToken: zohoToken,
      formatCode: () => zohoToken(),
      codeTtlSeconds: 180,
    });
    const realistic = this.settings.rateLimits === true;
    this.credits = new PerTenantBudget(realistic ? REALISTIC_BUDGETS.credits : { limit: Infinity, windowMs: DAY_MS });
    this.concurrency = new ConcurrencyLimit(realistic ? REALISTIC_BUDGETS.concurrency : { limit: Infinity, windowMs: 60_000 });
  }

  tenant(key: string): Tenant {
    let t = this.tenants.get(key);
    if (!t) {
      const info = tenantInfo(key);
      if (!info) throw new Error(`unknown tenant ${key}`);
      t = new Tenant(info, this.settings.seed, this.settings.contacts);
      this.tenants.set(key, t);
    }
    return t;
  }

  reseed(): void {
    this.tenants = new Map();
    this.channels.clear();
    this.mutations = 0;
  }

  /** Live records per module of the first tenant, plus every tenant's as "<tenant>:<module>". */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const info of TENANTS) {
      const c = this.tenant(info.key).counts();
      if (info === TENANTS[0]) Object.assign(out, c);
      for (const [k, v] of Object.entries(c)) out[`${info.key}:${k}`] = v;
    }
    return out;
  }

  budgets(): Record<string, { configure(c: RateBudgetConfig): void; settings: RateBudgetConfig }> {
    return { credits: this.credits, concurrency: this.concurrency };
  }

  renderTokenResponse(tokens: IssuedTokens, baseUrl: string): Record<string, unknown> {
    return {
      access_token: tokens.accessToken,
      refresh_token: tokens.refreshToken,
      scope: tokens.grant.scope,
      api_domain: baseUrl,
      token_type: 'Bearer',
      expires_in: tokens.expiresIn,
    };
  }

  defaultGrant(): TokenGrant {
    return { tenantKey: TENANTS[0].key, clientId: '1000.SANDBOXCLIENT', scope: DEFAULT_SCOPE };
  }

  channelsOf(tenantKey: string): Map<string, WatchChannel> {
    let m = this.channels.get(tenantKey);
    if (!m) {
      m = new Map();
      this.channels.set(tenantKey, m);
    }
    return m;
  }
}
