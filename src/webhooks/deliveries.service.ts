import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { Counter } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { PrismaService } from '../database/prisma.service';
import { ApiError } from '../errors/api-error';
import { EventBus, type SwitchboardEvent } from '../events/event-bus';
import type { WebhookDelivery } from '../generated/prisma/client';
import { MetricsService } from '../observability/metrics';
import { JOB_QUEUE, type JobQueue } from '../queue/job-queue';
import { QUEUE_ROLE, type QueueRole, runsJobs } from '../queue/queue.module';
import { linkedAccountPayload } from './account-payload';
import { nextAttemptAt, RETRY_WINDOW_MS } from './schedule';
import { EVENT_HEADER, EVENT_ID_HEADER, MERGE_SIGNATURE_HEADER, mergeSignature, SIGNATURE_HEADER, timestampedSignature, uuidv7 } from './signing';
import { hostOf, isPrivateAddress, publicOnlyLookup } from './target-guard';
import { WebhookSettingsService } from './webhook-settings.service';

export const DELIVERY_QUEUE = 'webhook-delivery';
/** One attempt waits this long for the receiver's answer. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
/** A claimed attempt not finished by then (the process died) can be claimed again by the sweep. */
const LEASE_MS = ATTEMPT_TIMEOUT_MS * 3;
/** The database is the source of truth: due deliveries are re-dispatched this often (restarts, lost jobs). */
export const SWEEP_INTERVAL_MS = 30_000;
/** The delivery log keeps finished deliveries (and their attempts) this long. */
export const DELIVERY_RETENTION_MS = 30 * 24 * 3600_000;

interface DeliveryJob {
  deliveryId: string;
}

/**
 * Outgoing webhooks. Every event on the EventBus becomes, at once and in the process where it
 * happened, a persisted delivery row (event id, exact body, status, next attempt); the attempts
 * run as jobs on the 'webhook-delivery' queue (BullMQ with Redis, so any worker can send them).
 * A periodic sweep re-dispatches due rows, so nothing is lost when an in-process queue dies with
 * its process. An attempt is claimed with a short lease on the row, so two processes never send
 * the same attempt. Failed attempts are retried with exponential backoff and jitter for 24 hours,
 * then the delivery is FAILED; a replay is a new delivery with the same event id.
 */
@Injectable()
export class WebhookDeliveriesService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private unsubscribe?: () => void;
  private sweepTimer?: NodeJS.Timeout;
  private readonly localTimers = new Set<NodeJS.Timeout>();
  private closing = false;
  private pending: SwitchboardEvent[] = [];
  private flushing?: Promise<void>;
  private readonly attemptsCounter?: Counter<'outcome'>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly settings: WebhookSettingsService,
    private readonly events: EventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(JOB_QUEUE) private readonly queue?: JobQueue,
    @Optional() @Inject(QUEUE_ROLE) private readonly role?: QueueRole,
    @Optional() metrics?: MetricsService,
  ) {
    if (metrics) {
      this.attemptsCounter = new Counter({
        name: 'switchboard_webhook_attempts_total',
        help: 'Outgoing webhook attempts by outcome (delivered, retry: failed and rescheduled, failed: given up).',
        labelNames: ['outcome'],
        registers: [metrics.registry],
      });
    }
  }

  private get runsJobs(): boolean {
    return runsJobs(this.role ?? 'server', this.config);
  }

  onModuleInit(): void {
    this.unsubscribe = this.events.subscribe('*', (e) => this.onEvent(e));
    if (this.queue && this.runsJobs) {
      this.queue.process<DeliveryJob>(DELIVERY_QUEUE, async (job) => {
        await this.attempt(job.deliveryId);
      }, { concurrency: 4 });
    }
  }

  onApplicationBootstrap(): void {
    if (!this.runsJobs) return;
    const sweep = () => void this.sweep().catch((err) => this.logger.warn(`webhook sweep failed: ${(err as Error).message}`));
    this.sweepTimer = setInterval(sweep, SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    // Resume what a previous process left due (in-process queues lose their jobs on restart).
    sweep();
  }

  onModuleDestroy(): void {
    this.closing = true;
    this.unsubscribe?.();
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const t of this.localTimers) clearTimeout(t);
    this.localTimers.clear();
  }

  /**
   * Events arrive in bursts (a sync page publishes one per changed record): they are collected
   * for one turn of the event loop and recorded with one insert per batch.
   */
  private onEvent(e: SwitchboardEvent): Promise<void> {
    this.pending.push(e);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
    return this.flushing;
  }

  private async flush(): Promise<void> {
    this.flushing = undefined;
    while (this.pending.length) {
      const batch = this.pending.splice(0, 500);
      try {
        const rows = await this.recordMany(batch);
        for (const row of rows) await this.dispatch(row.id, 1, 0);
      } catch (err) {
        this.logger.error(`recording ${batch.length} webhook event(s) failed: ${(err as Error).message}`);
      }
    }
  }

  /** Persists the delivery of one event (null when the organization does not receive it). */
  async record(e: SwitchboardEvent): Promise<WebhookDelivery | null> {
    return (await this.recordMany([e]))[0] ?? null;
  }

  /** Persists the deliveries of the events their organizations receive (one insert). */
  async recordMany(events: SwitchboardEvent[]): Promise<WebhookDelivery[]> {
    const accountIds = [...new Set(events.map((e) => e.linkedAccountId).filter((id): id is string => Boolean(id)))];
    const accounts = accountIds.length ? new Map((await this.prisma.linkedAccount.findMany({ where: { id: { in: accountIds } } })).map((a) => [a.id, a])) : new Map();
    const rows: WebhookDelivery[] = [];
    const now = new Date();
    for (const e of events) {
      if (!e.organizationId) continue;
      const settings = await this.settings.cached(e.organizationId);
      if (!settings || !settings.isActive) continue;
      if (settings.events.length > 0 && !settings.events.includes(e.event)) continue;
      let linkedAccount: Record<string, unknown> | null = null;
      if (e.linkedAccountId) {
        const a = accounts.get(e.linkedAccountId);
        // A deleted account is gone by now: its id (and what the event carried) is all there is.
        linkedAccount = a && a.organizationId === e.organizationId ? linkedAccountPayload(a, this.config.publicUrl) : { id: e.linkedAccountId, ...((e.data.linked_account as Record<string, unknown> | undefined) ?? {}) };
      }
      const eventId = randomUUID();
      const payload = JSON.stringify({ hook: { id: settings.id, event: e.event, target: settings.targetUrl, event_id: eventId, occurred_at: e.occurredAt }, linked_account: linkedAccount, data: e.data });
      rows.push({
        id: uuidv7(now.getTime()),
        organizationId: e.organizationId,
        eventId,
        event: e.event,
        linkedAccountId: e.linkedAccountId ?? null,
        targetUrl: settings.targetUrl,
        payload,
        status: 'PENDING',
        attempts: 0,
        nextAttemptAt: now,
        retryUntil: new Date(now.getTime() + RETRY_WINDOW_MS),
        lastStatusCode: null,
        lastError: null,
        deliveredAt: null,
        leaseUntil: null,
        replayOf: null,
        createdAt: now,
      });
    }
    if (rows.length) await this.prisma.webhookDelivery.createMany({ data: rows });
    return rows;
  }

  /** Hands an attempt to the queue (or, without one, to a local timer). */
  private async dispatch(deliveryId: string, attemptNo: number, delayMs: number): Promise<void> {
    if (this.closing) return;
    if (this.queue) {
      // One job id per attempt: a retry enqueued while this attempt's job is still running is not deduplicated away.
      await this.queue.enqueue<DeliveryJob>(DELIVERY_QUEUE, { deliveryId }, { jobId: `webhook:${deliveryId}:${attemptNo}`, delayMs });
      return;
    }
    const t = setTimeout(() => {
      this.localTimers.delete(t);
      void this.attempt(deliveryId).catch((err) => this.logger.warn(`webhook attempt failed: ${(err as Error).message}`));
    }, delayMs);
    t.unref();
    this.localTimers.add(t);
  }

  /** Re-dispatches every due delivery nobody is sending (after restarts, lost jobs, missed timers). */
  async sweep(now = new Date()): Promise<number> {
    const due = await this.prisma.webhookDelivery.findMany({
      where: { status: 'PENDING', nextAttemptAt: { lte: now }, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      orderBy: { nextAttemptAt: 'asc' },
      take: 500,
      select: { id: true, attempts: true },
    });
    for (const d of due) await this.dispatch(d.id, d.attempts + 1, 0);
    return due.length;
  }

  /** Sends the next attempt of a delivery if it is due and nobody else is sending it. */
  async attempt(deliveryId: string): Promise<void> {
    const now = new Date();
    const { count } = await this.prisma.webhookDelivery.updateMany({
      where: { id: deliveryId, status: 'PENDING', nextAttemptAt: { lte: new Date(now.getTime() + 1000) }, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      data: { leaseUntil: new Date(now.getTime() + LEASE_MS) },
    });
    if (count === 0) return; // delivered, failed, not due yet, or another process has it
    const row = await this.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId } });
    const attemptNo = row.attempts + 1;
    const target = await this.settings.forDelivery(row.organizationId);
    if (!target || !target.settings.isActive) {
      await this.finish(row, attemptNo, { statusCode: null, durationMs: 0, error: target ? 'webhooks are paused for this organization' : 'the organization has no webhook settings any more' }, true);
      return;
    }
    // Retries follow the organization to its current target (a moved endpoint loses nothing); the log records where each went.
    if (target.settings.targetUrl !== row.targetUrl) {
      await this.prisma.webhookDelivery.update({ where: { id: row.id }, data: { targetUrl: target.settings.targetUrl } });
      row.targetUrl = target.settings.targetUrl;
    }
    const result = await this.send(row, target.key);
    await this.finish(row, attemptNo, result, false);
  }

  private async send(row: WebhookDelivery, key: string): Promise<{ statusCode: number | null; durationMs: number; error: string | null }> {
    const started = performance.now();
    const t = Math.floor(Date.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Switchboard-Webhooks/1',
      [MERGE_SIGNATURE_HEADER]: mergeSignature(key, row.payload),
      [SIGNATURE_HEADER]: timestampedSignature(key, row.payload, t),
      [EVENT_ID_HEADER]: row.eventId,
      [EVENT_HEADER]: row.event,
      'x-switchboard-delivery-id': row.id,
    };
    try {
      const status = await postOnce(new URL(row.targetUrl), row.payload, headers, this.config.webhooks.allowPrivateTargets);
      const ok = status >= 200 && status < 300;
      return { statusCode: status, durationMs: Math.round(performance.now() - started), error: ok ? null : `the receiver answered HTTP ${status}` };
    } catch (err) {
      const e = err as Error & { code?: string };
      const error =
        e.name === 'TimeoutError'
          ? `no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s`
          : e.code === 'EPRIVATETARGET'
            ? 'the target resolves to a non-public address (WEBHOOK_PRIVATE_TARGETS)'
            : `could not connect${e.code ? ` (${e.code})` : ''}`;
      return { statusCode: null, durationMs: Math.round(performance.now() - started), error };
    }
  }

  private async finish(row: WebhookDelivery, attemptNo: number, result: { statusCode: number | null; durationMs: number; error: string | null }, giveUp: boolean): Promise<void> {
    const now = new Date();
    const delivered = result.error === null;
    const next = delivered || giveUp ? null : nextAttemptAt(attemptNo, now, row.retryUntil, this.config.webhooks.retryBaseMs);
    const status = delivered ? 'DELIVERED' : next ? 'PENDING' : 'FAILED';
    this.attemptsCounter?.inc({ outcome: delivered ? 'delivered' : next ? 'retry' : 'failed' });
    await this.prisma.$transaction([
      this.prisma.webhookDeliveryAttempt.create({ data: { deliveryId: row.id, attempt: attemptNo, attemptedAt: now, statusCode: result.statusCode, durationMs: result.durationMs, error: result.error } }),
      this.prisma.webhookDelivery.update({
        where: { id: row.id },
        data: { attempts: attemptNo, status, nextAttemptAt: next, lastStatusCode: result.statusCode, lastError: result.error, deliveredAt: delivered ? now : null, leaseUntil: null },
      }),
    ]);
    if (next) await this.dispatch(row.id, attemptNo + 1, next.getTime() - now.getTime());
    // The target URL is left out: it may carry the organization's own secrets in its query.
    else if (status === 'FAILED') this.logger.warn(`webhook delivery ${row.id} (${row.event}) failed after ${attemptNo} attempt(s): ${result.error}`);
  }

  /** Finished deliveries older than 30 days leave the log (attempts go with them). */
  @Interval(3600_000)
  async purge(now = new Date()): Promise<number> {
    const { count } = await this.prisma.webhookDelivery.deleteMany({ where: { status: { in: ['DELIVERED', 'FAILED'] }, createdAt: { lt: new Date(now.getTime() - DELIVERY_RETENTION_MS) } } });
    return count;
  }

  /** A new delivery of the same event (same event id and data) to the current target, sent at once. */
  async replay(organizationId: string, deliveryId: string): Promise<WebhookDelivery> {
    const original = await this.find(organizationId, deliveryId);
    const settings = await this.prisma.organizationWebhookSettings.findUnique({ where: { organizationId } });
    if (!settings) throw ApiError.conflict('No webhook settings: PUT /webhook-settings with a target_url first.', 'NO_WEBHOOK_TARGET');
    const body = JSON.parse(original.payload) as { hook: Record<string, unknown> };
    body.hook = { ...body.hook, id: settings.id, target: settings.targetUrl };
    const now = new Date();
    const row = await this.prisma.webhookDelivery.create({
      data: {
        id: uuidv7(now.getTime()),
        organizationId,
        eventId: original.eventId,
        event: original.event,
        linkedAccountId: original.linkedAccountId,
        targetUrl: settings.targetUrl,
        payload: JSON.stringify(body),
        nextAttemptAt: now,
        retryUntil: new Date(now.getTime() + RETRY_WINDOW_MS),
        replayOf: original.id,
      },
    });
    await this.dispatch(row.id, 1, 0);
    return row;
  }

  /** One delivery of the organization, or a 404 (another organization's id included). */
  async find(organizationId: string, deliveryId: string): Promise<WebhookDelivery> {
    if (!/^[0-9a-f-]{36}$/i.test(deliveryId)) throw ApiError.notFound('No such webhook delivery.');
    const row = await this.prisma.webhookDelivery.findUnique({ where: { id: deliveryId } });
    if (!row || row.organizationId !== organizationId) throw ApiError.notFound('No such webhook delivery.');
    return row;
  }
}

/**
 * One POST with node:http(s) (not fetch: it takes a `lookup`, so the resolved address is checked
 * at connect time). Resolves with the status as soon as the headers arrive; redirects are not
 * followed (a 3xx is a failed attempt); the whole attempt is bounded by ATTEMPT_TIMEOUT_MS.
 */
function postOnce(url: URL, body: string, headers: Record<string, string>, allowPrivate: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    if (!allowPrivate && isPrivateAddress(hostOf(url))) {
      // IP literals skip `lookup`.
      reject(Object.assign(new Error('non-public target'), { code: 'EPRIVATETARGET' }));
      return;
    }
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, ...(allowPrivate ? {} : { lookup: publicOnlyLookup }) },
      (res) => {
        clearTimeout(timer);
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    const timer = setTimeout(() => request.destroy(Object.assign(new Error('timed out'), { name: 'TimeoutError' })), ATTEMPT_TIMEOUT_MS);
    request.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    request.end(body);
  });
}
