import { Inject, Injectable } from '@nestjs/common';
import { CURSOR_CODEC, type CursorCodec } from '../http/cursor';
import type { RemoteFieldClassRef } from '../integrations/contract';
import { VendorConnections } from '../linked-accounts/connections';
import type { LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import { type ModelName, MODELS } from '../models/spec';
import { requestSchema } from '../models/openapi';
import { ApiError } from '../errors/api-error';
import { CrmReadService } from './read.service';
import { vendorErrorToApi } from './vendor-errors';

function wireFieldClass(c: RemoteFieldClassRef, model: ModelName) {
  return {
    id: `${model}.${c.name}`,
    display_name: c.display_name,
    remote_key_name: c.name,
    description: c.description,
    is_custom: c.is_custom,
    is_common_model_field: false,
    is_required: c.is_required,
    field_type: c.field_type,
    field_format: null,
    field_choices: c.field_choices,
    item_schema: null,
  };
}

/** What a linked account's vendor accepts: meta/post, meta/patch and remote-field-classes. */
@Injectable()
export class CrmMetaService {
  constructor(
    private readonly reads: CrmReadService,
    private readonly connections: VendorConnections,
    @Inject(CURSOR_CODEC) private readonly cursors: CursorCodec,
  ) {}

  private async classes(account: LinkedAccountRecord, model: ModelName): Promise<RemoteFieldClassRef[]> {
    const adapter = this.reads.adapter(account, model);
    try {
      return await adapter.remoteFieldClasses(this.connections.forAccount(account), model);
    } catch (err) {
      throw vendorErrorToApi(err);
    }
  }

  async meta(account: LinkedAccountRecord, model: ModelName, op: 'create' | 'update') {
    const adapter = this.reads.adapter(account, model);
    const schema = requestSchema(model) as { properties: Record<string, unknown> };
    const accepted = adapter.writableFields(model, op);
    const properties = Object.fromEntries(accepted.filter((f) => schema.properties[f.field]).map((f) => [f.field, schema.properties[f.field]]));
    const classes = await this.classes(account, model);
    return {
      request_schema: {
        type: 'object',
        properties: {
          model: { type: 'object', properties, required: accepted.filter((f) => f.required).map((f) => f.field) },
          remote_fields: { type: 'array', items: { type: 'object', properties: { remote_field_class: { type: 'string', enum: classes.map((c) => c.name) }, value: {} } } },
        },
        required: ['model'],
      },
      remote_field_classes: Object.fromEntries(classes.map((c) => [c.name, wireFieldClass(c, model)])),
      status: { linked_account_status: account.status, can_make_request: account.status === 'COMPLETE' },
      has_conditional_params: false,
      has_required_linked_account_params: false,
    };
  }

  async remoteFieldClasses(account: LinkedAccountRecord, model: ModelName, query: Record<string, unknown>) {
    if (!MODELS[model]) throw ApiError.notFound(model);
    const pageSizeRaw = query.page_size === undefined ? '100' : String(query.page_size);
    if (!/^\d+$/.test(pageSizeRaw) || +pageSizeRaw < 1 || +pageSizeRaw > 100) throw ApiError.invalidField('/query/page_size', `must be an integer between 1 and 100 (got "${pageSizeRaw}")`);
    const pageSize = Number(pageSizeRaw);
    const scope = { account: account.id, model: `${model}:remote-field-classes`, filters: '' };
    const offset = query.cursor ? this.cursors.decode<number>(scope, String(query.cursor)) : 0;
    const all = (await this.classes(account, model)).map((c) => wireFieldClass(c, model));
    const results = all.slice(offset, offset + pageSize);
    return {
      next: offset + pageSize < all.length ? this.cursors.encode(scope, offset + pageSize) : null,
      previous: offset > 0 ? this.cursors.encode(scope, Math.max(0, offset - pageSize)) : null,
      results,
    };
  }
}
