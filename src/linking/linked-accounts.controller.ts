import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthContext, CurrentAuth } from '../auth/auth-context';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { PrismaService } from '../database/prisma.service';
import { ApiError } from '../errors/api-error';
import type { LinkedAccount, LinkedAccountIssue } from '../generated/prisma/client';
import { CRM_PREFIXES } from '../http/routes';
import { adapterFor, VENDOR_SLUGS } from '../integrations/registry';
import { CurrentLinkedAccount, LinkedAccountGuard } from '../linked-accounts/account-context';
import type { LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import { KeysetCursor, keysetPage } from './cursor';
import {
  AccountDetailsAndActionsDto,
  AccountDetailsResponse,
  AccountTokenResponse,
  AvailableActionsResponse,
  DeleteAccountResponse,
  EndUserDetailsRequest,
  IssueDto,
  IssuesQuery,
  LinkedAccountsQuery,
  LinkSettingsDto,
  LinkTokenResponse,
  ModelOperationDto,
  PaginatedAccountDetailsAndActionsList,
  PaginatedIssueList,
  RegenerateAccountTokenResponse,
  UpdateLinkSettingsRequest,
} from './dto';
import { integrationInfo } from './integrations';
import { LinkService } from './link.service';
import { LINKING_CURSORS } from './tokens';

const ACCOUNT_HEADER = { name: 'X-Account-Token', required: true, description: 'Account token of the linked account.' };

@ApiTags('linked accounts')
@ApiBearerAuth()
@Controller(CRM_PREFIXES)
export class LinkedAccountsController {
  constructor(
    private readonly link: LinkService,
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LINKING_CURSORS) private readonly cursors: KeysetCursor,
  ) {}

  @Post('link-token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a link token for one end user: opens the hosted Link page (GET /link?link_token=…) or a magic link.' })
  @ApiOkResponse({ type: LinkTokenResponse })
  createLinkToken(@CurrentAuth() auth: AuthContext, @Body() body: EndUserDetailsRequest): Promise<LinkTokenResponse> {
    return this.link.createLinkToken(auth.organizationId, {
      endUserOriginId: body.end_user_origin_id,
      endUserEmailAddress: body.end_user_email_address,
      endUserOrganizationName: body.end_user_organization_name,
      integration: body.integration ?? null,
      linkExpiryMins: body.link_expiry_mins,
      magicLink: body.should_create_magic_link_url ?? false,
      loginEnvironment: body.login_environment ?? null,
    });
  }

  @Get('account-token/:public_token')
  @ApiOperation({ summary: 'Exchange the public token from the Link page for the account token (single use, short-lived).' })
  @ApiOkResponse({ type: AccountTokenResponse })
  exchange(@CurrentAuth() auth: AuthContext, @Param('public_token') publicToken: string): Promise<AccountTokenResponse> {
    return this.link.exchangePublicToken(auth.organizationId, publicToken);
  }

  @Post('account-token/regenerate')
  @HttpCode(200)
  @UseGuards(LinkedAccountGuard)
  @ApiHeader(ACCOUNT_HEADER)
  @ApiOperation({ summary: 'Replace the account token of the linked account: the new one is returned once and the old one stops working.' })
  @ApiOkResponse({ type: RegenerateAccountTokenResponse })
  async regenerate(@CurrentLinkedAccount() account: LinkedAccountRecord): Promise<RegenerateAccountTokenResponse> {
    return { account_token: await this.link.mintAccountToken(account.id), id: account.id };
  }

  @Get('linked-accounts')
  @ApiOperation({ summary: "List the organization's linked accounts." })
  @ApiOkResponse({ type: PaginatedAccountDetailsAndActionsList })
  async list(@CurrentAuth() auth: AuthContext, @Query() q: LinkedAccountsQuery): Promise<PaginatedAccountDetailsAndActionsList> {
    const where: Record<string, unknown> = { organizationId: auth.organizationId };
    if (q.end_user_origin_id) where.endUserOriginId = q.end_user_origin_id;
    if (q.end_user_email_address) where.endUserEmailAddress = q.end_user_email_address;
    if (q.end_user_organization_name) where.endUserOrganizationName = q.end_user_organization_name;
    if (q.status) where.status = q.status;
    if (q.id) where.id = q.id;
    if (q.integration_name) {
      const wanted = q.integration_name.trim().toLowerCase().replace(/ \(sandbox\)$/, '');
      const slugs = VENDOR_SLUGS.filter((s) => s === wanted || adapterFor(s)?.displayName.toLowerCase() === wanted);
      where.integration = { in: slugs };
    }
    const page = await keysetPage<LinkedAccount>(this.cursors, `linked-accounts:${auth.organizationId}:${JSON.stringify(where)}`, q.cursor, q.page_size ?? 100, (extra, order, take) =>
      this.prisma.linkedAccount.findMany({ where: { AND: [where, extra] }, orderBy: { id: order }, take }),
    );
    return { next: page.next, previous: page.previous, results: page.rows.map((a) => this.detailsAndActions(a)) };
  }

  @Get('account-details')
  @UseGuards(LinkedAccountGuard)
  @ApiHeader(ACCOUNT_HEADER)
  @ApiOperation({ summary: 'The linked account selected by X-Account-Token.' })
  @ApiOkResponse({ type: AccountDetailsResponse })
  async details(@CurrentLinkedAccount() selected: LinkedAccountRecord): Promise<AccountDetailsResponse> {
    const a = (await this.prisma.linkedAccount.findUnique({ where: { id: selected.id } })) ?? selected;
    const info = integrationInfo(a.integration, a.isSandbox, this.config.publicUrl);
    return {
      id: a.id,
      integration: info.name,
      integration_slug: a.integration,
      category: 'crm',
      end_user_origin_id: a.endUserOriginId,
      end_user_organization_name: a.endUserOrganizationName,
      end_user_email_address: a.endUserEmailAddress,
      status: a.status,
      // Where this account's vendor notifications are received (src/webhooks/incoming).
      webhook_listener_url: `${this.config.publicUrl}/webhooks/vendors/${a.integration}`,
      is_duplicate: null,
      account_type: a.isSandbox ? 'SANDBOX' : 'PRODUCTION',
      completed_at: (a.completedAt ?? a.createdAt).toISOString(),
      is_sandbox: a.isSandbox,
      remote_account_id: a.remoteAccountId,
    };
  }

  @Get('available-actions')
  @UseGuards(LinkedAccountGuard)
  @ApiHeader(ACCOUNT_HEADER)
  @ApiOperation({ summary: 'What this linked account supports: models and operations, pass-through.' })
  @ApiOkResponse({ type: AvailableActionsResponse })
  actions(@CurrentLinkedAccount() a: LinkedAccountRecord): AvailableActionsResponse {
    const info = integrationInfo(a.integration, a.isSandbox, this.config.publicUrl);
    return { integration: info, passthrough_available: true, available_model_operations: this.operations(a.integration) };
  }

  @Post('delete-account')
  @HttpCode(200)
  @UseGuards(LinkedAccountGuard)
  @ApiHeader(ACCOUNT_HEADER)
  @ApiOperation({ summary: 'Delete the linked account: revokes its tokens at the vendor and purges its tokens and stored data.' })
  @ApiOkResponse({ type: DeleteAccountResponse })
  async deleteAccount(@CurrentAuth() auth: AuthContext, @CurrentLinkedAccount() a: LinkedAccountRecord): Promise<DeleteAccountResponse> {
    const { revoked } = await this.link.deleteAccount(auth.organizationId, a.id);
    return { status: 'DELETED', revoked_at_vendor: revoked };
  }

  @Get('issues')
  @ApiOperation({ summary: 'Problems with linked accounts (refresh failures needing a re-link, ...).' })
  @ApiOkResponse({ type: PaginatedIssueList })
  async issues(@CurrentAuth() auth: AuthContext, @Query() q: IssuesQuery): Promise<PaginatedIssueList> {
    const where: Record<string, unknown> = { organizationId: auth.organizationId };
    if (q.status) where.status = q.status;
    if (q.linked_account_id) where.linkedAccountId = q.linked_account_id;
    if (q.end_user_organization_name) where.linkedAccount = { endUserOrganizationName: q.end_user_organization_name };
    type Row = LinkedAccountIssue & { linkedAccount: LinkedAccount; createdAt: Date };
    const page = await keysetPage<Row>(this.cursors, `issues:${auth.organizationId}:${JSON.stringify(where)}`, q.cursor, q.page_size ?? 100, async (extra, order, take) =>
      (await this.prisma.linkedAccountIssue.findMany({ where: { AND: [where, extra] }, orderBy: { id: order }, take, include: { linkedAccount: true } })).map((r) => ({ ...r, createdAt: r.firstIncidentTime })),
    );
    return { next: page.next, previous: page.previous, results: page.rows.map((r) => this.issue(r)) };
  }

  @Get('issues/:id')
  @ApiOperation({ summary: 'One issue.' })
  @ApiOkResponse({ type: IssueDto })
  async oneIssue(@CurrentAuth() auth: AuthContext, @Param('id') id: string): Promise<IssueDto> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw ApiError.notFound('No such issue.');
    const r = await this.prisma.linkedAccountIssue.findUnique({ where: { id }, include: { linkedAccount: true } });
    if (!r || r.organizationId !== auth.organizationId) throw ApiError.notFound('No such issue.');
    return this.issue(r);
  }

  @Get('link-settings')
  @ApiOperation({ summary: 'Extension: the Link allowlists of the organization (return URLs, postMessage origins) and the vendors it offers.' })
  @ApiOkResponse({ type: LinkSettingsDto })
  settings(@CurrentAuth() auth: AuthContext): Promise<LinkSettingsDto> {
    return this.link.settings(auth.organizationId);
  }

  @Put('link-settings')
  @ApiOperation({
    summary: 'Extension: set the Link allowlists. The hosted Link page returns only to these URLs and posts the public token only to these origins.',
  })
  @ApiOkResponse({ type: LinkSettingsDto })
  updateSettings(@CurrentAuth() auth: AuthContext, @Body() body: UpdateLinkSettingsRequest): Promise<LinkSettingsDto> {
    return this.link.updateSettings(auth.organizationId, body);
  }

  private issue(r: LinkedAccountIssue & { linkedAccount: LinkedAccount }): IssueDto {
    const a = r.linkedAccount;
    return {
      id: r.id,
      status: r.status,
      error_description: r.errorDescription,
      end_user: {
        linked_account_id: a.id,
        end_user_origin_id: a.endUserOriginId,
        end_user_organization_name: a.endUserOrganizationName,
        end_user_email_address: a.endUserEmailAddress,
        integration: a.integration,
      },
      first_incident_time: r.firstIncidentTime.toISOString(),
      last_incident_time: r.lastIncidentTime.toISOString(),
      is_muted: r.isMuted,
      error_details: r.errorDetails,
    };
  }

  private operations(slug: string): ModelOperationDto[] {
    const adapter = adapterFor(slug);
    if (!adapter) return [];
    return adapter.models.map((model) => {
      const writable = adapter.writableModels.includes(model);
      let create: { field: string; required: boolean }[];
      try {
        create = writable ? adapter.writableFields(model, 'create') : [];
      } catch {
        create = [];
      }
      return {
        model_name: model,
        available_operations: writable ? ['FETCH', 'CREATE', 'UPDATE', 'DELETE'] : ['FETCH'],
        required_post_parameters: create.filter((f) => f.required).map((f) => f.field),
        supported_fields: create.map((f) => f.field),
      };
    });
  }

  private detailsAndActions(a: LinkedAccount): AccountDetailsAndActionsDto {
    const info = integrationInfo(a.integration, a.isSandbox, this.config.publicUrl);
    return {
      id: a.id,
      category: 'crm',
      status: a.status,
      status_detail: a.status === 'RELINK_NEEDED' ? 'The authorization expired or was revoked; the end user must link the account again.' : null,
      end_user_origin_id: a.endUserOriginId,
      end_user_organization_name: a.endUserOrganizationName,
      end_user_email_address: a.endUserEmailAddress,
      subdomain: null,
      // Where this account's vendor notifications are received (src/webhooks/incoming).
      webhook_listener_url: `${this.config.publicUrl}/webhooks/vendors/${a.integration}`,
      is_duplicate: null,
      integration: { ...info, passthrough_available: true, available_model_operations: this.operations(a.integration) },
      account_type: a.isSandbox ? 'SANDBOX' : 'PRODUCTION',
      completed_at: (a.completedAt ?? a.createdAt).toISOString(),
      is_sandbox: a.isSandbox,
    };
  }
}
