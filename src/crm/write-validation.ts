import type { CommonValue, RemoteRef } from '../integrations/contract';
import { type FieldSpec, type ModelName, MODELS, SUB_OBJECTS } from '../models/spec';
import { parseDate } from './list-query';

/** Merge's Problem: what went wrong with one part of a write. */
export interface Problem {
  source: { pointer: string };
  title: string;
  detail: string;
  problem_type: string;
}

export function problem(pointer: string, title: string, detail: string, problemType: string): Problem {
  return { source: { pointer }, title, detail, problem_type: problemType };
}

export interface ValidatedWrite {
  fields: Record<string, CommonValue>;
  /** Relation fields still holding our UUIDs: field -> { target, ids } (resolved by the service). */
  relations: { field: string; target: ModelName; ids: string[]; list: boolean }[];
  remoteFields: { remote_field_class: string; value: unknown }[];
  errors: Problem[];
  warnings: Problem[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks a write body `{"model": {...}, "remote_fields": [...]}` against the common model:
 * wrong types and enum values are errors naming the field; unknown and read-only fields are
 * warnings (ignored), as Merge does.
 */
export function validateWriteBody(model: ModelName, body: unknown): ValidatedWrite {
  const out: ValidatedWrite = { fields: {}, relations: [], remoteFields: [], errors: [], warnings: [] };
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    out.errors.push(problem('/body', 'Invalid body', 'The body must be a JSON object {"model": {...}}.', 'INCORRECT_FIELD_TYPE'));
    return out;
  }
  const { model: input, remote_fields: remoteFields } = body as { model?: unknown; remote_fields?: unknown };
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    out.errors.push(problem('/model', 'Missing model', 'The body must have a "model" object with the fields to write.', 'MISSING_REQUIRED_FIELD'));
    return out;
  }
  const spec = MODELS[model];
  for (const [field, value] of Object.entries(input as Record<string, unknown>)) {
    const pointer = `/model/${field}`;
    const fieldSpec = spec.fields[field];
    if (!fieldSpec) {
      out.warnings.push(problem(pointer, 'Unsupported field', `${model} has no field "${field}"; it was ignored.`, 'UNSUPPORTED_FIELD'));
      continue;
    }
    if (!fieldSpec.writable) {
      out.warnings.push(problem(pointer, 'Read-only field', `${model}.${field} is set by the CRM and was ignored.`, 'UNSUPPORTED_FIELD'));
      continue;
    }
    const error = checkValue(field, fieldSpec, value, pointer, out);
    if (error) out.errors.push(error);
  }
  if (remoteFields !== undefined) {
    if (!Array.isArray(remoteFields)) {
      out.errors.push(problem('/remote_fields', 'Invalid remote_fields', 'remote_fields must be a list of {remote_field_class, value}.', 'INCORRECT_FIELD_TYPE'));
    } else {
      remoteFields.forEach((rf, i) => {
        const name = (rf as { remote_field_class?: unknown })?.remote_field_class;
        if (!rf || typeof rf !== 'object' || typeof name !== 'string' || !name) {
          out.errors.push(problem(`/remote_fields/${i}/remote_field_class`, 'Invalid remote field', 'remote_field_class must be the name of a vendor field.', 'INCORRECT_FIELD_TYPE'));
          return;
        }
        out.remoteFields.push({ remote_field_class: name, value: (rf as { value?: unknown }).value ?? null });
      });
    }
  }
  return out;
}

function typeError(pointer: string, field: string, expected: string): Problem {
  return problem(pointer, 'Incorrect field type', `${field} must be ${expected}.`, 'INCORRECT_FIELD_TYPE');
}

function checkValue(field: string, spec: FieldSpec, value: unknown, pointer: string, out: ValidatedWrite): Problem | null {
  if (value === null) {
    if (spec.kind === 'relation_list' || spec.kind === 'addresses' || spec.kind === 'email_addresses' || spec.kind === 'phone_numbers') out.fields[field] = [];
    else out.fields[field] = null;
    return null;
  }
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') return typeError(pointer, field, 'a string');
      out.fields[field] = value;
      return null;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return typeError(pointer, field, 'an integer');
      out.fields[field] = value;
      return null;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return typeError(pointer, field, 'a number');
      out.fields[field] = value;
      return null;
    case 'boolean':
      if (typeof value !== 'boolean') return typeError(pointer, field, 'true or false');
      out.fields[field] = value;
      return null;
    case 'datetime':
      if (typeof value !== 'string') return typeError(pointer, field, 'an ISO 8601 datetime string');
      try {
        out.fields[field] = parseDate(value, pointer).toISOString();
      } catch {
        return typeError(pointer, field, 'an ISO 8601 datetime string');
      }
      return null;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) return typeError(pointer, field, `one of ${spec.values.join(', ')}`);
      out.fields[field] = value;
      return null;
    case 'relation':
      if (typeof value !== 'string' || !UUID.test(value)) return typeError(pointer, field, `the id (UUID) of a ${spec.target}`);
      out.relations.push({ field, target: spec.target, ids: [value.toLowerCase()], list: false });
      return null;
    case 'relation_list':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !UUID.test(v))) return typeError(pointer, field, `a list of ${spec.target} ids (UUIDs)`);
      out.relations.push({ field, target: spec.target, ids: (value as string[]).map((v) => v.toLowerCase()), list: true });
      return null;
    default: {
      const shape = SUB_OBJECTS[spec.kind];
      if (!Array.isArray(value)) return typeError(pointer, field, 'a list of objects');
      const items: Record<string, unknown>[] = [];
      for (const [i, item] of value.entries()) {
        if (!item || typeof item !== 'object' || Array.isArray(item)) return typeError(`${pointer}/${i}`, `${field}[${i}]`, 'an object');
        const clean: Record<string, unknown> = {};
        for (const [k, kind] of Object.entries(shape)) {
          const v = (item as Record<string, unknown>)[k];
          if (v === undefined || v === null) {
            clean[k] = null;
            continue;
          }
          if (typeof v !== 'string') return typeError(`${pointer}/${i}/${k}`, `${field}[${i}].${k}`, 'a string');
          if (kind === 'enum:AddressType' && !['BILLING', 'SHIPPING'].includes(v)) return typeError(`${pointer}/${i}/${k}`, `${field}[${i}].${k}`, 'BILLING or SHIPPING');
          clean[k] = v;
        }
        const main = spec.kind === 'email_addresses' ? 'email_address' : spec.kind === 'phone_numbers' ? 'phone_number' : null;
        if (main && !clean[main]) return problem(`${pointer}/${i}/${main}`, 'Missing required field', `${field}[${i}].${main} is required.`, 'MISSING_REQUIRED_FIELD');
        items.push(clean);
      }
      out.fields[field] = items as unknown as CommonValue;
      return null;
    }
  }
}

export type { RemoteRef };
