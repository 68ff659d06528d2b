import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AuthContext, CurrentAuth, Public } from '../../auth/auth-context';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { PrismaService } from '../../database/prisma.service';
import type { IncomingVendorWebhook } from '../../generated/prisma/client';
import { CRM_PREFIXES } from '../../http/routes';
import { adapterFor, VENDOR_SLUGS } from '../../integrations/registry';
import { KeysetCursor, keysetPage } from '../../linking/cursor';
import { IncomingWebhookDto, IncomingWebhooksQuery, PaginatedIncomingWebhookList } from '../dto';
import { WEBHOOK_CURSORS } from '../tokens';
import { IncomingWebhooksService } from './incoming.service';
import { rawBodyOf } from './raw-body';

/** Registered vendors that receive notifications, sorted so the document does not depend on registration order. */
const WEBHOOK_VENDORS = VENDOR_SLUGS.filter((v) => adapterFor(v)?.webhooks).sort();

/** The public endpoint vendors notify (no API key: each vendor's own verification applies). */
@ApiTags('webhooks')
@Controller('webhooks/vendors')
export class IncomingVendorController {
  constructor(
    private readonly incoming: IncomingWebhooksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Post(':vendor')
  @ApiOperation({
    summary:
      'Vendor notifications: HubSpot webhooks (X-HubSpot-Signature-v3 within 5 minutes), Zoho notification channels (channel token), Salesforce outbound messages (answered with the SOAP Ack). Each asks for an incremental sync of the models it names. Bad signature, stale timestamp or wrong token: 401.',
  })
  @ApiParam({ name: 'vendor', enum: WEBHOOK_VENDORS, description: 'The CRM sending the notification.' })
  @ApiConsumes('application/json', 'text/xml')
  @ApiBody({ description: "The vendor's own notification body, verified with its signature or token.", schema: {} })
  @ApiOkResponse({
    description: 'Accepted; the acknowledgement the vendor expects (the SOAP Ack for Salesforce).',
    content: { 'application/json': { schema: { type: 'object', properties: { received: { type: 'boolean' } }, required: ['received'] } }, 'text/xml': { schema: { type: 'string' } } },
  })
  @ApiResponse({
    status: 400,
    description: 'The body is not a notification of this vendor.',
    schema: { $ref: '#/components/schemas/Error' },
    example: { detail: 'body: not a HubSpot notification', code: 'INVALID_PARAMETER', errors: [{ source: { pointer: '/body' }, detail: 'not a HubSpot notification' }] },
  })
  @ApiResponse({
    status: 404,
    description: 'No incoming webhooks for this vendor on this server.',
    schema: { $ref: '#/components/schemas/Error' },
    example: { detail: 'No incoming webhooks for "acme".', code: 'NOT_FOUND', errors: [] },
  })
  @ApiResponse({
    status: 401,
    description: 'Bad signature, stale timestamp, wrong token, or no account linked on this server.',
    schema: { $ref: '#/components/schemas/Error' },
    example: { detail: 'The HubSpot notification was rejected: signature mismatch.', code: 'INVALID_WEBHOOK', errors: [] },
  })
  async receive(@Param('vendor') vendor: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    const result = await this.incoming.receive(vendor, { method: request.method, url: `${this.config.publicUrl}${request.url}`, headers, rawBody: rawBodyOf(request) });
    await reply.code(200).type(result.contentType).send(result.body);
  }
}

/** Stored vendor notifications of the organization's linked accounts (7 days) and their replay. */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller(CRM_PREFIXES)
export class IncomingWebhooksController {
  constructor(
    private readonly incoming: IncomingWebhooksService,
    private readonly prisma: PrismaService,
    @Inject(WEBHOOK_CURSORS) private readonly cursors: KeysetCursor,
  ) {}

  @Get('incoming-webhooks')
  @ApiOperation({ summary: "Extension: vendor notifications received for the organization's linked accounts in the last 7 days." })
  @ApiOkResponse({ type: PaginatedIncomingWebhookList })
  async list(@CurrentAuth() auth: AuthContext, @Query() q: IncomingWebhooksQuery): Promise<PaginatedIncomingWebhookList> {
    const where: Record<string, unknown> = { organizationId: auth.organizationId };
    if (q.vendor) where.vendor = q.vendor;
    if (q.linked_account_id) where.linkedAccountId = q.linked_account_id;
    const page = await keysetPage<IncomingVendorWebhook & { createdAt: Date }>(this.cursors, `incoming-webhooks:${auth.organizationId}:${JSON.stringify(where)}`, q.cursor, q.page_size ?? 100, async (extra, order, take) =>
      (await this.prisma.incomingVendorWebhook.findMany({ where: { AND: [where, extra] }, orderBy: { id: order }, take })).map((r) => ({ ...r, createdAt: r.receivedAt })),
    );
    return { next: page.next, previous: page.previous, results: page.rows.map(incomingDto) };
  }

  @Post('incoming-webhooks/:id/replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Extension: ask again for the syncs a stored vendor notification asked for.' })
  @ApiOkResponse({ type: IncomingWebhookDto })
  async replay(@CurrentAuth() auth: AuthContext, @Param('id') id: string): Promise<IncomingWebhookDto> {
    return incomingDto(await this.incoming.replay(auth.organizationId, id));
  }
}

function incomingDto(r: IncomingVendorWebhook): IncomingWebhookDto {
  return {
    id: r.id,
    vendor: r.vendor,
    linked_account_id: r.linkedAccountId,
    models: r.models,
    record_count: r.recordCount,
    received_at: r.receivedAt.toISOString(),
    replayed_at: r.replayedAt?.toISOString() ?? null,
  };
}

