import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { type AuthContext, CurrentAuth } from '../auth/auth-context';
import { CRM_PREFIXES } from '../http/routes';
import { CurrentLinkedAccount, LinkedAccountGuard } from '../linked-accounts/account-context';
import type { LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import { SyncStatusService } from './sync-status.service';

const STATUSES = ['SYNCING', 'DONE', 'FAILED', 'DISABLED', 'PAUSED', 'PARTIALLY_SYNCED'];

export class SyncStatusDto {
  @ApiProperty({ example: 'Contact' }) model_name!: string;
  @ApiProperty({ example: 'crm.Contact' }) model_id!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_sync_start!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When the next scheduled sync is due (the account frequency after the last start); null when reads are live.' })
  next_sync_start!: string | null;
  @ApiProperty({ nullable: true, type: String, enum: ['DONE', 'FAILED', 'PARTIALLY_SYNCED'], description: 'How the last finished sync ended (Merge\'s LastSyncResultEnum values).' })
  last_sync_result!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_sync_finished!: string | null;
  @ApiProperty({ enum: STATUSES, description: 'PAUSED: never synced yet; DISABLED: the account reads live and stores nothing.' }) status!: string;
  @ApiProperty({ description: 'True until the first full sync of this model completed (reads of it are served live until then).' }) is_initial_sync!: boolean;
}

export class PaginatedSyncStatusList {
  @ApiProperty({ nullable: true, type: String }) next!: string | null;
  @ApiProperty({ nullable: true, type: String }) previous!: string | null;
  @ApiProperty({ type: [SyncStatusDto] }) results!: SyncStatusDto[];
}

export class SyncStatusQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 500) cursor?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) page_size?: number;
}

export class UpdateLinkedAccountRequest {
  @ApiPropertyOptional({ enum: ['stored', 'live'], description: 'stored: reads come from the synced copy (default); live: every read goes to the CRM and nothing is stored (the stored copy is dropped).' })
  @IsOptional()
  @IsIn(['stored', 'live'])
  read_mode?: 'stored' | 'live';

  @ApiPropertyOptional({ minimum: 1, maximum: 1440, description: 'Minutes between scheduled incremental syncs (default 5).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1440)
  sync_frequency_minutes?: number;
}

export class LinkedAccountSettingsDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['stored', 'live'] }) read_mode!: string;
  @ApiProperty() sync_frequency_minutes!: number;
}

const ACCOUNT_HEADER = { name: 'X-Account-Token', required: true, description: 'Account token of the linked account.' };

@ApiTags('sync status')
@ApiBearerAuth()
@Controller(CRM_PREFIXES)
export class SyncStatusController {
  constructor(private readonly service: SyncStatusService) {}

  @Get('sync-status')
  @UseGuards(LinkedAccountGuard)
  @ApiHeader(ACCOUNT_HEADER)
  @ApiOperation({ summary: 'Sync status of every model of the linked account.', operationId: 'syncStatusList' })
  @ApiOkResponse({ type: PaginatedSyncStatusList })
  list(@CurrentLinkedAccount() account: LinkedAccountRecord, @Query() q: SyncStatusQuery): Promise<PaginatedSyncStatusList> {
    return this.service.page(account, q);
  }

  @Post('sync-status/resync')
  @HttpCode(200)
  @UseGuards(LinkedAccountGuard)
  @ApiHeader(ACCOUNT_HEADER)
  @ApiOperation({ summary: 'Queue a full sync of every model of the linked account; answers the sync statuses.', operationId: 'forceResyncCreate' })
  @ApiOkResponse({ type: [SyncStatusDto] })
  @ApiConflictResponse({ description: 'The account reads live (read_mode live): nothing is stored to resync.' })
  resync(@CurrentLinkedAccount() account: LinkedAccountRecord): Promise<SyncStatusDto[]> {
    return this.service.resync(account);
  }

  @Patch('linked-accounts/:id')
  @ApiOperation({
    summary: "Extension: set a linked account's read mode (stored or live) and sync frequency. Switching to live drops the stored copy; switching to stored queues a full sync (reads stay live until it completes).",
    operationId: 'linkedAccountsPartialUpdate',
  })
  @ApiOkResponse({ type: LinkedAccountSettingsDto })
  update(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Body() body: UpdateLinkedAccountRequest): Promise<LinkedAccountSettingsDto> {
    return this.service.updateSettings(auth.organizationId, id, body);
  }
}
