import { Inject, type Type } from '@nestjs/common';
import { Args, Context, ID, Info, Int, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import { Kind } from 'graphql';
import { CrmReadService } from '../crm/read.service';
import { CrmWriteService } from '../crm/write.service';
import { ApiError } from '../errors/api-error';
import { LinkedAccountGuard } from '../linked-accounts/account-context';
import type { LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import { type ModelName, MODELS, relationFields } from '../models/spec';
import type { GqlContext } from './context';
import { envelopeToResponse, filterToQuery, inputToBody, type Node, RAW, toNode } from './mapping';
import { camel, DeleteResponse, MODEL_TYPES, RemoteFieldInput } from './types';

/**
 * One resolver per model, generated from models/spec.ts like the REST controllers, and as thin:
 * lists, retrieves and writes go through the same services with the same query parameters and
 * bodies REST receives (mapping.ts), so filters, cursors, validation and envelopes are literally
 * the REST ones.
 *
 * Relations: on a list or retrieve, relation fields selected directly on the records are fetched
 * with the page exactly like REST's `expand` (one batched read per related model); deeper ones go
 * through a per-request DataLoader per model (CrmReadService.getByIds once per tick).
 */

type Row = Record<string, unknown>;

function collect(set: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, out: Map<string, FieldNode[]>, seen = new Set<string>()): Map<string, FieldNode[]> {
  for (const sel of set?.selections ?? []) {
    if (sel.kind === Kind.FIELD) {
      const list = out.get(sel.name.value) ?? [];
      list.push(sel);
      out.set(sel.name.value, list);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      collect(sel.selectionSet, fragments, out, seen);
    } else if (!seen.has(sel.name.value) && fragments[sel.name.value]) {
      seen.add(sel.name.value);
      collect(fragments[sel.name.value].selectionSet, fragments, out, seen);
    }
  }
  return out;
}

/** Field names selected on the records: directly (retrieve) or under edges.node / nodes (connections). */
function recordSelection(info: GraphQLResolveInfo, connection: boolean): Set<string> {
  const top = new Map<string, FieldNode[]>();
  for (const f of info.fieldNodes) collect(f.selectionSet, info.fragments, top);
  if (!connection) return new Set(top.keys());
  const records = new Map<string, FieldNode[]>();
  for (const nodesField of top.get('nodes') ?? []) collect(nodesField.selectionSet, info.fragments, records);
  const edges = new Map<string, FieldNode[]>();
  for (const edgesField of top.get('edges') ?? []) collect(edgesField.selectionSet, info.fragments, edges);
  for (const nodeField of edges.get('node') ?? []) collect(nodeField.selectionSet, info.fragments, records);
  return new Set(records.keys());
}

/** REST read options implied by the selection: expand for selected relations, remote data when selected. */
function readOptions(model: ModelName, selected: Set<string>): Record<string, string> {
  const query: Record<string, string> = {};
  const expand = relationFields(model)
    .map((r) => r.field)
    .filter((f) => selected.has(camel(f)));
  if (expand.length) query.expand = expand.join(',');
  if (selected.has('remoteData')) query.include_remote_data = 'true';
  if (selected.has('remoteFields')) query.include_remote_fields = 'true';
  return query;
}

export function createModelResolver(model: ModelName): Type<unknown> {
  const spec = MODELS[model];
  const types = MODEL_TYPES[model];

  class ModelResolver {
    constructor(
      @Inject(CrmReadService) readonly reads: CrmReadService,
      @Inject(CrmWriteService) readonly writes: CrmWriteService,
      @Inject(LinkedAccountGuard) readonly accountGuard: LinkedAccountGuard,
    ) {}

    account(ctx: GqlContext): Promise<LinkedAccountRecord> {
      return ctx.state.linkedAccount(this.accountGuard, ctx);
    }

    async list(first: number | null, after: string | null, last: number | null, before: string | null, filter: Row | null, ctx: GqlContext, info: GraphQLResolveInfo) {
      if (after && before) throw ApiError.invalidField('/query/cursor', 'give either after or before, not both');
      const account = await this.account(ctx);
      const query: Record<string, string> = { ...filterToQuery(model, filter), ...readOptions(model, recordSelection(info, true)) };
      const size = first ?? last;
      if (size !== null && size !== undefined) query.page_size = String(size);
      const cursor = after ?? before;
      if (cursor) query.cursor = cursor;
      const page = await this.reads.list(account, model, query, ctx.state.readContext());
      const nodes = page.results.map((r) => toNode(model, r));
      return {
        edges: nodes.map((node) => ({ node })),
        nodes,
        pageInfo: { hasNextPage: page.next !== null, hasPreviousPage: page.previous !== null, startCursor: page.previous, endCursor: page.next },
      };
    }

    async one(id: string, ctx: GqlContext, info: GraphQLResolveInfo) {
      const account = await this.account(ctx);
      const wire = await this.reads.retrieve(account, model, id, readOptions(model, recordSelection(info, false)), ctx.state.readContext());
      return toNode(model, wire);
    }

    async create(input: Row, remoteFields: Row[] | null, idempotencyKey: string | null, ctx: GqlContext) {
      const account = await this.account(ctx);
      const result = await this.writes.create(account, model, inputToBody(model, input, remoteFields), idempotencyKey ?? undefined);
      return envelopeToResponse(model, result.body);
    }

    async update(id: string, input: Row, remoteFields: Row[] | null, ctx: GqlContext) {
      const account = await this.account(ctx);
      const result = await this.writes.update(account, model, id, inputToBody(model, input, remoteFields));
      return envelopeToResponse(model, result.body);
    }

    async remove(id: string, ctx: GqlContext): Promise<DeleteResponse> {
      const account = await this.account(ctx);
      await this.writes.delete(account, model, id);
      return { id, deleted: true };
    }
  }
  Object.defineProperty(ModelResolver, 'name', { value: `${model}Resolver` });
  const proto = ModelResolver.prototype as unknown as Record<string, unknown>;

  const decorate = (key: string, decorators: MethodDecorator[], params: ParameterDecorator[]) => {
    // Dynamic methods have no emitted parameter types; every argument's type is explicit.
    Reflect.defineMetadata('design:paramtypes', params.map(() => Object), proto, key);
    params.forEach((d, i) => d(proto, key, i));
    Reflect.decorate(decorators, proto, key, Object.getOwnPropertyDescriptor(proto, key));
  };
  const nullableInt = (name: string, description: string) => Args(name, { type: () => Int, nullable: true, description });
  const nullableString = (name: string, description: string) => Args(name, { type: () => String, nullable: true, description });

  decorate(
    'list',
    [Query(() => types.connection, { name: spec.plural, description: `List ${spec.plural} (REST GET /${spec.route}).` })],
    [
      nullableInt('first', 'Page size, 1 to 100 (default 100): REST page_size.'),
      nullableString('after', "A page's pageInfo.endCursor: the next page (REST cursor = next)."),
      nullableInt('last', 'Page size when paging backwards with before.'),
      nullableString('before', "A page's pageInfo.startCursor: the previous page (REST cursor = previous)."),
      Args('filter', { type: () => types.filter, nullable: true }),
      Context(),
      Info(),
    ],
  );
  decorate(
    'one',
    [Query(() => types.node, { name: spec.singular, nullable: true, description: `One ${model} by id (REST GET /${spec.route}/{id}).` })],
    [Args('id', { type: () => ID }), Context(), Info()],
  );
  if (spec.writable && types.input && types.response) {
    const remoteFieldsArg = Args('remoteFields', { type: () => [RemoteFieldInput], nullable: true, description: 'Vendor fields to write (REST remote_fields).' });
    decorate(
      'create',
      [Mutation(() => types.response, { name: `create${model}`, description: `Create a ${model} in the CRM (REST POST /${spec.route}).` })],
      [Args('input', { type: () => types.input }), remoteFieldsArg, nullableString('idempotencyKey', 'The same key and input within 24 hours returns the first response and creates nothing new.'), Context()],
    );
    decorate(
      'update',
      [Mutation(() => types.response, { name: `update${model}`, description: `Update a ${model} in the CRM (REST PATCH /${spec.route}/{id}).` })],
      [Args('id', { type: () => ID }), Args('input', { type: () => types.input }), remoteFieldsArg, Context()],
    );
    decorate(
      'remove',
      [Mutation(() => DeleteResponse, { name: `delete${model}`, description: `Delete a ${model} in the CRM (REST DELETE /${spec.route}/{id}).` })],
      [Args('id', { type: () => ID }), Context()],
    );
  }

  // Relation fields. No parameter decorators: Nest then calls them as plain graphql-js resolvers
  // (no per-field guard, pipe or interceptor round), which matters on pages of 100 records.
  for (const rel of relationFields(model)) {
    const key = `relation_${rel.field}`;
    const target = rel.target;
    const targetNode = MODEL_TYPES[target].node;
    proto[key] = function (this: ModelResolver, parent: Node, _args: unknown, ctx: GqlContext): unknown {
      const raw = parent[RAW]?.[rel.field];
      const one = (value: unknown): Node | null | Promise<Node | null> => {
        if (value === null || value === undefined) return null;
        if (typeof value === 'object') return toNode(target, value as Row); // expanded with the page
        return ctx.state.loader(target, this.reads).load(String(value));
      };
      if (!rel.list) return one(raw);
      return Promise.all((Array.isArray(raw) ? raw : []).map(one)).then((rows) => rows.filter((r): r is Node => r !== null));
    };
    const description = (spec.fields[rel.field] as { description: string }).description;
    Reflect.decorate([ResolveField(camel(rel.field), () => (rel.list ? [targetNode] : targetNode), { nullable: !rel.list, description })], proto, key, Object.getOwnPropertyDescriptor(proto, key));
  }

  Reflect.decorate([Resolver(() => types.node)] as ClassDecorator[], ModelResolver);
  return ModelResolver;
}
