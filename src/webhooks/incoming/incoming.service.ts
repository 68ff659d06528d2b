import { createHmac } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { Counter } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { resolveEncryptionKey } from '../../crypto/encryption-key';
import { PrismaService } from '../../database/prisma.service';
import { ApiError } from '../../errors/api-error';
import type { IncomingVendorWebhook, LinkedAccount } from '../../generated/prisma/client';
import type { IncomingVendorRequest, VendorSlug, VendorWebhookChange } from '../../integrations/contract';
import { adapterFor, VENDOR_SLUGS } from '../../integrations/registry';
import { EventBus } from '../../events/event-bus';
import { VendorConnections } from '../../linked-accounts/connections';
import { CredentialsService } from '../../linked-accounts/credentials.service';
import type { ModelName } from '../../models/spec';
import { MetricsService } from '../../observability/metrics';
import { type MountedSandbox, SANDBOX_EMULATORS } from '../../sandbox/sandbox.module';
import { SYNC_TRIGGER, type SyncTrigger } from '../../sync/contract';
import { uuidv7 } from '../signing';

/** Raw notifications are kept this long for replay, then purged. */
export const INCOMING_RETENTION_MS = 7 * 24 * 3600_000;
/** Syncs asked by notifications wait this long, so a burst of notifications becomes one sync. */
export const WEBHOOK_SYNC_DEBOUNCE_MS = 2_000;

export const INCOMING_PATH_PREFIX = '/webhooks/vendors/';

export interface IncomingResult {
  /** What to answer the vendor. */
  contentType: string;
  body: string;
  accounts: number;
}

/**
 * Incoming vendor notifications: verified by the vendor's own scheme (integrations/<vendor>/webhooks.ts),
 * mapped to linked accounts by vendor account id, stored raw per linked account for 7 days, and
 * turned into incremental syncs of the models they name. Nothing is stored for a request that
 * fails verification.
 */
@Injectable()
export class IncomingWebhooksService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('IncomingWebhooks');
  private unsubscribe?: () => void;
  private readonly received?: Counter<'vendor' | 'result'>;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SANDBOX_EMULATORS) private readonly sandboxes: MountedSandbox[],
    private readonly credentials: CredentialsService,
    private readonly connections: VendorConnections,
    private readonly events: EventBus,
    @Optional() @Inject(SYNC_TRIGGER) private readonly sync?: SyncTrigger,
    @Optional() metrics?: MetricsService,
  ) {
    if (metrics) {
      this.received = new Counter({
        name: 'switchboard_incoming_webhooks_total',
        help: 'Vendor notifications received, by vendor and result (accepted, rejected: failed verification or malformed).',
        labelNames: ['vendor', 'result'],
        registers: [metrics.registry],
      });
    }
  }

  onModuleInit(): void {
    // Vendors subscribed per account (Zoho channels) are subscribed as soon as an account is linked.
    this.unsubscribe = this.events.subscribe('LinkedAccount.linked', async (e) => {
      if (e.linkedAccountId) await this.subscribeAccount(e.linkedAccountId);
    });
    this.configureSandboxes();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Sandbox quick start: the mounted emulators notify this server, signed with the secrets it verifies. */
  private configureSandboxes(): void {
    if (!this.config.webhooks.sandboxSelfDelivery) return;
    for (const s of this.sandboxes) {
      const settings = s.emulator.runtime.settings;
      if (settings.webhookUrl) continue; // set by the operator through the control API
      // Per-account subscriptions (Zoho channels) name this server themselves; an emulator-wide URL would notify twice.
      if (adapterFor(s.vendor)?.webhooks?.subscribe) continue;
      settings.webhookUrl = this.notifyUrl(s.vendor);
      const secret = this.secretFor(s.vendor);
      if (secret) settings.webhookSecret = secret;
    }
  }

  /** The secret a vendor's notifications are verified with: configured, or the sandbox's own (the adapter chooses). */
  secretFor(vendor: VendorSlug): string | undefined {
    const hooks = adapterFor(vendor)?.webhooks;
    if (!hooks?.secret) return undefined;
    return hooks.secret(this.config, {
      sandbox: this.sandboxes.some((s) => s.vendor === vendor) && !this.config.vendors[vendor],
      clientSecret: () => (this.credentials.isAvailable(vendor) ? this.credentials.oauthClient(vendor).clientSecret : undefined),
      derive: (label) => createHmac('sha256', resolveEncryptionKey(this.config).key).update(label).digest('base64url'),
    });
  }

  async receive(vendor: string, req: IncomingVendorRequest): Promise<IncomingResult> {
    const adapter = adapterFor(vendor);
    const hooks = adapter?.webhooks;
    if (!adapter || !hooks) throw ApiError.notFound(`No incoming webhooks for "${vendor}".`);
    try {
      const result = await this.accept(adapter.vendor, req);
      this.received?.inc({ vendor: adapter.vendor, result: 'accepted' });
      return result;
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) this.received?.inc({ vendor: adapter.vendor, result: 'rejected' });
      throw err;
    }
  }

  private async accept(vendor: VendorSlug, req: IncomingVendorRequest): Promise<IncomingResult> {
    const adapter = adapterFor(vendor)!;
    const hooks = adapter.webhooks!;
    const verdict = hooks.verify(req, this.secretFor(adapter.vendor), Date.now());
    if (!verdict.ok) throw new ApiError(401, 'INVALID_WEBHOOK', `The ${adapter.displayName} notification was rejected: ${verdict.reason}.`);
    let changes: VendorWebhookChange[];
    try {
      changes = hooks.parse(req);
    } catch (err) {
      throw ApiError.invalidField('/body', (err as Error).message);
    }
    const remoteIds = [...new Set(changes.map((c) => c.remoteAccountId))];
    const accounts = remoteIds.length
      ? await this.prisma.linkedAccount.findMany({ where: { integration: adapter.vendor, remoteAccountId: { in: remoteIds } } })
      : [];
    // Unsigned notifications (Salesforce) are only as good as the org they name.
    if (hooks.unsigned && accounts.length === 0) throw new ApiError(401, 'INVALID_WEBHOOK', `The ${adapter.displayName} notification names no account linked on this server.`);
    const contentType = req.headers['content-type'] ?? null;
    const body = req.rawBody.toString('utf8');
    for (const account of accounts) {
      const mine = changes.filter((c) => c.remoteAccountId === account.remoteAccountId);
      const models = [...new Set(mine.flatMap((c) => c.models))];
      const row = await this.prisma.incomingVendorWebhook.create({
        data: { id: uuidv7(), organizationId: account.organizationId, linkedAccountId: account.id, vendor: adapter.vendor, contentType, body, models, recordCount: mine.reduce((n, c) => n + c.remoteIds.length, 0) },
      });
      await this.requestSync(account, models, row.id);
    }
    const ack = hooks.acknowledgement?.() ?? { contentType: 'application/json; charset=utf-8', body: JSON.stringify({ received: true }) };
    return { ...ack, accounts: accounts.length };
  }

  /** Asks again for the syncs a stored notification asked for (the account's current state decides). */
  async replay(organizationId: string, id: string): Promise<IncomingVendorWebhook> {
    const row = await this.find(organizationId, id);
    const account = await this.prisma.linkedAccount.findUnique({ where: { id: row.linkedAccountId } });
    if (!account) throw ApiError.notFound('No such incoming webhook.');
    await this.requestSync(account, row.models as ModelName[], row.id);
    return this.prisma.incomingVendorWebhook.update({ where: { id: row.id }, data: { replayedAt: new Date() } });
  }

  async find(organizationId: string, id: string): Promise<IncomingVendorWebhook> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw ApiError.notFound('No such incoming webhook.');
    const row = await this.prisma.incomingVendorWebhook.findUnique({ where: { id } });
    if (!row || row.organizationId !== organizationId) throw ApiError.notFound('No such incoming webhook.');
    return row;
  }

  private async requestSync(account: LinkedAccount, models: ModelName[], incomingId: string): Promise<void> {
    // Live-mode accounts keep no copy: nothing to sync.
    if (models.length === 0 || account.readMode !== 'stored') return;
    if (!this.sync) {
      this.logger.warn(`incoming webhook ${incomingId}: no sync trigger in this process, nothing requested`);
      return;
    }
    await this.sync.request({ linkedAccountId: account.id, models, kind: 'incremental', reason: 'webhook', delayMs: WEBHOOK_SYNC_DEBOUNCE_MS });
  }

  /** The public URL a vendor notifies. */
  notifyUrl(vendor: string): string {
    return `${this.config.publicUrl}${INCOMING_PATH_PREFIX}${vendor}`;
  }

  /**
   * Registers (or renews) the vendor-side subscription of one linked account, for vendors that
   * subscribe per account. Failures are logged, never thrown: linking must not fail over them, and
   * the scheduled syncs still catch every change.
   */
  async subscribeAccount(linkedAccountId: string): Promise<Date | null> {
    const account = await this.prisma.linkedAccount.findUnique({ where: { id: linkedAccountId } });
    const hooks = account ? adapterFor(account.integration)?.webhooks : undefined;
    if (!account || !hooks?.subscribe || account.readMode !== 'stored' || account.status !== 'COMPLETE') return null;
    const secret = this.secretFor(account.integration as VendorSlug);
    if (!secret || !account.remoteAccountId) {
      this.logger.warn(`linked account ${account.id}: ${secret ? 'vendor account id unknown' : `no ${account.integration} webhook secret configured`}, notifications not subscribed`);
      return null;
    }
    try {
      const { expiresAt } = await hooks.subscribe(this.connections.forAccount(account), { notifyUrl: this.notifyUrl(account.integration), secret, remoteAccountId: account.remoteAccountId });
      return expiresAt;
    } catch (err) {
      this.logger.warn(`linked account ${account.id}: subscribing to ${account.integration} notifications failed: ${(err as Error).message}`);
      return null;
    }
  }

  /** Vendor subscriptions lapse (Zoho channels after at most a week): renewed every 6 hours. */
  @Interval(6 * 3600_000)
  async renewSubscriptions(): Promise<number> {
    const vendors = VENDOR_SLUGS.filter((v) => adapterFor(v)?.webhooks?.subscribe);
    let renewed = 0;
    let after: string | undefined;
    for (;;) {
      const batch = await this.prisma.linkedAccount.findMany({
        where: { integration: { in: vendors }, readMode: 'stored', status: 'COMPLETE', ...(after ? { id: { gt: after } } : {}) },
        orderBy: { id: 'asc' },
        take: 100,
        select: { id: true },
      });
      for (const a of batch) if (await this.subscribeAccount(a.id)) renewed++;
      if (batch.length < 100) return renewed;
      after = batch[batch.length - 1]!.id;
    }
  }

  /** Raw notifications are kept 7 days. */
  @Interval(3600_000)
  async purge(now = new Date()): Promise<number> {
    const { count } = await this.prisma.incomingVendorWebhook.deleteMany({ where: { receivedAt: { lt: new Date(now.getTime() - INCOMING_RETENTION_MS) } } });
    return count;
  }
}
