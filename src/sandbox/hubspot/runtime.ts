import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EmulatorRuntime, type EmulatorSettings } from '../common/emulator';
import { OAuthTokenStore, type IssuedTokens, type TokenGrant } from '../common/oauth-tokens';
import type { RateBudgetConfig } from '../common/rate-budget';
import { renderInjected, sendError } from './errors';
import { USER_BASE } from './ids';
import { HubspotRateLimits } from './rate-limits';
import { OBJECT_NAMES } from './schema';
import { SearchEngine } from './search';
import { PortalData, TENANTS, tenantByKey } from './store';
import { deliver, type Change } from './webhooks';

export const DEFAULT_ACCESS_TTL = 1800;
export const DEFAULT_SCOPES = [
  'oauth',
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.companies.read',
  'crm.objects.companies.write',
  'crm.objects.deals.read',
  'crm.objects.deals.write',
  'crm.objects.leads.read',
  'crm.objects.leads.write',
  'crm.objects.owners.read',
  'crm.schemas.contacts.read',
];

export interface RefreshInfo {
  grant: TokenGrant;
  revoked: boolean;
}

export class HubspotRuntime extends EmulatorRuntime {
  readonly tokens: OAuthTokenStore;
  readonly search = new SearchEngine();
  rate: HubspotRateLimits;
  portals = new Map<string, PortalData>();
  /** First client secret seen per client id (secrets are not known in advance). */
  readonly clientSecrets = new Map<string, string>();
  /** Refresh-token metadata for GET/DELETE /oauth/v1/refresh-tokens/{token}. */
  readonly refreshInfo = new Map<string, RefreshInfo>();
  /** Expiry as issued, to word "expired N second(s) ago". */
  readonly accessExpiry = new Map<string, number>();
  mutations = 0;

  constructor(settings: Partial<EmulatorSettings>) {
    super(settings);
    this.tokens = new OAuthTokenStore({
      accessTtlSeconds: this.settings.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TTL,
      rotateRefreshTokens: false,
      formatAccessToken: (r, grant) => `C${tenantByKey(grant.tenantKey)?.hubId ?? 0}${r}`.slice(0, 200),
      formatRefreshToken: () => `na1-${randomUUID().slice(4)}`,
      formatCode: () => `na1-${randomBytes(16).toString('hex').replace(/(.{4})(.{4})(.{4})/, '$1-$2-$3-')}`,
    });
    this.rate = new HubspotRateLimits(false);
    this.reseed();
  }

  reseed(): void {
    this.portals = new Map(TENANTS.map((t) => [t.key, new PortalData(t, this.settings.seed, this.settings.contacts)]));
    this.search.clear();
    this.mutations = 0;
    this.rate = new HubspotRateLimits(this.settings.rateLimits === true);
    if (this.settings.accessTokenTtlSeconds) this.tokens.setAccessTtl(this.settings.accessTokenTtlSeconds);
  }

  portal(tenantKey: string): PortalData {
    return this.portals.get(tenantByKey(tenantKey)?.key ?? tenantKey) ?? (this.portals.values().next().value as PortalData);
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, portal] of this.portals) {
      for (const o of OBJECT_NAMES) out[key === TENANTS[0].key ? o : `${key}.${o}`] = portal.cols[o].liveCount;
    }
    return out;
  }

  budgets(): Record<string, { configure(c: RateBudgetConfig): void; settings: RateBudgetConfig }> {
    return this.rate.budgets;
  }

  defaultGrant(): TokenGrant {
    return { tenantKey: TENANTS[0].key, clientId: 'sandbox-client', scope: DEFAULT_SCOPES.join(' ') };
  }

  /** Records issued tokens in the side tables (metadata endpoints, expiry wording). */
  remember(t: IssuedTokens): void {
    this.accessExpiry.set(t.accessToken, t.issuedAt + t.expiresIn * 1000);
    if (!this.refreshInfo.has(t.refreshToken)) this.refreshInfo.set(t.refreshToken, { grant: t.grant, revoked: false });
  }

  renderTokenResponse(t: IssuedTokens): Record<string, unknown> {
    this.remember(t);
    const tenant = tenantByKey(t.grant.tenantKey) ?? TENANTS[0];
    return {
      token_type: 'bearer',
      refresh_token: t.refreshToken,
      access_token: t.accessToken,
      expires_in: t.expiresIn,
      hub_id: tenant.hubId,
      user_id: USER_BASE,
      scopes: t.grant.scope.split(/[\s,]+/).filter(Boolean),
      token_use: 'access_token',
    };
  }

  webhookSecret(): string {
    return this.settings.webhookSecret ?? this.clientSecrets.values().next().value ?? 'sandbox-client-secret';
  }

  private collecting: Change[] | null = null;

  /** Sends the vendor notifications for changes in a portal (no-op without a webhook URL). */
  emit(portal: PortalData, changes: Change[]): void {
    const url = this.settings.webhookUrl;
    if (!url || changes.length === 0) return;
    if (this.collecting) {
      this.collecting.push(...changes);
      return;
    }
    deliver(this.webhooks, url, this.webhookSecret(), portal.tenant.hubId, changes);
  }

  /** Runs `fn` and sends the notifications it caused as batches of up to 100 events, like HubSpot. */
  batched<T>(portal: PortalData, fn: () => T): T {
    const outer = this.collecting;
    const mine: Change[] = [];
    this.collecting = mine;
    try {
      return fn();
    } finally {
      this.collecting = outer;
      this.emit(portal, mine);
    }
  }

  /**
   * onRequest guard of API routes: faults, then the bearer token, then rate limits.
   * Returns the caller's portal, or null when the request was answered here.
   */
  async guard(request: FastifyRequest, reply: FastifyReply, isSearch: boolean): Promise<PortalData | null> {
    if (await this.faults.apply(request, reply, renderInjected)) return null;
    this.apiRequests++;
    const header = request.headers.authorization;
    const token = typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : '';
    if (!token) {
      sendError(reply, 401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview');
      return null;
    }
    const check = this.tokens.checkAccess(token);
    if (check.status !== 'valid') {
      if (check.status === 'expired') {
        const ago = Math.max(0, Math.floor((Date.now() - (this.accessExpiry.get(token) ?? Date.now())) / 1000));
        sendError(reply, 401, 'EXPIRED_AUTHENTICATION', `The OAuth token used to make this call expired ${ago} second(s) ago.`);
      } else if (check.status === 'revoked') {
        sendError(reply, 401, 'INVALID_AUTHENTICATION', 'The OAuth token used to make this call has been revoked.');
      } else {
        sendError(reply, 401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview');
      }
      return null;
    }
    if (this.rate.apply(reply, isSearch)) return null;
    return this.portal(check.grant.tenantKey);
  }
}
