import { type ModelName, MODELS, SUB_OBJECTS, type SubObjectKind } from '../models/spec';
import { camel, COMMON_FILTERS, filterField, relationIdField } from './types';

/**
 * Translation between the GraphQL surface and the REST one, so that GraphQL runs the very same
 * parsing, validation, cursors and services: filter inputs become REST query parameters,
 * mutation inputs become REST bodies, wire records become GraphQL nodes, and REST error
 * pointers become GraphQL argument paths.
 */

type Row = Record<string, unknown>;

/** Where a relation's raw wire value (id or expanded object) is kept on a node. */
export const RAW = Symbol('raw relations');
export interface Node extends Row {
  [RAW]?: Record<string, unknown>;
}

const SUB_KINDS = new Set<string>(Object.keys(SUB_OBJECTS));

type Plan = { wire: string; gql: string; kind: 'relation' | 'relation_list' | 'sub' | 'plain'; subKeys?: [string, string][] }[];
const plans = new Map<ModelName, Plan>();

/** Per model, once: how each wire key becomes a node key (toNode runs for every record of a page). */
function planOf(model: ModelName): Plan {
  let plan = plans.get(model);
  if (plan) return plan;
  plan = Object.entries(MODELS[model].fields).map(([name, f]) => {
    if (f.kind === 'relation' || f.kind === 'relation_list') return { wire: name, gql: relationIdField(name, f.kind === 'relation_list'), kind: f.kind };
    if (SUB_KINDS.has(f.kind)) {
      const keys = [...Object.keys(SUB_OBJECTS[f.kind as SubObjectKind]), 'created_at', 'modified_at'];
      return { wire: name, gql: camel(name), kind: 'sub' as const, subKeys: keys.map((k) => [k, camel(k)] as [string, string]) };
    }
    return { wire: name, gql: camel(name), kind: 'plain' as const };
  });
  plans.set(model, plan);
  return plan;
}

/** A wire record (snake_case) as a GraphQL node (camelCase; relations kept raw for their resolvers). */
export function toNode(model: ModelName, wire: Row): Node {
  const node: Node = {
    id: wire.id,
    remoteId: wire.remote_id,
    createdAt: wire.created_at,
    modifiedAt: wire.modified_at,
    remoteWasDeleted: wire.remote_was_deleted,
    fieldMappings: wire.field_mappings,
    remoteData: wire.remote_data ?? null,
    remoteFields: wire.remote_fields ?? null,
  };
  const raw: Record<string, unknown> = {};
  for (const p of planOf(model)) {
    const value = wire[p.wire];
    if (p.kind === 'plain') {
      node[p.gql] = value ?? null;
    } else if (p.kind === 'relation') {
      raw[p.wire] = value ?? null;
      node[p.gql] = value && typeof value === 'object' ? ((value as Row).id ?? null) : (value ?? null);
    } else if (p.kind === 'relation_list') {
      const list = Array.isArray(value) ? value : [];
      raw[p.wire] = list;
      node[p.gql] = list.map((v) => (v && typeof v === 'object' ? (v as Row).id : v));
    } else {
      node[p.gql] = Array.isArray(value)
        ? value.map((item: Row) => {
            const out: Row = {};
            for (const [k, c] of p.subKeys!) out[c] = item?.[k] ?? null;
            return out;
          })
        : [];
    }
  }
  node[RAW] = raw;
  return node;
}

/** A filter input as REST query parameters (the same names and string values REST receives). */
export function filterToQuery(model: ModelName, filter: Row | null | undefined): Record<string, string> {
  const query: Record<string, string> = {};
  if (!filter) return query;
  const params = [...COMMON_FILTERS.map((c) => c.param), ...MODELS[model].filters.map((f) => f.param)];
  for (const param of params) {
    const value = filter[filterField(param)];
    if (value === undefined || value === null) continue;
    query[param] = String(value);
  }
  return query;
}

/** A mutation input as the REST body {"model": {...}, "remote_fields": [...]}. */
export function inputToBody(model: ModelName, input: Row | null | undefined, remoteFields: Row[] | null | undefined): Row {
  const out: Row = {};
  const spec = MODELS[model];
  for (const [name, f] of Object.entries(spec.fields)) {
    if (!f.writable || !input) continue;
    const isRel = f.kind === 'relation' || f.kind === 'relation_list';
    const key = isRel ? relationIdField(name, f.kind === 'relation_list') : camel(name);
    if (!(key in input) || input[key] === undefined) continue;
    const value = input[key];
    if (SUB_KINDS.has(f.kind) && Array.isArray(value)) {
      const shape = SUB_OBJECTS[f.kind as SubObjectKind];
      out[name] = value.map((item) => Object.fromEntries(Object.keys(shape).map((k) => [k, (item as Row)?.[camel(k)] ?? null])));
    } else {
      out[name] = value;
    }
  }
  const body: Row = { model: out };
  if (remoteFields) body.remote_fields = remoteFields.map((r) => ({ remote_field_class: r.remoteFieldClass, value: r.value ?? null }));
  return body;
}

/** REST list/retrieve parameters -> the GraphQL argument that carries them. */
const PARAM_ARGS: Record<string, string> = { page_size: 'first', cursor: 'after', expand: 'expand' };

/**
 * The GraphQL argument path of a REST error pointer: /query/page_size -> first,
 * /query/account_id -> filter.accountId, /path/id -> id, /model/first_name -> input.firstName,
 * /model/account -> input.accountId, /remote_fields/0/... -> remoteFields.0....
 */
export function graphqlPath(model: ModelName | null, pointer: string): string {
  const parts = pointer.split('/').filter(Boolean);
  const [where, name, ...rest] = parts;
  if (where === 'query' && name) return PARAM_ARGS[name] ?? `filter.${filterField(name)}`;
  if (where === 'path' && name) return name;
  if (where === 'headers' && name === 'idempotency-key') return 'idempotencyKey';
  if (where === 'model') {
    if (!name) return 'input';
    const f = model ? MODELS[model].fields[name] : undefined;
    const head = f && (f.kind === 'relation' || f.kind === 'relation_list') ? relationIdField(name, f.kind === 'relation_list') : camel(name);
    return ['input', head, ...rest.map(camel)].join('.');
  }
  if (where === 'remote_fields') return ['remoteFields', ...(name ? [name] : []), ...rest.map(camel)].join('.');
  return parts.map(camel).join('.') || 'input';
}

/** A REST write envelope as the GraphQL write response (pointers rewritten, nodes converted). */
export function envelopeToResponse(model: ModelName, body: Row): Row {
  const problems = (list: unknown) =>
    (Array.isArray(list) ? list : []).map((p: Row) => {
      const pointer = (p.source as Row | undefined)?.pointer;
      return {
        source: typeof pointer === 'string' ? { pointer: `/${graphqlPath(model, pointer).replace(/\./g, '/')}` } : null,
        title: p.title ?? '',
        detail: p.detail ?? '',
        problemType: p.problem_type ?? '',
      };
    });
  return {
    model: body.model ? toNode(model, body.model as Row) : null,
    warnings: problems(body.warnings),
    errors: problems(body.errors),
    logs: Array.isArray(body.logs) ? body.logs : [],
  };
}
