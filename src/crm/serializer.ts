import type { Address, EmailAddress, PhoneNumber, RemoteFieldValue, RemoteRecord, RemoteRef } from '../integrations/contract';
import { type FieldSpec, type ModelName, MODELS } from '../models/spec';
import { IdentitiesService, type RemoteKey, type ResolvedIds } from './identities.service';

/** Output options of one response. */
export interface SerializeOptions {
  includeRemoteData: boolean;
  includeRemoteFields: boolean;
}

/** Our UUIDs by (model, remoteId), and expanded related objects by IdentitiesService.key(model, remoteId). */
export interface SerializeContext {
  ids: ResolvedIds;
  expanded?: Map<string, Record<string, unknown>>;
  expand?: string[];
}

const SUB_KINDS = new Set(['addresses', 'email_addresses', 'phone_numbers']);

/** A model's fields in declaration order, and its relation fields, computed once (this runs for every record of every page). */
interface ModelPlan {
  fields: [string, FieldSpec][];
  relations: [string, 'relation' | 'relation_list'][];
}
const plans = new Map<ModelName, ModelPlan>();

function planOf(model: ModelName): ModelPlan {
  let plan = plans.get(model);
  if (!plan) {
    const fields = Object.entries(MODELS[model].fields);
    const relations = fields.filter(([, f]) => f.kind === 'relation' || f.kind === 'relation_list').map(([name, f]) => [name, f.kind] as [string, 'relation' | 'relation_list']);
    plans.set(model, (plan = { fields, relations }));
  }
  return plan;
}

/** Every RemoteRef a record points at (to resolve ids in bulk), appended to `into` (a new array by default). */
export function refsOf(record: RemoteRecord, into: RemoteRef[] = []): RemoteRef[] {
  for (const [field, kind] of planOf(record.model).relations) {
    const value = record.fields[field];
    if (kind === 'relation') {
      if (value && typeof value === 'object' && !Array.isArray(value)) into.push(value as RemoteRef);
    } else if (Array.isArray(value)) for (const ref of value as RemoteRef[]) into.push(ref);
  }
  return into;
}

/** Each record's own key and those of every record it points at, appended to `into`: the keys one idsFor call resolves for a page. */
export function keysOf(records: readonly RemoteRecord[], into: RemoteKey[] = []): RemoteKey[] {
  for (const r of records) {
    into.push({ model: r.model, remoteId: r.remoteId });
    refsOf(r, into);
  }
  return into;
}

function serializeRemoteFields(values: RemoteFieldValue[]) {
  return values.map((v) => ({
    remote_field_class: {
      id: null,
      display_name: v.remote_field_class.display_name,
      remote_key_name: v.remote_field_class.name,
      description: v.remote_field_class.description,
      is_custom: v.remote_field_class.is_custom,
      is_common_model_field: false,
      is_required: v.remote_field_class.is_required,
      field_type: v.remote_field_class.field_type,
      field_format: null,
      field_choices: v.remote_field_class.field_choices,
      item_schema: null,
    },
    value: v.value,
  }));
}

/** A common-model record on the wire: snake_case, relations as our UUIDs (or expanded objects). */
export function serializeRecord(record: RemoteRecord, ctx: SerializeContext, options: SerializeOptions): Record<string, unknown> {
  const spec = MODELS[record.model];
  const stamp = record.remoteUpdatedAt ?? record.remoteCreatedAt ?? null;
  const out: Record<string, unknown> = {
    id: ctx.ids.of(record.model, record.remoteId) ?? null,
    remote_id: record.remoteId,
    created_at: record.remoteCreatedAt ?? stamp,
    modified_at: stamp,
  };
  for (const [field, fieldSpec] of planOf(record.model).fields) {
    out[field] = wireValue(record.fields[field], field, fieldSpec, ctx, stamp);
  }
  if (spec.fields.remote_created_at) out.remote_created_at = record.fields.remote_created_at ?? record.remoteCreatedAt ?? null;
  if (spec.fields.remote_updated_at) out.remote_updated_at = record.fields.remote_updated_at ?? record.remoteUpdatedAt ?? null;
  out.remote_was_deleted = record.remoteWasDeleted;
  out.field_mappings = null;
  if (options.includeRemoteData) out.remote_data = record.remoteData;
  if (options.includeRemoteFields) out.remote_fields = serializeRemoteFields(record.remoteFields);
  return out;
}

/**
 * The part of serializeRecord's output that the store keeps in `data` (everything but id,
 * remote_id, created_at, modified_at, remote_was_deleted, field_mappings, remote_data and
 * remote_fields), built directly: the same keys in the same order, so the same JSON and hash.
 */
export function serializeData(record: RemoteRecord, ctx: SerializeContext): Record<string, unknown> {
  const spec = MODELS[record.model];
  const stamp = record.remoteUpdatedAt ?? record.remoteCreatedAt ?? null;
  const out: Record<string, unknown> = {};
  for (const [field, fieldSpec] of planOf(record.model).fields) {
    out[field] = wireValue(record.fields[field], field, fieldSpec, ctx, stamp);
  }
  if (spec.fields.remote_created_at) out.remote_created_at = record.fields.remote_created_at ?? record.remoteCreatedAt ?? null;
  if (spec.fields.remote_updated_at) out.remote_updated_at = record.fields.remote_updated_at ?? record.remoteUpdatedAt ?? null;
  return out;
}

/** Field classes are shared between the records of a page: their JSON is made once. */
const classJson = new WeakMap<object, string>();

/** JSON.stringify of serializeRecord's remote_fields, with each field class stringified once. */
export function remoteFieldsJson(values: RemoteFieldValue[]): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let cls = classJson.get(v.remote_field_class);
    if (cls === undefined) {
      cls = JSON.stringify(serializeRemoteFields([{ remote_field_class: v.remote_field_class, value: null }])[0].remote_field_class);
      classJson.set(v.remote_field_class, cls);
    }
    const value = JSON.stringify(v.value);
    out += `${i ? ',' : ''}{"remote_field_class":${cls}${value === undefined ? '' : `,"value":${value}`}}`;
  }
  return `${out}]`;
}

/** A relation on the wire: the expanded object when `expand` names the field and it was fetched, else our id. */
function refValue(ref: RemoteRef, field: string, ctx: SerializeContext): Record<string, unknown> | string | undefined {
  const expanded = ctx.expand?.includes(field) ? ctx.expanded?.get(IdentitiesService.key(ref.model, ref.remoteId)) : undefined;
  return expanded ?? ctx.ids.of(ref.model, ref.remoteId);
}

function wireValue(value: unknown, field: string, spec: FieldSpec, ctx: SerializeContext, stamp: string | null): unknown {
  if (spec.kind === 'relation') {
    if (!value || typeof value !== 'object') return null;
    return refValue(value as RemoteRef, field, ctx) ?? null;
  }
  if (spec.kind === 'relation_list') {
    if (!Array.isArray(value)) return [];
    return (value as RemoteRef[]).map((ref) => refValue(ref, field, ctx)).filter((v) => v !== undefined);
  }
  if (SUB_KINDS.has(spec.kind)) {
    if (!Array.isArray(value)) return [];
    // Built field by field (the shapes are fixed): cheaper than spreading each item.
    if (spec.kind === 'addresses') {
      return (value as Address[]).map((a) => ({
        street_1: a.street_1,
        street_2: a.street_2,
        city: a.city,
        state: a.state,
        postal_code: a.postal_code,
        country: a.country,
        address_type: a.address_type,
        created_at: stamp,
        modified_at: stamp,
      }));
    }
    if (spec.kind === 'email_addresses') return (value as EmailAddress[]).map((e) => ({ email_address: e.email_address, email_address_type: e.email_address_type, created_at: stamp, modified_at: stamp }));
    return (value as PhoneNumber[]).map((p) => ({ phone_number: p.phone_number, phone_number_type: p.phone_number_type, created_at: stamp, modified_at: stamp }));
  }
  return value === undefined ? null : value;
}

export type { ModelName };
