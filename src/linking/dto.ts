import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { VENDOR_SLUGS } from '../integrations/registry';

export class EndUserDetailsRequest {
  @ApiProperty({ description: "The end user's e-mail address.", example: 'pat@acme.example' })
  @IsEmail()
  @Length(1, 320)
  end_user_email_address!: string;

  @ApiProperty({ description: "The end user's organization (shown on the Link page).", example: 'Acme Inc.' })
  @IsString()
  @Length(1, 200)
  end_user_organization_name!: string;

  @ApiProperty({ description: "Your own stable id of the end user or their organization; re-links match on it.", example: 'acme-42' })
  @IsString()
  @Length(1, 200)
  end_user_origin_id!: string;

  @ApiProperty({ description: 'Categories; only "crm" is served.', example: ['crm'], type: [String] })
  @IsArray()
  @ArrayMaxSize(5)
  @IsIn(['crm'], { each: true })
  categories!: string[];

  @ApiPropertyOptional({ description: `Vendor slug to go straight to (${VENDOR_SLUGS.join(', ')}); omit to let the end user pick.`, example: 'hubspot', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  integration?: string | null;

  @ApiPropertyOptional({ description: 'Minutes the link token stays valid (1 to 10080). Default 30, or 7 days for magic links.', example: 30 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10080)
  link_expiry_mins?: number;

  @ApiPropertyOptional({ description: 'Also answer a magic link URL the end user can open directly (e-mail, chat).', example: false })
  @IsOptional()
  @IsBoolean()
  should_create_magic_link_url?: boolean;

  @ApiPropertyOptional({
    description: 'Extension: login host choice for vendors that have several (e.g. "sandbox" for Salesforce sandbox orgs at test.salesforce.com, "production" otherwise).',
    example: 'production',
  })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  login_environment?: string;
}

export class LinkTokenResponse {
  @ApiProperty({ description: 'Opens the hosted Link page: GET /link?link_token=… (single end user, expires).' })
  link_token!: string;

  @ApiProperty({ nullable: true, type: String, example: 'HubSpot (sandbox)' })
  integration_name!: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'Present when should_create_magic_link_url was true.' })
  magic_link_url!: string | null;
}

export class AccountIntegrationDto {
  @ApiProperty({ example: 'HubSpot (sandbox)' }) name!: string;
  @ApiProperty({ example: 'hubspot' }) slug!: string;
  @ApiProperty({ example: ['crm'], type: [String] }) categories!: string[];
  @ApiProperty() image!: string;
  @ApiProperty() square_image!: string;
  @ApiProperty({ example: '#EA580C' }) color!: string;
  @ApiProperty({ description: 'Extension: served by a built-in sandbox vendor.' }) is_sandbox!: boolean;
}

export class AccountTokenResponse {
  @ApiProperty({ description: 'Send as X-Account-Token on account-scoped routes. Shown once; stored hashed.' }) account_token!: string;
  @ApiProperty({ type: AccountIntegrationDto }) integration!: AccountIntegrationDto;
  @ApiProperty({ description: 'Linked account id.', format: 'uuid' }) id!: string;
}

export class RegenerateAccountTokenResponse {
  @ApiProperty({ description: 'The new account token; the previous one stops working.' }) account_token!: string;
  @ApiProperty({ format: 'uuid' }) id!: string;
}

export class ModelOperationDto {
  @ApiProperty({ example: 'Contact' }) model_name!: string;
  @ApiProperty({ type: [String], example: ['FETCH', 'CREATE', 'UPDATE'] }) available_operations!: string[];
  @ApiProperty({ type: [String] }) required_post_parameters!: string[];
  @ApiProperty({ type: [String] }) supported_fields!: string[];
}

export class AccountDetailsResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'HubSpot (sandbox)' }) integration!: string;
  @ApiProperty({ example: 'hubspot' }) integration_slug!: string;
  @ApiProperty({ example: 'crm' }) category!: string;
  @ApiProperty({ nullable: true, type: String }) end_user_origin_id!: string | null;
  @ApiProperty({ nullable: true, type: String }) end_user_organization_name!: string | null;
  @ApiProperty({ nullable: true, type: String }) end_user_email_address!: string | null;
  @ApiProperty({ enum: ['COMPLETE', 'INCOMPLETE', 'RELINK_NEEDED', 'IDLE'] }) status!: string;
  @ApiProperty({ example: '' }) webhook_listener_url!: string;
  @ApiProperty({ nullable: true, type: Boolean }) is_duplicate!: boolean | null;
  @ApiProperty({ enum: ['PRODUCTION', 'SANDBOX'] }) account_type!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completed_at!: string | null;
  @ApiProperty({ description: 'Extension: linked against a built-in sandbox vendor.' }) is_sandbox!: boolean;
  @ApiProperty({ nullable: true, type: String, description: "Extension: the vendor's account id (org id, hub id)." }) remote_account_id!: string | null;
}

export class AccountDetailsAndActionsIntegrationDto extends AccountIntegrationDto {
  @ApiProperty() passthrough_available!: boolean;
  @ApiProperty({ type: [ModelOperationDto] }) available_model_operations!: ModelOperationDto[];
}

export class AccountDetailsAndActionsDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'crm' }) category!: string;
  @ApiProperty({ enum: ['COMPLETE', 'INCOMPLETE', 'RELINK_NEEDED', 'IDLE'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) status_detail!: string | null;
  @ApiProperty({ nullable: true, type: String }) end_user_origin_id!: string | null;
  @ApiProperty({ nullable: true, type: String }) end_user_organization_name!: string | null;
  @ApiProperty({ nullable: true, type: String }) end_user_email_address!: string | null;
  @ApiProperty({ nullable: true, type: String }) subdomain!: string | null;
  @ApiProperty() webhook_listener_url!: string;
  @ApiProperty({ nullable: true, type: Boolean }) is_duplicate!: boolean | null;
  @ApiProperty({ type: AccountDetailsAndActionsIntegrationDto }) integration!: AccountDetailsAndActionsIntegrationDto;
  @ApiProperty({ enum: ['PRODUCTION', 'SANDBOX'] }) account_type!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completed_at!: string | null;
  @ApiProperty({ description: 'Extension.' }) is_sandbox!: boolean;
}

export class PaginatedAccountDetailsAndActionsList {
  @ApiProperty({ nullable: true, type: String }) next!: string | null;
  @ApiProperty({ nullable: true, type: String }) previous!: string | null;
  @ApiProperty({ type: [AccountDetailsAndActionsDto] }) results!: AccountDetailsAndActionsDto[];
}

export class LinkedAccountsQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) end_user_origin_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 320) end_user_email_address?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) end_user_organization_name?: string;
  @ApiPropertyOptional({ description: 'Slug or name, e.g. hubspot or "HubSpot".' }) @IsOptional() @IsString() @Length(1, 100) integration_name?: string;
  @ApiPropertyOptional({ enum: ['COMPLETE', 'INCOMPLETE', 'RELINK_NEEDED', 'IDLE'] }) @IsOptional() @IsIn(['COMPLETE', 'INCOMPLETE', 'RELINK_NEEDED', 'IDLE']) status?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() id?: string;
  @ApiPropertyOptional({ enum: ['crm'] }) @IsOptional() @IsIn(['crm']) category?: string;
  @ApiPropertyOptional({ description: 'Opaque cursor from next or previous.' }) @IsOptional() @IsString() @Length(1, 500) cursor?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) page_size?: number;
}

export class AvailableActionsResponse {
  @ApiProperty({ type: AccountIntegrationDto }) integration!: AccountIntegrationDto;
  @ApiProperty() passthrough_available!: boolean;
  @ApiProperty({ type: [ModelOperationDto] }) available_model_operations!: ModelOperationDto[];
}

export class DeleteAccountResponse {
  @ApiProperty({ example: 'DELETED' }) status!: string;
  @ApiProperty({ description: 'Whether the vendor confirmed the revocation of the tokens.' }) revoked_at_vendor!: boolean;
}

export class IssueEndUserDto {
  @ApiProperty({ format: 'uuid', description: 'The linked account with the problem.', example: '0f3c7a52-8d1e-4b6f-9a27-5e4d3c2b1a90' }) linked_account_id!: string;
  @ApiProperty({ nullable: true, type: String, example: 'acme-42' }) end_user_origin_id!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Acme Inc.' }) end_user_organization_name!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'pat@acme.example' }) end_user_email_address!: string | null;
  @ApiProperty({ description: 'Integration slug.', example: 'hubspot' }) integration!: string;
}

export class IssueDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['ONGOING', 'RESOLVED'] }) status!: string;
  @ApiProperty() error_description!: string;
  @ApiProperty({ type: IssueEndUserDto, description: 'The linked account (id, end user fields, integration).' }) end_user!: IssueEndUserDto;
  @ApiProperty({ format: 'date-time' }) first_incident_time!: string;
  @ApiProperty({ format: 'date-time' }) last_incident_time!: string;
  @ApiProperty({ example: false }) is_muted!: boolean;
  @ApiProperty({ type: [String] }) error_details!: string[];
}

export class PaginatedIssueList {
  @ApiProperty({ nullable: true, type: String }) next!: string | null;
  @ApiProperty({ nullable: true, type: String }) previous!: string | null;
  @ApiProperty({ type: [IssueDto] }) results!: IssueDto[];
}

export class IssuesQuery {
  @ApiPropertyOptional({ enum: ['ONGOING', 'RESOLVED'] }) @IsOptional() @IsIn(['ONGOING', 'RESOLVED']) status?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() linked_account_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) end_user_organization_name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 500) cursor?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) page_size?: number;
}

export class LinkSettingsDto {
  @ApiProperty({ type: [String], description: 'Origins (scheme://host[:port]) allowed to open the Link popup and receive the public token by postMessage.', example: ['https://app.example.com'] })
  allowed_origins!: string[];
  @ApiProperty({ type: [String], description: 'URLs the full-page Link flow may return to (origin and path must match exactly; the query may differ).', example: ['https://app.example.com/integrations/done'] })
  allowed_redirect_urls!: string[];
  @ApiProperty({ type: [String], description: 'Vendor slugs shown on the Link page; empty: every vendor available on this server.', example: [] })
  enabled_integrations!: string[];
}

export class UpdateLinkSettingsRequest {
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @Length(1, 2000, { each: true }) allowed_origins?: string[];
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @Length(1, 2000, { each: true }) allowed_redirect_urls?: string[];
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(10) @IsString({ each: true }) @Length(1, 50, { each: true }) enabled_integrations?: string[];
}
