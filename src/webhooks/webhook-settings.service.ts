import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { TOKEN_VAULT, type TokenVault } from '../crypto/vault';
import { PrismaService } from '../database/prisma.service';
import { ApiError } from '../errors/api-error';
import type { OrganizationWebhookSettings } from '../generated/prisma/client';
import type { UpdateWebhookSettingsRequest, WebhookSettingsDto } from './dto';
import { WEBHOOK_EVENTS } from './events';
import { generateSigningKey } from './signing';
import { resolvesToPrivate } from './target-guard';

/** Cached settings stay this long: events arrive in bursts (a sync's changes) and settings rarely change. */
const CACHE_MS = 5_000;

const keyContext = (organizationId: string) => `webhook-key:${organizationId}`;

/** An organization's outgoing webhook target and signing key (encrypted at rest, shown once). */
@Injectable()
export class WebhookSettingsService {
  private readonly cache = new Map<string, { value: OrganizationWebhookSettings | null; until: number }>();

  constructor(
    private readonly prisma: PrismaService,
    @Inject(TOKEN_VAULT) private readonly vault: TokenVault,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async get(organizationId: string): Promise<WebhookSettingsDto> {
    const row = await this.prisma.organizationWebhookSettings.findUnique({ where: { organizationId } });
    if (!row) throw ApiError.notFound('No webhook settings: PUT /webhook-settings with a target_url first.');
    return this.dto(row);
  }

  /** Creates (with a new signing key, returned once) or updates the settings. */
  async put(organizationId: string, body: UpdateWebhookSettingsRequest): Promise<WebhookSettingsDto> {
    const targetUrl = validTargetUrl(body.target_url);
    if (!this.config.webhooks.allowPrivateTargets && (await resolvesToPrivate(new URL(targetUrl)))) {
      throw ApiError.invalidField('/body/target_url', 'must be a public address (this server refuses private, loopback and link-local targets: WEBHOOK_PRIVATE_TARGETS)');
    }
    const events = [...new Set(body.events ?? [])];
    events.forEach((e, i) => {
      if (!WEBHOOK_EVENTS.has(e)) throw ApiError.invalidField(`/body/events/${i}`, `unknown event "${e}"`);
    });
    const existing = await this.prisma.organizationWebhookSettings.findUnique({ where: { organizationId } });
    let key: string | undefined;
    let row: OrganizationWebhookSettings;
    if (existing) {
      row = await this.prisma.organizationWebhookSettings.update({
        where: { organizationId },
        data: { targetUrl, events, ...(body.is_active !== undefined ? { isActive: body.is_active } : {}) },
      });
    } else {
      key = generateSigningKey();
      row = await this.prisma.organizationWebhookSettings.create({
        data: { organizationId, targetUrl, events, isActive: body.is_active ?? true, signingKeyCipher: this.vault.encrypt(key, keyContext(organizationId)), signingKeyPrefix: key.slice(0, 10) },
      });
    }
    this.cache.delete(organizationId);
    return this.dto(row, key);
  }

  async rotateKey(organizationId: string): Promise<WebhookSettingsDto> {
    const key = generateSigningKey();
    const { count } = await this.prisma.organizationWebhookSettings.updateMany({
      where: { organizationId },
      data: { signingKeyCipher: this.vault.encrypt(key, keyContext(organizationId)), signingKeyPrefix: key.slice(0, 10) },
    });
    if (count === 0) throw ApiError.notFound('No webhook settings: PUT /webhook-settings with a target_url first.');
    this.cache.delete(organizationId);
    return this.dto((await this.prisma.organizationWebhookSettings.findUnique({ where: { organizationId } }))!, key);
  }

  async remove(organizationId: string): Promise<void> {
    const { count } = await this.prisma.organizationWebhookSettings.deleteMany({ where: { organizationId } });
    this.cache.delete(organizationId);
    if (count === 0) throw ApiError.notFound('No webhook settings.');
  }

  /** Settings for event fan-out (cached briefly); null when the organization has none. */
  async cached(organizationId: string): Promise<OrganizationWebhookSettings | null> {
    const hit = this.cache.get(organizationId);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = await this.prisma.organizationWebhookSettings.findUnique({ where: { organizationId } });
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(organizationId, { value, until: Date.now() + CACHE_MS });
    return value;
  }

  /** Fresh settings and the decrypted signing key, for one delivery attempt. */
  async forDelivery(organizationId: string): Promise<{ settings: OrganizationWebhookSettings; key: string } | null> {
    const settings = await this.prisma.organizationWebhookSettings.findUnique({ where: { organizationId } });
    if (!settings) return null;
    return { settings, key: this.vault.decrypt(settings.signingKeyCipher, keyContext(organizationId)) };
  }

  private dto(row: OrganizationWebhookSettings, key?: string): WebhookSettingsDto {
    return {
      id: row.id,
      target_url: row.targetUrl,
      events: row.events,
      is_active: row.isActive,
      signing_key_prefix: row.signingKeyPrefix,
      ...(key ? { signing_key: key } : {}),
      created_at: row.createdAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
    };
  }
}

/** http(s) only, no credentials in the URL (they would be logged and shown in the delivery log). */
export function validTargetUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw ApiError.invalidField('/body/target_url', 'not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw ApiError.invalidField('/body/target_url', 'must start with http:// or https://');
  if (url.username || url.password) throw ApiError.invalidField('/body/target_url', 'must not contain credentials');
  return url.toString();
}
