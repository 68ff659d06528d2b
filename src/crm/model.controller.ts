import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res, type Type, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CRM_PREFIXES } from '../http/routes';
import { CurrentLinkedAccount, LinkedAccountGuard } from '../linked-accounts/account-context';
import type { LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import { type ModelSpec, relationFields } from '../models/spec';
import { CrmMetaService } from './meta.service';
import { CrmReadService } from './read.service';
import type { ReadContext } from './stored-read.service';
import { CrmWriteService } from './write.service';

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorResponses = [
  ApiResponse({ status: 400, description: 'Invalid input: the error names the parameter or field.', schema: schemaRef('Error') }),
  ApiResponse({ status: 401, description: 'Missing or invalid API key.', schema: schemaRef('Error') }),
  ApiResponse({ status: 404, description: 'Unknown account token or record.', schema: schemaRef('Error') }),
  ApiResponse({ status: 429, description: 'Rate limited (ours or the vendor’s); see Retry-After.', schema: schemaRef('Error') }),
  ApiResponse({ status: 502, description: 'The vendor failed; its status and message are inside.', schema: schemaRef('Error') }),
  ApiResponse({ status: 504, description: 'The vendor did not answer in time.', schema: schemaRef('Error') }),
];

const readModeHeader = ApiHeader({
  name: 'X-Read-Mode',
  required: false,
  enum: ['stored', 'live'],
  description:
    'Extension. stored: from the synced copy; live: from the CRM now. Default: the linked account\'s read_mode (see PATCH /linked-accounts/{id}). ' +
    'A model whose initial sync has not completed is served live. The response says which mode answered in its own X-Read-Mode header. ' +
    'Without this header a cursor continues in the mode that made it; with it, a cursor of the other mode is a 400.',
});

const answeredModeHeader = { 'X-Read-Mode': { description: 'Which mode answered: stored (the synced copy) or live (the CRM).', schema: { type: 'string' as const, enum: ['stored', 'live'] } } };

function decorate(target: object, key: string, decorators: (MethodDecorator | PropertyDecorator)[]): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  Reflect.decorate(decorators as MethodDecorator[], target, key, descriptor);
}

function listQueryDocs(spec: ModelSpec): MethodDecorator[] {
  const q = (name: string, description: string, extra: Record<string, unknown> = {}) => ApiQuery({ name, required: false, description, ...extra });
  const expandable = relationFields(spec.name).map((r) => r.field);
  const docs: MethodDecorator[] = [
    q('page_size', 'Records per page, 1 to 100 (default 100).', { type: Number }),
    q('cursor', 'The `next` or `previous` value of a previous page, unchanged.', { type: String }),
    q('created_after', 'Only records created after this ISO 8601 datetime.', { type: String }),
    q('created_before', 'Only records created before this ISO 8601 datetime.', { type: String }),
    q('modified_after', 'Only records modified after this ISO 8601 datetime.', { type: String }),
    q('modified_before', 'Only records modified before this ISO 8601 datetime.', { type: String }),
    q('remote_id', "The CRM's id of the record.", { type: String }),
    q('include_deleted_data', 'Include records deleted in the CRM.', { type: Boolean }),
    q('include_remote_data', 'Include the raw vendor record in remote_data.', { type: Boolean }),
    q('include_remote_fields', 'Include custom and unmapped vendor fields in remote_fields.', { type: Boolean }),
  ];
  if (expandable.length) docs.push(q('expand', `Comma-separated relations to return as objects: ${expandable.join(', ')}.`, { type: String }));
  for (const f of spec.filters) {
    const description =
      f.kind === 'relation'
        ? `Only records whose ${f.field} is this ${f.target} id.`
        : f.kind === 'enum'
          ? `Only records with this ${f.field}.`
          : f.kind === 'datetime'
            ? `Only records whose ${f.field} is ${f.op === 'gt' ? 'after' : 'before'} this ISO 8601 datetime.`
            : f.kind === 'email' || f.kind === 'phone'
              ? `Only records with this ${f.kind === 'email' ? 'email address' : 'phone number'}.`
              : `Only records whose ${f.field} ${f.kind === 'string' && f.match === 'contains' ? 'contains' : 'is'} this value.`;
    docs.push(q(f.param, description, f.kind === 'enum' ? { enum: [...f.values] } : { type: String }));
  }
  return docs;
}

/**
 * One REST controller per common model, generated from its declaration (models/spec.ts): list,
 * retrieve, meta and remote-field-classes for all; create, update and delete for writable ones.
 * Thin: the services do the work (and serve GraphQL too).
 */
export function createModelController(spec: ModelSpec): Type<unknown> {
  class ModelController {
    constructor(
      @Inject(CrmReadService) readonly reads: CrmReadService,
      @Inject(CrmWriteService) readonly writes: CrmWriteService,
      @Inject(CrmMetaService) readonly meta: CrmMetaService,
    ) {}

    async list(account: LinkedAccountRecord, query: Record<string, unknown>, readMode: string | undefined, reply: FastifyReply) {
      const ctx: ReadContext = { requestedMode: readMode };
      const page = await this.reads.list(account, spec.name, query, ctx);
      if (ctx.answeredMode) reply.header('x-read-mode', ctx.answeredMode);
      return page;
    }
    remoteFieldClasses(account: LinkedAccountRecord, query: Record<string, unknown>) {
      return this.meta.remoteFieldClasses(account, spec.name, query);
    }
    metaPost(account: LinkedAccountRecord) {
      return this.meta.meta(account, spec.name, 'create');
    }
    metaPatch(account: LinkedAccountRecord, id: string) {
      return this.reads.fetchById(account, spec.name, id).then(() => this.meta.meta(account, spec.name, 'update'));
    }
    async retrieve(account: LinkedAccountRecord, id: string, query: Record<string, unknown>, readMode: string | undefined, reply: FastifyReply) {
      const ctx: ReadContext = { requestedMode: readMode };
      const record = await this.reads.retrieve(account, spec.name, id, query, ctx);
      if (ctx.answeredMode) reply.header('x-read-mode', ctx.answeredMode);
      return record;
    }
    async create(account: LinkedAccountRecord, body: unknown, idempotencyKey: string | undefined, reply: FastifyReply) {
      const result = await this.writes.create(account, spec.name, body, idempotencyKey);
      reply.status(result.status);
      return result.body;
    }
    async update(account: LinkedAccountRecord, id: string, body: unknown, reply: FastifyReply) {
      const result = await this.writes.update(account, spec.name, id, body);
      reply.status(result.status);
      return result.body;
    }
    async remove(account: LinkedAccountRecord, id: string) {
      await this.writes.delete(account, spec.name, id);
    }
  }
  Object.defineProperty(ModelController, 'name', { value: `${spec.name.replace(/^./, (c) => c)}sController`.replace(/ysController$/, 'iesController') });

  const proto = ModelController.prototype as unknown as Record<string, unknown>;
  const account = CurrentLinkedAccount();
  // Parameter decorators (index order matches the method signatures above).
  const params: [string, ParameterDecorator[]][] = [
    ['list', [account, Query(), Headers('x-read-mode'), Res({ passthrough: true })]],
    ['remoteFieldClasses', [account, Query()]],
    ['metaPost', [account]],
    ['metaPatch', [account, Param('id')]],
    ['retrieve', [account, Param('id'), Query(), Headers('x-read-mode'), Res({ passthrough: true })]],
    ['create', [account, Body(), Headers('idempotency-key'), Res({ passthrough: true })]],
    ['update', [account, Param('id'), Body(), Res({ passthrough: true })]],
    ['remove', [account, Param('id')]],
  ];
  for (const [method, decorators] of params) {
    decorators.forEach((d, i) => d(proto, method, i));
    // The services validate against the model spec themselves; declaring the parameters as plain
    // objects tells Nest's ValidationPipe so (it skips them) instead of warning at every start.
    Reflect.defineMetadata('design:paramtypes', decorators.map(() => Object), proto, method);
  }

  const idParam = ApiParam({ name: 'id', format: 'uuid', description: `Switchboard id of the ${spec.name}.` });
  const plural = spec.route.replace(/-/g, ' ');
  decorate(proto, 'list', [Get(), ApiOperation({ summary: `List ${plural}`, operationId: `${spec.plural}List` }), readModeHeader, ...listQueryDocs(spec), ApiResponse({ status: 200, schema: schemaRef(`Paginated${spec.name}List`), headers: answeredModeHeader }), ...errorResponses]);
  decorate(proto, 'remoteFieldClasses', [
    Get('remote-field-classes'),
    ApiOperation({ summary: `The vendor's fields of ${plural}, custom ones included`, operationId: `${spec.plural}RemoteFieldClassesList` }),
    ApiQuery({ name: 'page_size', required: false, type: Number }),
    ApiQuery({ name: 'cursor', required: false, type: String }),
    ApiResponse({ status: 200, schema: schemaRef('PaginatedRemoteFieldClassList') }),
    ...errorResponses,
  ]);
  decorate(proto, 'metaPost', [Get('meta/post'), ApiOperation({ summary: `What creating a ${spec.name} accepts for this linked account`, operationId: `${spec.plural}MetaPostRetrieve` }), ApiResponse({ status: 200, schema: schemaRef('MetaResponse') }), ...errorResponses]);
  decorate(proto, 'metaPatch', [Get('meta/patch/:id'), idParam, ApiOperation({ summary: `What updating this ${spec.name} accepts`, operationId: `${spec.plural}MetaPatchRetrieve` }), ApiResponse({ status: 200, schema: schemaRef('MetaResponse') }), ...errorResponses]);
  const expandable = relationFields(spec.name).map((r) => r.field);
  decorate(proto, 'retrieve', [
    Get(':id'),
    idParam,
    ApiOperation({ summary: `Retrieve a ${spec.name}`, operationId: `${spec.plural}Retrieve` }),
    readModeHeader,
    ...(expandable.length ? [ApiQuery({ name: 'expand', required: false, type: String, description: `Comma-separated: ${expandable.join(', ')}` })] : []),
    ApiQuery({ name: 'include_remote_data', required: false, type: Boolean }),
    ApiQuery({ name: 'include_remote_fields', required: false, type: Boolean }),
    ApiResponse({ status: 200, schema: schemaRef(spec.name), headers: answeredModeHeader }),
    ...errorResponses,
  ]);
  if (spec.writable) {
    const writeResponses = [
      ApiResponse({ status: 400, description: 'Invalid input or a vendor rejection (write envelope with errors).', schema: schemaRef(`${spec.name}Response`) }),
      ApiResponse({ status: 409, description: 'A duplicate at the vendor, or an Idempotency-Key reused with another body.', schema: schemaRef(`${spec.name}Response`) }),
      ...errorResponses.slice(1),
    ];
    decorate(proto, 'create', [
      Post(),
      ApiOperation({ summary: `Create a ${spec.name} in the CRM`, operationId: `${spec.plural}Create` }),
      ApiHeader({ name: 'Idempotency-Key', required: false, description: 'The same key and body within 24 hours returns the first response and creates nothing new.' }),
      ApiBody({ schema: schemaRef(`${spec.name}EndpointRequest`) }),
      ApiResponse({ status: 201, schema: schemaRef(`${spec.name}Response`) }),
      ...writeResponses,
    ]);
    decorate(proto, 'update', [
      Patch(':id'),
      idParam,
      ApiOperation({ summary: `Update a ${spec.name} in the CRM`, operationId: `${spec.plural}PartialUpdate` }),
      ApiBody({ schema: schemaRef(`${spec.name}EndpointRequest`) }),
      ApiResponse({ status: 200, schema: schemaRef(`${spec.name}Response`) }),
      ...writeResponses,
    ]);
    decorate(proto, 'remove', [Delete(':id'), HttpCode(204), idParam, ApiOperation({ summary: `Delete a ${spec.name} in the CRM (extension)`, operationId: `${spec.plural}Destroy` }), ApiResponse({ status: 204 }), ...errorResponses]);
  }

  Reflect.decorate(
    [
      Controller(CRM_PREFIXES.map((p) => `${p}/${spec.route}`)),
      UseGuards(LinkedAccountGuard),
      ApiTags(spec.route),
      ApiBearerAuth(),
      ApiSecurity('account_token'),
    ] as ClassDecorator[],
    ModelController,
  );
  return ModelController;
}
