import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';

export const DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED'] as const;

export class UpdateWebhookSettingsRequest {
  @ApiProperty({ description: 'Where events are POSTed (http or https).', example: 'https://example.com/switchboard/webhooks' })
  @IsString()
  @Length(1, 2000)
  target_url!: string;

  @ApiPropertyOptional({
    description: 'Events to deliver; empty or absent: every event. Names: LinkedAccount.linked, LinkedAccount.sync_completed, LinkedAccount.relink_needed, LinkedAccount.deleted, <Model>.added, <Model>.changed, <Model>.deleted (Model as in Contact, Account, ...).',
    example: ['LinkedAccount.linked', 'Contact.changed'],
    type: [String],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  events?: string[];

  @ApiPropertyOptional({ description: 'false pauses deliveries (pending ones fail and can be replayed).', default: true })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;
}

export class WebhookSettingsDto {
  @ApiProperty({ format: 'uuid', description: 'Receiver id: the hook.id of every payload.' }) id!: string;
  @ApiProperty() target_url!: string;
  @ApiProperty({ type: [String], description: 'Delivered events; empty: every event.' }) events!: string[];
  @ApiProperty() is_active!: boolean;
  @ApiProperty({ description: 'First characters of the signing key.', example: 'whsec_AbC' }) signing_key_prefix!: string;
  @ApiPropertyOptional({
    description: 'The signing key, present only in the answer that created or rotated it (stored encrypted, never shown again).',
  })
  signing_key?: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class WebhookDeliveriesQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES }) @IsOptional() @IsIn(DELIVERY_STATUSES) status?: string;
  @ApiPropertyOptional({ example: 'Contact.changed' }) @IsOptional() @IsString() @Length(1, 100) event?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() event_id?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() linked_account_id?: string;
  @ApiPropertyOptional({ description: 'Opaque cursor from next or previous.' }) @IsOptional() @IsString() @Length(1, 500) cursor?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) page_size?: number;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'Stable across retries and replays: deduplicate on it (also sent as X-Switchboard-Event-Id).' }) event_id!: string;
  @ApiProperty({ example: 'Contact.changed' }) event!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) linked_account_id!: string | null;
  @ApiProperty({ description: 'Where the latest attempt went (retries follow the current target URL).' }) target_url!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) next_attempt_at!: string | null;
  @ApiProperty({ nullable: true, type: Number }) last_status_code!: number | null;
  @ApiProperty({ nullable: true, type: String }) last_error!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) delivered_at!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The delivery this one replays.' }) replay_of!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class WebhookAttemptDto {
  @ApiProperty() attempt!: number;
  @ApiProperty({ format: 'date-time' }) attempted_at!: string;
  @ApiProperty({ nullable: true, type: Number, description: "The receiver's HTTP status; null when it could not be reached." }) status_code!: number | null;
  @ApiProperty() duration_ms!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
}

export class WebhookDeliveryDetailDto extends WebhookDeliveryDto {
  @ApiProperty({ type: [WebhookAttemptDto] }) attempt_log!: WebhookAttemptDto[];
  @ApiProperty({ type: Object, description: 'The JSON body delivered: {hook, linked_account, data}.' }) payload!: Record<string, unknown>;
}

export class PaginatedWebhookDeliveryList {
  @ApiProperty({ nullable: true, type: String }) next!: string | null;
  @ApiProperty({ nullable: true, type: String }) previous!: string | null;
  @ApiProperty({ type: [WebhookDeliveryDto] }) results!: WebhookDeliveryDto[];
}

export class IncomingWebhooksQuery {
  @ApiPropertyOptional({ example: 'hubspot' }) @IsOptional() @IsString() @Length(1, 50) vendor?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() linked_account_id?: string;
  @ApiPropertyOptional({ description: 'Opaque cursor from next or previous.' }) @IsOptional() @IsString() @Length(1, 500) cursor?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) page_size?: number;
}

export class IncomingWebhookDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'hubspot' }) vendor!: string;
  @ApiProperty({ format: 'uuid' }) linked_account_id!: string;
  @ApiProperty({ type: [String], description: 'Common models the notification concerned (each was asked to sync).' }) models!: string[];
  @ApiProperty({ description: 'Vendor records the notification named for this linked account.' }) record_count!: number;
  @ApiProperty({ format: 'date-time' }) received_at!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) replayed_at!: string | null;
}

export class PaginatedIncomingWebhookList {
  @ApiProperty({ nullable: true, type: String }) next!: string | null;
  @ApiProperty({ nullable: true, type: String }) previous!: string | null;
  @ApiProperty({ type: [IncomingWebhookDto] }) results!: IncomingWebhookDto[];
}
