import { Body, Controller, Get, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExtraModels, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CRM_PREFIXES } from '../http/routes';
import { CurrentLinkedAccount, LinkedAccountGuard } from '../linked-accounts/account-context';
import type { LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import { AsyncPassthroughService } from './async-passthrough.service';
import { AsyncPassthroughReciept, DataPassthroughRequest, MultipartFormFieldRequest, RemoteResponse } from './dto';
import { type PassthroughInput, PassthroughService } from './passthrough.service';

const ACCOUNT_HEADER = { name: 'X-Account-Token', required: true, description: 'Account token of the linked account.' };
const errorSchema = { $ref: '#/components/schemas/Error' };
const commonErrors = [
  ApiResponse({ status: 400, description: 'Invalid request: the error names the field (e.g. /body/path for a path that leaves the vendor host, /body/headers/authorization for an auth header).', schema: errorSchema }),
  ApiResponse({ status: 401, description: 'Missing or invalid API key.', schema: errorSchema }),
  ApiResponse({ status: 404, description: 'Unknown account token.', schema: errorSchema }),
];
const vendorErrors = [
  ApiResponse({ status: 408, description: 'The vendor did not answer in time (PASSTHROUGH_TIMEOUT_MS; async: four times that). Use async pass-through for slow requests.', schema: errorSchema }),
  ApiResponse({ status: 413, description: "The request body (BODY_LIMIT_BYTES) or the vendor's answer (PASSTHROUGH_MAX_RESPONSE_BYTES) is too large.", schema: errorSchema }),
  ApiResponse({ status: 429, description: 'The vendor asked to pause this linked account; see Retry-After.', schema: errorSchema }),
  ApiResponse({ status: 502, description: 'The vendor could not be reached.', schema: errorSchema }),
];

function applyAll(...decorators: MethodDecorator[]): MethodDecorator {
  return (target, key, descriptor) => {
    for (const d of decorators) d(target, key, descriptor);
  };
}

const PASSTHROUGH_EXAMPLE = {
  method: 'GET',
  path: '/services/data/v62.0/limits',
  headers: { Accept: 'application/json' },
};

@ApiTags('passthrough')
@ApiBearerAuth()
@ApiExtraModels(MultipartFormFieldRequest)
@Controller(CRM_PREFIXES)
@UseGuards(LinkedAccountGuard)
@ApiHeader(ACCOUNT_HEADER)
export class PassthroughController {
  constructor(
    private readonly passthrough: PassthroughService,
    private readonly asyncPassthrough: AsyncPassthroughService,
  ) {}

  @Post('passthrough')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'passthroughCreate',
    summary: 'Send a request to the linked account’s vendor with its credentials (pass-through).',
    description:
      'The request goes to the vendor API host of the linked account only, with its access token (refreshed once on 401) and on the same rate-limit budget and circuit breaker as every other call of the account. The vendor’s status is in the body; the HTTP status is 200.',
  })
  @ApiBody({ type: DataPassthroughRequest, examples: { limits: { summary: 'Salesforce API limits', value: PASSTHROUGH_EXAMPLE } } })
  @ApiResponse({ status: 200, type: RemoteResponse, description: "The vendor's answer, whatever its status." })
  @applyAll(...commonErrors, ...vendorErrors)
  async create(@CurrentLinkedAccount() account: LinkedAccountRecord, @Body() body: DataPassthroughRequest, @Req() req: FastifyRequest): Promise<RemoteResponse> {
    const input = body as unknown as PassthroughInput;
    const prepared = this.passthrough.prepare(account, input);
    return this.passthrough.send(account, prepared, { logger: req.log as never });
  }

  @Post('async-passthrough')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'asyncPassthroughCreate',
    summary: 'Queue a pass-through request; poll GET /async-passthrough/{id} for the answer.',
    description: 'Validated like POST /passthrough (same 400s, before anything is queued). The vendor gets four times the synchronous timeout. Receipts and results are kept 24 hours, encrypted.',
  })
  @ApiBody({ type: DataPassthroughRequest, examples: { limits: { summary: 'Salesforce API limits', value: PASSTHROUGH_EXAMPLE } } })
  @ApiResponse({ status: 200, type: AsyncPassthroughReciept })
  @applyAll(...commonErrors, ApiResponse({ status: 413, description: 'The request body is larger than BODY_LIMIT_BYTES.', schema: errorSchema }))
  createAsync(@CurrentLinkedAccount() account: LinkedAccountRecord, @Body() body: DataPassthroughRequest): Promise<AsyncPassthroughReciept> {
    return this.asyncPassthrough.create(account, body as unknown as PassthroughInput);
  }

  @Get('async-passthrough/:async_passthrough_receipt_id')
  @ApiOperation({
    operationId: 'asyncPassthroughRetrieve',
    summary: 'The answer of an async pass-through request.',
    description:
      'Finished: 200 with the RemoteResponse (or, when the request itself failed, that error with its status: 408, 413, 429, 502). Not finished yet: 202 with a JSON string saying so and Retry-After.',
  })
  @ApiParam({ name: 'async_passthrough_receipt_id', format: 'uuid', description: 'From POST /async-passthrough.' })
  @ApiResponse({ status: 200, type: RemoteResponse })
  @ApiResponse({ status: 202, description: 'Still running: a JSON string.', schema: { type: 'string', example: 'The async pass-through request is still running (PENDING); retry shortly.' } })
  @applyAll(...commonErrors, ...vendorErrors)
  async retrieveAsync(
    @CurrentLinkedAccount() account: LinkedAccountRecord,
    @Param('async_passthrough_receipt_id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RemoteResponse | string | object> {
    const result = await this.asyncPassthrough.retrieve(account, id);
    if (!result.ready) {
      // A JSON string, as Merge's SDK types it (RemoteResponse | string); 202 tells plain HTTP clients apart.
      reply.status(202).header('retry-after', '1').header('content-type', 'application/json; charset=utf-8');
      return JSON.stringify(`The async pass-through request is still running (${result.status}); retry shortly.`);
    }
    reply.status(result.httpStatus);
    return result.body;
  }
}
