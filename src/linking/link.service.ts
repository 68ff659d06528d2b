import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { generateSecret, sha256Hex } from '../crypto/secrets';
import { TOKEN_VAULT, type TokenVault } from '../crypto/vault';
import { PrismaService } from '../database/prisma.service';
import { ApiError } from '../errors/api-error';
import { EventBus } from '../events/event-bus';
import type { LinkToken, OAuthState } from '../generated/prisma/client';
import type { ParsedTokenSet, VendorSlug } from '../integrations/contract';
import { staticTokenSource, VendorHttpClient } from '../integrations/http/vendor-http-client';
import { adapterFor, VENDOR_SLUGS } from '../integrations/registry';
import { CredentialsService } from '../linked-accounts/credentials.service';
import { IssuesService } from '../linked-accounts/issues.service';
import { ACCOUNT_TOKEN_PREFIX, LinkedAccountsService } from '../linked-accounts/linked-accounts.service';
import { type IntegrationInfo, integrationInfo } from './integrations';

export const LINK_TOKEN_PREFIX = 'sbl_';
export const PUBLIC_TOKEN_PREFIX = 'sbp_';
export const STATE_PREFIX = 'sbs_';
/** OAuth state lifetime: 10 minutes, single use. */
export const STATE_TTL_MS = 10 * 60_000;
/** Public token lifetime: short, single use. */
export const PUBLIC_TOKEN_TTL_MS = 10 * 60_000;
export const DEFAULT_LINK_EXPIRY_MINS = 30;
/** Magic links (sent to the end user by e-mail or chat) last a week unless told otherwise. */
export const DEFAULT_MAGIC_LINK_EXPIRY_MINS = 7 * 24 * 60;
export const MAX_LINK_EXPIRY_MINS = 7 * 24 * 60;
export const CALLBACK_PATH = '/link/oauth/callback';

export type LinkMode = 'redirect' | 'popup';

/** Where the result of a Link session goes: an allowlisted URL (full-page flow) or an allowlisted opener origin (popup). */
export interface ReturnTarget {
  mode: LinkMode;
  /** redirect: the allowlisted URL; popup: the allowlisted origin. Null: show the result on the page. */
  returnTo: string | null;
}

export interface LinkSettingsView {
  allowed_origins: string[];
  allowed_redirect_urls: string[];
  enabled_integrations: string[];
}

export class LinkPageError extends Error {
  constructor(
    readonly kind: 'invalid_link' | 'expired_link' | 'invalid_state' | 'used_state' | 'expired_state' | 'denied' | 'vendor_error' | 'not_allowed' | 'unavailable',
    readonly status: number,
    message: string,
    /** Link token to offer "try again" with (never shown, only put into the retry URL). */
    readonly retryLinkToken?: string,
    readonly target?: ReturnTarget,
  ) {
    super(message);
    this.name = 'LinkPageError';
  }
}

export interface LinkSuccess {
  publicToken: string;
  integration: IntegrationInfo;
  target: ReturnTarget;
  endUserOrganizationName: string;
  relinked: boolean;
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

/** Origin of an absolute http(s) URL, or null. */
export function originOf(value: string): string | null {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    if (u.username || u.password) return null;
    return u.origin;
  } catch {
    return null;
  }
}

/** Normalised form used to compare redirect URLs with the allowlist: origin + path (query and fragment ignored). */
export function redirectKey(value: string): string | null {
  const origin = originOf(value);
  if (!origin) return null;
  const u = new URL(value);
  return origin + (u.pathname || '/');
}

@Injectable()
export class LinkService {
  private readonly logger = new Logger('Link');
  private readonly http = new VendorHttpClient({ maxAttempts: 2, timeoutMs: 15_000 });

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TOKEN_VAULT) private readonly vault: TokenVault,
    private readonly credentials: CredentialsService,
    private readonly accounts: LinkedAccountsService,
    private readonly issues: IssuesService,
    private readonly events: EventBus,
  ) {}

  get callbackUrl(): string {
    return `${this.config.publicUrl}${CALLBACK_PATH}`;
  }

  // ---------------------------------------------------------------- settings

  async settings(organizationId: string): Promise<LinkSettingsView> {
    const row = await this.prisma.organizationLinkSettings.findUnique({ where: { organizationId } });
    return { allowed_origins: row?.allowedOrigins ?? [], allowed_redirect_urls: row?.allowedRedirectUrls ?? [], enabled_integrations: row?.enabledIntegrations ?? [] };
  }

  async updateSettings(organizationId: string, input: Partial<LinkSettingsView>): Promise<LinkSettingsView> {
    const current = await this.settings(organizationId);
    const origins = input.allowed_origins ?? current.allowed_origins;
    const urls = input.allowed_redirect_urls ?? current.allowed_redirect_urls;
    const enabled = input.enabled_integrations ?? current.enabled_integrations;
    const normOrigins: string[] = [];
    origins.forEach((o, i) => {
      const origin = originOf(o);
      if (!origin || trimSlash(o) !== origin) throw ApiError.invalidField(`/body/allowed_origins/${i}`, 'must be an origin: scheme://host[:port] with no path');
      if (!normOrigins.includes(origin)) normOrigins.push(origin);
    });
    const normUrls: string[] = [];
    urls.forEach((u, i) => {
      if (!redirectKey(u)) throw ApiError.invalidField(`/body/allowed_redirect_urls/${i}`, 'must be an absolute http(s) URL without credentials');
      if (new URL(u).hash) throw ApiError.invalidField(`/body/allowed_redirect_urls/${i}`, 'must not contain a fragment');
      if (!normUrls.includes(u)) normUrls.push(u);
    });
    enabled.forEach((slug, i) => {
      if (!adapterFor(slug)) throw ApiError.invalidField(`/body/enabled_integrations/${i}`, `unknown integration "${slug}"`);
    });
    const data = { allowedOrigins: normOrigins, allowedRedirectUrls: normUrls, enabledIntegrations: [...new Set(enabled)] };
    await this.prisma.organizationLinkSettings.upsert({ where: { organizationId }, create: { organizationId, ...data }, update: data });
    return this.settings(organizationId);
  }

  /** Validates a return target against the organization's allowlist; null when nothing was asked. */
  async resolveTarget(organizationId: string, input: { mode?: string; redirectUrl?: string; origin?: string }): Promise<ReturnTarget> {
    const settings = await this.settings(organizationId);
    const mode: LinkMode = input.mode === 'popup' ? 'popup' : 'redirect';
    if (mode === 'popup') {
      let origin = input.origin ? originOf(input.origin) : null;
      if (input.origin && (!origin || trimSlash(input.origin) !== origin || !settings.allowed_origins.includes(origin))) {
        throw new LinkPageError('not_allowed', 400, 'This page was opened from a site that is not allowed to receive the result. The application must add its origin to its Link settings.');
      }
      if (!origin && settings.allowed_origins.length === 1) origin = settings.allowed_origins[0]!;
      if (!origin) throw new LinkPageError('not_allowed', 400, 'No allowed origin is configured to receive the result of this popup.');
      return { mode, returnTo: origin };
    }
    if (input.redirectUrl) {
      const key = redirectKey(input.redirectUrl);
      const allowed = key !== null && !new URL(input.redirectUrl).hash && settings.allowed_redirect_urls.some((u) => redirectKey(u) === key);
      if (!allowed) throw new LinkPageError('not_allowed', 400, 'The return address of this link is not on the application\'s list of allowed addresses.');
      return { mode, returnTo: input.redirectUrl };
    }
    return { mode, returnTo: null };
  }

  // ---------------------------------------------------------------- link tokens

  async createLinkToken(
    organizationId: string,
    input: { endUserOriginId: string; endUserEmailAddress: string; endUserOrganizationName: string; integration?: string | null; linkExpiryMins?: number; magicLink?: boolean; loginEnvironment?: string | null },
  ): Promise<{ link_token: string; integration_name: string | null; magic_link_url: string | null }> {
    if (input.integration && !this.credentials.isAvailable(input.integration)) {
      throw ApiError.invalidField('/body/integration', `integration "${input.integration}" is not available on this server (available: ${this.availableSlugs().join(', ') || 'none'})`);
    }
    const enabled = (await this.settings(organizationId)).enabled_integrations;
    if (input.integration && enabled.length && !enabled.includes(input.integration)) {
      throw ApiError.invalidField('/body/integration', `integration "${input.integration}" is not enabled for this organization`);
    }
    const minutes = input.linkExpiryMins ?? (input.magicLink ? DEFAULT_MAGIC_LINK_EXPIRY_MINS : DEFAULT_LINK_EXPIRY_MINS);
    const token = generateSecret(LINK_TOKEN_PREFIX);
    await this.prisma.linkToken.create({
      data: {
        organizationId,
        tokenHash: sha256Hex(token),
        endUserOriginId: input.endUserOriginId,
        endUserEmailAddress: input.endUserEmailAddress,
        endUserOrganizationName: input.endUserOrganizationName,
        integration: input.integration ?? null,
        loginEnvironment: input.loginEnvironment ?? null,
        expiresAt: new Date(Date.now() + minutes * 60_000),
      },
    });
    const sandbox = input.integration ? !this.config.vendors[input.integration as VendorSlug] : false;
    return {
      link_token: token,
      integration_name: input.integration ? integrationInfo(input.integration, sandbox, this.config.publicUrl).name : null,
      magic_link_url: input.magicLink ? `${this.config.publicUrl}/link?link_token=${encodeURIComponent(token)}` : null,
    };
  }

  availableSlugs(): string[] {
    return VENDOR_SLUGS.filter((v) => this.credentials.isAvailable(v));
  }

  /** The integrations the Link page offers to this organization (sandbox ones labelled). */
  async integrationsFor(organizationId: string): Promise<IntegrationInfo[]> {
    const enabled = (await this.settings(organizationId)).enabled_integrations;
    return this.availableSlugs()
      .filter((slug) => !enabled.length || enabled.includes(slug))
      .map((slug) => integrationInfo(slug, !this.config.vendors[slug as VendorSlug], this.config.publicUrl));
  }

  /** A usable link token or a LinkPageError (unknown, expired). */
  async openLinkToken(token: string | undefined): Promise<LinkToken> {
    if (!token || token.length > 200 || !token.startsWith(LINK_TOKEN_PREFIX)) throw new LinkPageError('invalid_link', 404, 'This link is not valid. Ask the application for a new one.');
    const row = await this.prisma.linkToken.findUnique({ where: { tokenHash: sha256Hex(token) } });
    if (!row) throw new LinkPageError('invalid_link', 404, 'This link is not valid. Ask the application for a new one.');
    if (row.expiresAt.getTime() <= Date.now()) throw new LinkPageError('expired_link', 410, 'This link has expired. Go back to the application and start again to get a new one.');
    return row;
  }

  /** Login-host choices of a vendor (e.g. production or sandbox orgs), from its auth settings. */
  loginOptions(slug: string): { key: string; label: string; authBaseUrl: string }[] {
    if (!this.config.vendors[slug as VendorSlug]) return []; // emulators serve every choice on one host
    return adapterFor(slug)?.auth.loginOptions ?? [];
  }

  // ---------------------------------------------------------------- OAuth start and callback

  /** Creates the single-use state and answers the vendor's authorize URL. */
  async start(linkTokenValue: string, integration: string, target: ReturnTarget, loginEnvironment?: string): Promise<string> {
    const link = await this.openLinkToken(linkTokenValue);
    const offered = (await this.integrationsFor(link.organizationId)).map((i) => i.slug);
    if (!offered.includes(integration) || (link.integration && link.integration !== integration)) {
      throw new LinkPageError('unavailable', 400, 'This CRM cannot be linked through this link.', linkTokenValue, target);
    }
    const adapter = adapterFor(integration)!;
    const env = loginEnvironment ?? link.loginEnvironment ?? undefined;
    const option = env ? this.loginOptions(integration).find((o) => o.key === env) : undefined;
    const client = this.credentials.oauthClient(integration as VendorSlug, option?.authBaseUrl);
    const state = generateSecret(STATE_PREFIX);
    const stateHash = sha256Hex(state);
    const verifier = adapter.auth.supportsPkce ? randomBytes(32).toString('base64url') : undefined;
    await this.prisma.oAuthState.create({
      data: {
        stateHash,
        linkTokenId: link.id,
        integration,
        codeVerifierCipher: verifier ? this.vault.encrypt(verifier, `oauth-state:${stateHash}:verifier`) : null,
        linkTokenCipher: this.vault.encrypt(linkTokenValue, `oauth-state:${stateHash}:link`),
        authBaseUrl: option?.authBaseUrl ?? null,
        mode: target.mode,
        returnTo: target.returnTo,
        expiresAt: new Date(Date.now() + STATE_TTL_MS),
      },
    });
    const url = new URL(client.endpoints.authorizeUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', client.clientId);
    url.searchParams.set('redirect_uri', this.callbackUrl);
    url.searchParams.set('scope', adapter.auth.defaultScopes.join(adapter.auth.scopeSeparator));
    url.searchParams.set('state', state);
    if (verifier) {
      url.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
      url.searchParams.set('code_challenge_method', 'S256');
    }
    for (const [k, v] of Object.entries(adapter.auth.extraAuthorizeParams ?? {})) url.searchParams.set(k, v);
    return url.toString();
  }

  /** Consumes the state (single use), exchanges the code, creates or updates the linked account. */
  async callback(params: Record<string, string>): Promise<LinkSuccess> {
    const state = params.state;
    if (!state || state.length > 200 || !state.startsWith(STATE_PREFIX)) throw new LinkPageError('invalid_state', 400, 'This sign-in could not be verified. Start again from the application.');
    const stateHash = sha256Hex(state);
    const row = await this.prisma.oAuthState.findUnique({ where: { stateHash }, include: { linkToken: true } });
    if (!row) throw new LinkPageError('invalid_state', 400, 'This sign-in could not be verified. Start again from the application.');
    const linkTokenValue = row.linkTokenCipher ? this.safeDecrypt(row.linkTokenCipher, `oauth-state:${stateHash}:link`) : undefined;
    const target: ReturnTarget = { mode: row.mode === 'popup' ? 'popup' : 'redirect', returnTo: row.returnTo };
    // Single use, atomically: of two concurrent callbacks with one state only one gets count 1.
    const claimed = await this.prisma.oAuthState.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: new Date() } });
    if (claimed.count !== 1) throw new LinkPageError('used_state', 400, 'This sign-in was already used. Start again to link your CRM.', linkTokenValue, target);
    if (row.expiresAt.getTime() <= Date.now()) throw new LinkPageError('expired_state', 400, 'This sign-in took too long and expired. Please try again.', linkTokenValue, target);
    if (row.linkToken.expiresAt.getTime() <= Date.now()) throw new LinkPageError('expired_link', 410, 'This link has expired. Go back to the application and start again to get a new one.', undefined, target);
    if (params.error) {
      const denied = params.error === 'access_denied';
      throw new LinkPageError(
        denied ? 'denied' : 'vendor_error',
        denied ? 403 : 502,
        denied ? 'Access was not granted, so your CRM was not linked.' : `The CRM reported an error: ${sanitize(params.error_description ?? params.error)}`,
        linkTokenValue,
        target,
      );
    }
    if (!params.code) throw new LinkPageError('vendor_error', 502, 'The CRM did not return an authorization code.', linkTokenValue, target);
    const slug = row.integration as VendorSlug;
    const adapter = adapterFor(slug);
    if (!adapter) throw new LinkPageError('unavailable', 400, 'This CRM is not available any more.', linkTokenValue, target);
    let callbackAuthBase: string | undefined;
    let client;
    try {
      const sandbox = this.credentials.oauthClient(slug, row.authBaseUrl ?? undefined).sandbox;
      callbackAuthBase = sandbox ? undefined : adapter.auth.authBaseUrlFromCallback?.(params);
      client = this.credentials.oauthClient(slug, callbackAuthBase ?? row.authBaseUrl ?? undefined);
    } catch {
      throw new LinkPageError('vendor_error', 502, 'The CRM answered from an unexpected sign-in server. Please try again.', linkTokenValue, target);
    }
    const verifier = row.codeVerifierCipher ? this.safeDecrypt(row.codeVerifierCipher, `oauth-state:${stateHash}:verifier`) : undefined;
    const form: Record<string, string> = {
      grant_type: 'authorization_code',
      code: params.code,
      redirect_uri: this.callbackUrl,
      client_id: client.clientId,
      client_secret: client.clientSecret,
    };
    if (verifier) form.code_verifier = verifier;
    let exchanged;
    try {
      exchanged = await this.credentials.tokenRequest(slug, client.endpoints.tokenUrl, form, params);
    } catch {
      throw new LinkPageError('vendor_error', 502, 'The CRM could not be reached to finish linking. Please try again.', linkTokenValue, target);
    }
    if ('error' in exchanged.parsed) {
      this.logger.warn(`code exchange failed (${slug}): ${exchanged.parsed.error}`);
      throw new LinkPageError('vendor_error', 502, `The CRM refused to finish linking (${sanitize(exchanged.parsed.error)}). Please try again.`, linkTokenValue, target);
    }
    const tokens = exchanged.parsed;
    const apiBaseUrl = trimSlash(tokens.apiBaseUrl ?? client.endpoints.apiBaseUrl ?? '');
    if (!apiBaseUrl) throw new LinkPageError('vendor_error', 502, 'The CRM did not say where its API is.', linkTokenValue, target);
    let identity: { remoteAccountId: string; displayName?: string };
    try {
      const conn = this.http.connection({ vendor: slug, linkedAccountId: `link:${row.id}`, apiBaseUrl, auth: adapter.auth, tokens: staticTokenSource(tokens.accessToken) });
      identity = await adapter.auth.identify(conn, tokens);
    } catch {
      throw new LinkPageError('vendor_error', 502, 'The CRM did not tell which account was linked. Please try again.', linkTokenValue, target);
    }
    const authBaseUrl = callbackAuthBase ?? row.authBaseUrl ?? (adapter.auth.authBaseUrlFromCallback ? undefined : tokens.authBaseUrl) ?? '';
    const { accountId, relinked } = await this.upsertAccount(row.linkToken, slug, client.sandbox, apiBaseUrl, client.sandbox ? '' : authBaseUrl, identity, tokens);
    await this.prisma.linkToken.update({ where: { id: row.linkToken.id }, data: { linkedAccountId: accountId } });
    const publicToken = generateSecret(PUBLIC_TOKEN_PREFIX);
    await this.prisma.publicToken.create({ data: { tokenHash: sha256Hex(publicToken), linkedAccountId: accountId, expiresAt: new Date(Date.now() + PUBLIC_TOKEN_TTL_MS) } });
    this.events.publish({
      event: 'LinkedAccount.linked',
      organizationId: row.linkToken.organizationId,
      linkedAccountId: accountId,
      data: { linked_account_id: accountId, integration: slug, relinked, is_sandbox: client.sandbox },
    });
    return { publicToken, integration: integrationInfo(slug, client.sandbox, this.config.publicUrl), target, endUserOrganizationName: row.linkToken.endUserOrganizationName, relinked };
  }

  /**
   * Re-link of the same end user's same vendor account (organization, integration, remote account
   * id, end_user_origin_id) updates the existing account: new tokens, COMPLETE, issues resolved.
   */
  private async upsertAccount(
    link: LinkToken,
    slug: VendorSlug,
    isSandbox: boolean,
    apiBaseUrl: string,
    authBaseUrl: string,
    identity: { remoteAccountId: string; displayName?: string },
    tokens: ParsedTokenSet,
  ): Promise<{ accountId: string; relinked: boolean }> {
    const sealedInput = {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken ?? null,
      expiresAt: tokens.expiresInSeconds ? new Date(Date.now() + tokens.expiresInSeconds * 1000) : null,
      scopes: tokens.scopes ?? null,
    };
    const existing = await this.prisma.linkedAccount.findFirst({
      where: { organizationId: link.organizationId, integration: slug, remoteAccountId: identity.remoteAccountId, endUserOriginId: link.endUserOriginId },
      orderBy: { createdAt: 'asc' },
    });
    if (existing) {
      const old = await this.accounts.readTokens(existing.id).catch(() => null);
      const sealed = this.accounts.sealTokens(existing.id, { ...sealedInput, refreshToken: sealedInput.refreshToken ?? old?.refreshToken ?? null });
      await this.prisma.$transaction([
        this.prisma.linkedAccount.update({
          where: { id: existing.id },
          data: {
            status: 'COMPLETE',
            apiBaseUrl,
            authBaseUrl,
            isSandbox,
            endUserEmailAddress: link.endUserEmailAddress,
            endUserOrganizationName: link.endUserOrganizationName,
            remoteAccountName: identity.displayName ?? existing.remoteAccountName,
            completedAt: new Date(),
          },
        }),
        this.prisma.linkedAccountCredential.upsert({
          where: { linkedAccountId: existing.id },
          create: { linkedAccountId: existing.id, ...sealed },
          update: { ...sealed, version: { increment: 1 }, lastRefreshedAt: new Date() },
        }),
      ]);
      this.accounts.invalidate(existing.id);
      await this.issues.resolve(existing.id);
      return { accountId: existing.id, relinked: true };
    }
    const { account } = await this.accounts.create({
      organizationId: link.organizationId,
      integration: slug,
      isSandbox,
      apiBaseUrl,
      authBaseUrl,
      remoteAccountId: identity.remoteAccountId,
      endUserOriginId: link.endUserOriginId,
      endUserEmailAddress: link.endUserEmailAddress,
      endUserOrganizationName: link.endUserOrganizationName,
      tokens: sealedInput,
    });
    // The account token is minted when the public token is exchanged; the one create() made is never shown.
    await this.prisma.linkedAccount.update({ where: { id: account.id }, data: { remoteAccountName: identity.displayName ?? null, completedAt: new Date() } });
    return { accountId: account.id, relinked: false };
  }

  /** GET /account-token/{public_token}: single use, short-lived, organization-scoped. */
  async exchangePublicToken(organizationId: string, publicToken: string): Promise<{ account_token: string; integration: IntegrationInfo; id: string }> {
    const notFound = () => ApiError.notFound('Unknown, expired or already used public token.');
    if (!publicToken.startsWith(PUBLIC_TOKEN_PREFIX) || publicToken.length > 200) throw notFound();
    const row = await this.prisma.publicToken.findUnique({ where: { tokenHash: sha256Hex(publicToken) }, include: { linkedAccount: true } });
    if (!row || row.linkedAccount.organizationId !== organizationId || row.expiresAt.getTime() <= Date.now()) throw notFound();
    const claimed = await this.prisma.publicToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: new Date() } });
    if (claimed.count !== 1) throw notFound();
    const accountToken = await this.mintAccountToken(row.linkedAccountId);
    const account = row.linkedAccount;
    return { account_token: accountToken, integration: integrationInfo(account.integration, account.isSandbox, this.config.publicUrl), id: account.id };
  }

  /** A new account token for the account (the previous one stops working). */
  async mintAccountToken(linkedAccountId: string): Promise<string> {
    const token = generateSecret(ACCOUNT_TOKEN_PREFIX);
    await this.prisma.linkedAccount.update({ where: { id: linkedAccountId }, data: { accountTokenHash: sha256Hex(token) } });
    // The previous token must stop working now, not when its cache entry expires.
    this.accounts.invalidate(linkedAccountId);
    return token;
  }

  /** POST /delete-account: revoke at the vendor, then delete the account and everything stored for it (cascade). */
  async deleteAccount(organizationId: string, linkedAccountId: string): Promise<{ revoked: boolean }> {
    const account = await this.accounts.get(organizationId, linkedAccountId);
    if (!account) throw ApiError.notFound('No such linked account.');
    const revoked = await this.credentials.revokeAtVendor(account);
    await this.prisma.linkedAccount.delete({ where: { id: account.id } });
    this.accounts.invalidate(account.id);
    this.events.publish({ event: 'LinkedAccount.deleted', organizationId, linkedAccountId: account.id, data: { linked_account_id: account.id, integration: account.integration, revoked } });
    return { revoked };
  }

  /** Hourly: drop states, public tokens and link tokens a day past their expiry. */
  @Interval('link-purge', 3_600_000)
  async purgeExpired(): Promise<void> {
    const now = new Date();
    await this.prisma.linkToken.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 24 * 3600_000) } } });
    await this.prisma.oAuthState.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 24 * 3600_000) } } });
    await this.prisma.publicToken.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 24 * 3600_000) } } });
  }

  private safeDecrypt(cipher: string, context: string): string | undefined {
    try {
      return this.vault.decrypt(cipher, context);
    } catch {
      return undefined;
    }
  }
}

/** Vendor-provided text shown on an error page: plain, short. */
function sanitize(s: string): string {
  return [...s].map((c) => (c.charCodeAt(0) < 32 ? ' ' : c)).join('').slice(0, 200);
}

export type { OAuthState };
