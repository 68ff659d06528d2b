import type { RemoteFieldValue, RemoteRecord, RemoteRef } from '../integrations/contract';
import { type FieldSpec, type ModelName, MODELS } from '../models/spec';
import { IdentitiesService } from './identities.service';

/** Output options of one response. */
export interface SerializeOptions {
  includeRemoteData: boolean;
  includeRemoteFields: boolean;
}

/** Our UUIDs by IdentitiesService.key(model, remoteId), and expanded related objects by the same key. */
export interface SerializeContext {
  ids: Map<string, string>;
  expanded?: Map<string, Record<string, unknown>>;
  expand?: string[];
}

const SUB_KINDS = new Set(['addresses', 'email_addresses', 'phone_numbers']);

/** Every RemoteRef a record points at (to resolve ids in bulk). */
export function refsOf(record: RemoteRecord): RemoteRef[] {
  const refs: RemoteRef[] = [];
  for (const [field, spec] of Object.entries(MODELS[record.model].fields)) {
    const value = record.fields[field];
    if (spec.kind === 'relation' && value && typeof value === 'object' && !Array.isArray(value)) refs.push(value as RemoteRef);
    if (spec.kind === 'relation_list' && Array.isArray(value)) refs.push(...(value as RemoteRef[]));
  }
  return refs;
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
    id: ctx.ids.get(IdentitiesService.key(record.model, record.remoteId)) ?? null,
    remote_id: record.remoteId,
    created_at: record.remoteCreatedAt ?? stamp,
    modified_at: stamp,
  };
  for (const [field, fieldSpec] of Object.entries(spec.fields)) {
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

function wireValue(value: unknown, field: string, spec: FieldSpec, ctx: SerializeContext, stamp: string | null): unknown {
  if (spec.kind === 'relation') {
    if (!value || typeof value !== 'object') return null;
    const ref = value as RemoteRef;
    const key = IdentitiesService.key(ref.model, ref.remoteId);
    if (ctx.expand?.includes(field)) return ctx.expanded?.get(key) ?? ctx.ids.get(key) ?? null;
    return ctx.ids.get(key) ?? null;
  }
  if (spec.kind === 'relation_list') {
    if (!Array.isArray(value)) return [];
    return (value as RemoteRef[])
      .map((ref) => {
        const key = IdentitiesService.key(ref.model, ref.remoteId);
        return ctx.expand?.includes(field) ? (ctx.expanded?.get(key) ?? ctx.ids.get(key)) : ctx.ids.get(key);
      })
      .filter((v) => v !== undefined);
  }
  if (SUB_KINDS.has(spec.kind)) {
    if (!Array.isArray(value)) return [];
    return value.map((item) => ({ ...(item as object), created_at: stamp, modified_at: stamp }));
  }
  return value === undefined ? null : value;
}

export type { ModelName };
