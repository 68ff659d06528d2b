import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeysService } from '../auth/api-keys.service';
import { type AuthContext, CurrentAuth } from '../auth/auth-context';
import { CRM_PREFIXES } from '../http/routes';
import { GenerateRemoteKeyRequest, PingResponse, RemoteKey } from './keys.dto';

@ApiTags('api keys')
@ApiBearerAuth()
@Controller(CRM_PREFIXES)
export class KeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post('generate-key')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a new API key for the calling organization (the key is shown once).' })
  @ApiOkResponse({ type: RemoteKey })
  async generate(@CurrentAuth() auth: AuthContext, @Body() body: GenerateRemoteKeyRequest): Promise<RemoteKey> {
    const created = await this.keys.create(auth.organizationId, body.name);
    return { name: created.name, key: created.key };
  }

  @Post('regenerate-key')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replace the API key used for this request: a new key is returned and the old one stops working.' })
  @ApiOkResponse({ type: RemoteKey })
  async regenerate(@CurrentAuth() auth: AuthContext, @Body() body: GenerateRemoteKeyRequest): Promise<RemoteKey> {
    const created = await this.keys.create(auth.organizationId, body.name);
    await this.keys.revoke(auth.organizationId, auth.apiKeyId);
    return { name: created.name, key: created.key };
  }

  @Get('ping')
  @ApiOperation({ summary: 'Checks an API key: answers the organization it belongs to (extension).' })
  @ApiOkResponse({ type: PingResponse })
  ping(@CurrentAuth() auth: AuthContext): { ok: true; organization_id: string } {
    return { ok: true, organization_id: auth.organizationId };
  }
}
