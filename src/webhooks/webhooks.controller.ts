import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthContext, CurrentAuth } from '../auth/auth-context';
import { PrismaService } from '../database/prisma.service';
import type { WebhookDelivery } from '../generated/prisma/client';
import { CRM_PREFIXES } from '../http/routes';
import { KeysetCursor, keysetPage } from '../linking/cursor';
import { WEBHOOK_CURSORS } from './tokens';
import { WebhookDeliveriesService } from './deliveries.service';
import {
  PaginatedWebhookDeliveryList,
  UpdateWebhookSettingsRequest,
  WebhookDeliveriesQuery,
  WebhookDeliveryDetailDto,
  WebhookDeliveryDto,
  WebhookSettingsDto,
} from './dto';
import { WebhookSettingsService } from './webhook-settings.service';

/** Outgoing webhooks: the organization's target and key, the delivery log, replays. API key only. */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller(CRM_PREFIXES)
export class WebhooksController {
  constructor(
    private readonly settings: WebhookSettingsService,
    private readonly deliveries: WebhookDeliveriesService,
    private readonly prisma: PrismaService,
    @Inject(WEBHOOK_CURSORS) private readonly cursors: KeysetCursor,
  ) {}

  @Get('webhook-settings')
  @ApiOperation({ summary: 'Extension: where events are delivered (target URL, events, signing key prefix).' })
  @ApiOkResponse({ type: WebhookSettingsDto })
  get(@CurrentAuth() auth: AuthContext): Promise<WebhookSettingsDto> {
    return this.settings.get(auth.organizationId);
  }

  @Put('webhook-settings')
  @ApiOperation({
    summary:
      'Extension: set the webhook target URL (http or https) and the events delivered. The first call generates the signing key and returns it once (signing_key); later calls keep it.',
  })
  @ApiOkResponse({ type: WebhookSettingsDto })
  put(@CurrentAuth() auth: AuthContext, @Body() body: UpdateWebhookSettingsRequest): Promise<WebhookSettingsDto> {
    return this.settings.put(auth.organizationId, body);
  }

  @Post('webhook-settings/rotate-key')
  @HttpCode(200)
  @ApiOperation({ summary: 'Extension: replace the signing key; the new key is returned once and signs every later attempt.' })
  @ApiOkResponse({ type: WebhookSettingsDto })
  rotate(@CurrentAuth() auth: AuthContext): Promise<WebhookSettingsDto> {
    return this.settings.rotateKey(auth.organizationId);
  }

  @Delete('webhook-settings')
  @HttpCode(204)
  @ApiOperation({ summary: 'Extension: stop delivering webhooks (pending deliveries fail; the log is kept).' })
  @ApiNoContentResponse()
  async remove(@CurrentAuth() auth: AuthContext): Promise<void> {
    await this.settings.remove(auth.organizationId);
  }

  @Get('webhook-deliveries')
  @ApiOperation({ summary: 'Extension: the delivery log, newest last, filtered by status, event, event_id or linked account.' })
  @ApiOkResponse({ type: PaginatedWebhookDeliveryList })
  async list(@CurrentAuth() auth: AuthContext, @Query() q: WebhookDeliveriesQuery): Promise<PaginatedWebhookDeliveryList> {
    const where: Record<string, unknown> = { organizationId: auth.organizationId };
    if (q.status) where.status = q.status;
    if (q.event) where.event = q.event;
    if (q.event_id) where.eventId = q.event_id;
    if (q.linked_account_id) where.linkedAccountId = q.linked_account_id;
    const page = await keysetPage<WebhookDelivery>(this.cursors, `webhook-deliveries:${auth.organizationId}:${JSON.stringify(where)}`, q.cursor, q.page_size ?? 100, (extra, order, take) =>
      this.prisma.webhookDelivery.findMany({ where: { AND: [where, extra] }, orderBy: { id: order }, take }),
    );
    return { next: page.next, previous: page.previous, results: page.rows.map(deliveryDto) };
  }

  @Get('webhook-deliveries/:id')
  @ApiOperation({ summary: 'Extension: one delivery with every attempt (status code, duration, error) and the body sent.' })
  @ApiOkResponse({ type: WebhookDeliveryDetailDto })
  async one(@CurrentAuth() auth: AuthContext, @Param('id') id: string): Promise<WebhookDeliveryDetailDto> {
    const row = await this.deliveries.find(auth.organizationId, id);
    const attempts = await this.prisma.webhookDeliveryAttempt.findMany({ where: { deliveryId: row.id }, orderBy: { attempt: 'asc' } });
    return {
      ...deliveryDto(row),
      attempt_log: attempts.map((a) => ({ attempt: a.attempt, attempted_at: a.attemptedAt.toISOString(), status_code: a.statusCode, duration_ms: a.durationMs, error: a.error })),
      payload: JSON.parse(row.payload) as Record<string, unknown>,
    };
  }

  @Post('webhook-deliveries/:id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Extension: deliver the same event again (same event id and data) to the current target; answers the new delivery.' })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto })
  async replay(@CurrentAuth() auth: AuthContext, @Param('id') id: string): Promise<WebhookDeliveryDto> {
    return deliveryDto(await this.deliveries.replay(auth.organizationId, id));
  }
}

export function deliveryDto(r: WebhookDelivery): WebhookDeliveryDto {
  return {
    id: r.id,
    event_id: r.eventId,
    event: r.event,
    linked_account_id: r.linkedAccountId,
    target_url: r.targetUrl,
    status: r.status,
    attempts: r.attempts,
    next_attempt_at: r.nextAttemptAt?.toISOString() ?? null,
    last_status_code: r.lastStatusCode,
    last_error: r.lastError,
    delivered_at: r.deliveredAt?.toISOString() ?? null,
    replay_of: r.replayOf,
    created_at: r.createdAt.toISOString(),
  };
}
