import { createHmac } from 'node:crypto';
import { EmulatorRuntime, type EmulatorSettings } from '../common/emulator';
import type { InjectedStatus } from '../common/faults';
import { OAuthTokenStore, type IssuedTokens, type TokenGrant } from '../common/oauth-tokens';
import { RateBudget, type RateBudgetConfig } from '../common/rate-budget';
import { encodeId, segmentHead } from './ids';
import { buildOutboundMessage, isAck, type OutboundChange } from './outbound';
import { compileQuery, type CompiledQuery } from './soql/compile';
import { parseSoql, type SoqlQuery } from './soql/parser';
import type { Row } from './store';
import { SalesforceOrg, type TenantInfo } from './store';
import type { SfField, SfObject } from './schema';

/** Salesforce's default session timeout. */
export const DEFAULT_SESSION_SECONDS = 2 * 3600;
/** Developer Edition's daily API request allocation, used when settings.rateLimits is on. */
export const REALISTIC_DAILY_LIMIT = 15_000;
const DAY_MS = 24 * 3600 * 1000;
const CURSOR_TTL_MS = 15 * 60 * 1000;
const MAX_CURSORS = 5000;

/**
 * The allocation an org without limits reports (Sforce-Limit-Info, /limits): Developer Edition's
 * 15,000 until that much is used, then always at least 15,000 ahead of use. A fixed 15,000 would
 * say "spent" after 15,000 requests of an org that never refuses one, and clients that pace on the
 * header (ours pauses the account for an hour) would stop for nothing.
 */
export function unlimitedReportedMax(used: number): number {
  return used < REALISTIC_DAILY_LIMIT ? REALISTIC_DAILY_LIMIT : (Math.floor(used / REALISTIC_DAILY_LIMIT) + 2) * REALISTIC_DAILY_LIMIT;
}

export interface QueryCursor {
  locator: string;
  tenantKey: string;
  object: SfObject;
  fields: SfField[];
  /** renderRecord memo key (version + field list). */
  renderKey: string;
  version: string;
  rows: Iterator<Row>;
  restart(): Iterator<Row>;
  nextOffset: number;
  totalSize: number;
  batchSize: number;
  queryAll: boolean;
  touchedAt: number;
}

export class SalesforceRuntime extends EmulatorRuntime {
  readonly tokens: OAuthTokenStore;
  tenants: TenantInfo[] = [];
  orgs = new Map<string, SalesforceOrg>();
  /** First client secret seen per client id. */
  readonly clientSecrets = new Map<string, string>();
  /** Daily API request budget per org (all configured together as "DailyApiRequests"). */
  private readonly daily = new Map<string, RateBudget>();
  private dailyConfig: RateBudgetConfig;
  readonly cursors = new Map<string, QueryCursor>();
  private cursorCounter = 0;
  private readonly parseCache = new Map<string, SoqlQuery>();
  private readonly compileCache = new Map<string, CompiledQuery>();
  /** Deterministic fault queue: the next N API requests fail with this status. */
  forcedFaults: { status: InjectedStatus; remaining: number } | null = null;
  /** Clock (tests move it to check the /deleted and /updated windows). */
  now: () => number = Date.now;

  constructor(settings: Partial<EmulatorSettings>) {
    super(settings);
    this.tokens = new OAuthTokenStore({
      accessTtlSeconds: this.settings.accessTokenTtlSeconds ?? DEFAULT_SESSION_SECONDS,
      rotateRefreshTokens: false,
      formatAccessToken: (random, grant) => `${this.org(grant.tenantKey).orgId15}!AQ${random.replace(/-/g, '.')}`,
      formatRefreshToken: (random) => `5Aep861${random.replace(/[-_]/g, '').slice(0, 80)}`,
      formatCode: (random) => `aPrx${random}==`,
      codeTtlSeconds: 15 * 60,
    });
    this.dailyConfig = { limit: this.settings.rateLimits ? REALISTIC_DAILY_LIMIT : Infinity, windowMs: DAY_MS };
    this.reseed();
  }

  reseed(): void {
    const seed = this.settings.seed;
    this.tenants = [
      { key: 'sandbox-org-1', label: `Switchboard Sandbox Org 1 (seed ${seed})`, seed, pod: '5g', number: 1 },
      { key: 'sandbox-org-2', label: `Switchboard Sandbox Org 2 (seed ${seed + 1})`, seed: seed + 1, pod: '8k', number: 2 },
    ];
    this.orgs = new Map(this.tenants.map((t) => [t.key, new SalesforceOrg(t, this.settings.contacts)]));
    this.cursors.clear();
    this.parseCache.clear();
    this.compileCache.clear();
    this.forcedFaults = null;
    for (const b of this.daily.values()) b.configure(this.dailyConfig);
  }

  org(tenantKey: string): SalesforceOrg {
    const org = this.orgs.get(tenantKey);
    if (!org) throw new Error(`unknown tenant ${tenantKey}`);
    return org;
  }

  budget(tenantKey: string): RateBudget {
    let b = this.daily.get(tenantKey);
    if (!b) {
      b = new RateBudget(this.dailyConfig);
      this.daily.set(tenantKey, b);
    }
    return b;
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [i, t] of this.tenants.entries()) {
      const org = this.org(t.key);
      for (const [name, store] of Object.entries(org.stores)) out[i === 0 ? name : `${t.key}.${name}`] = store.liveCount;
    }
    return out;
  }

  budgets(): Record<string, { configure(c: RateBudgetConfig): void; settings: RateBudgetConfig }> {
    const configure = (c: RateBudgetConfig) => {
      this.dailyConfig = c;
      for (const t of this.tenants) this.budget(t.key).configure(c);
    };
    const current = () => this.dailyConfig;
    return {
      DailyApiRequests: {
        configure,
        get settings() {
          return current();
        },
      },
    };
  }

  defaultGrant(): TokenGrant {
    return { tenantKey: 'sandbox-org-1', clientId: 'sandbox-client', scope: 'api refresh_token' };
  }

  /** The token endpoint's JSON body (refresh omits refresh_token). */
  renderTokenResponse(tokens: IssuedTokens, baseUrl: string, includeRefresh = true): Record<string, unknown> {
    const org = this.org(tokens.grant.tenantKey);
    const id = `${baseUrl}/id/${org.orgId}/${org.adminUserId}`;
    const issuedAt = String(tokens.issuedAt);
    const secret = this.clientSecrets.get(tokens.grant.clientId) ?? '';
    const body: Record<string, unknown> = { access_token: tokens.accessToken };
    if (includeRefresh) body.refresh_token = tokens.refreshToken;
    Object.assign(body, {
      signature: createHmac('sha256', secret).update(id + issuedAt).digest('base64'),
      scope: tokens.grant.scope,
      instance_url: baseUrl,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    });
    return body;
  }

  parse(soql: string): SoqlQuery {
    let q = this.parseCache.get(soql);
    if (!q) {
      q = parseSoql(soql);
      if (this.parseCache.size >= 1000) this.parseCache.delete(this.parseCache.keys().next().value as string);
      this.parseCache.set(soql, q);
    }
    return q;
  }

  /**
   * Parsed and compiled query, cached by text (like a plan cache). Queries with relative date
   * literals (TODAY, LAST_N_DAYS:n, …) depend on the clock and are compiled every time.
   */
  compile(soql: string): CompiledQuery {
    const hit = this.compileCache.get(soql);
    if (hit) return hit;
    const compiled = compileQuery(this.parse(soql), this.now());
    if (!/\b(TODAY|YESTERDAY|TOMORROW|_WEEK|_MONTH|_YEAR|_DAYS)\b|_N_DAYS:/i.test(soql)) {
      if (this.compileCache.size >= 1000) this.compileCache.delete(this.compileCache.keys().next().value as string);
      this.compileCache.set(soql, compiled);
    }
    return compiled;
  }

  newLocator(tenantKey: string): string {
    return encodeId(segmentHead('01g', this.org(tenantKey).tenant.pod, 0), ++this.cursorCounter);
  }

  saveCursor(cursor: QueryCursor): void {
    const now = Date.now();
    if (this.cursors.size >= MAX_CURSORS) {
      for (const [k, c] of this.cursors) {
        if (this.cursors.size < MAX_CURSORS && now - c.touchedAt < CURSOR_TTL_MS) break;
        this.cursors.delete(k);
      }
    }
    this.cursors.set(cursor.locator, cursor);
  }

  getCursor(locator: string): QueryCursor | undefined {
    const c = this.cursors.get(locator);
    if (!c) return undefined;
    if (Date.now() - c.touchedAt > CURSOR_TTL_MS) {
      this.cursors.delete(locator);
      return undefined;
    }
    return c;
  }

  /** Sends Outbound Messages for changed records (batches of 100), if a webhook URL is set. */
  notify(org: SalesforceOrg, object: SfObject, baseUrl: string, changes: OutboundChange[]): void {
    const url = this.settings.webhookUrl;
    if (!url || changes.length === 0) return;
    for (let i = 0; i < changes.length; i += 100) {
      const xml = buildOutboundMessage(org, object, baseUrl, '62.0', changes.slice(i, i + 100));
      this.webhooks.send(url, xml, { 'content-type': 'text/xml; charset=utf-8', soapaction: '""', 'user-agent': 'Jakarta Commons-HttpClient/3.1' }, isAck);
    }
  }
}
