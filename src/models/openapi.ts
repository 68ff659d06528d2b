import type { OpenAPIObject } from '@nestjs/swagger';

type SchemaObject = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string] & Record<string, any>;
import { type FieldSpec, type ModelName, MODEL_NAMES, MODELS, SUB_OBJECTS } from './spec';

/** OpenAPI component schemas derived from the model declarations (spec.ts). */

const ref = (name: string): SchemaObject => ({ $ref: `#/components/schemas/${name}` }) as SchemaObject;
const nullable = (s: SchemaObject): SchemaObject => ({ anyOf: [s, { type: 'null' }] }) as SchemaObject;
const stamp = { type: 'string', format: 'date-time' } as SchemaObject;

function subSchema(kind: keyof typeof SUB_OBJECTS): SchemaObject {
  const props: Record<string, SchemaObject> = {};
  for (const [k, t] of Object.entries(SUB_OBJECTS[kind])) {
    props[k] = t === 'enum:AddressType' ? nullable({ type: 'string', enum: ['BILLING', 'SHIPPING'] }) : nullable({ type: 'string' });
  }
  return { type: 'object', properties: props };
}

const SUB_NAMES: Record<string, string> = { addresses: 'Address', email_addresses: 'EmailAddress', phone_numbers: 'PhoneNumber' };

function fieldSchema(spec: FieldSpec, mode: 'read' | 'write'): SchemaObject {
  const base: SchemaObject = (() => {
    switch (spec.kind) {
      case 'string':
        return { type: 'string' };
      case 'integer':
        return { type: 'integer' };
      case 'number':
        return { type: 'number' };
      case 'boolean':
        return { type: 'boolean' };
      case 'datetime':
        return { type: 'string', format: 'date-time' };
      case 'enum':
        // A vendor value that does not map is returned raw, so reads accept any string.
        return mode === 'write' ? { type: 'string', enum: [...spec.values] } : { anyOf: [{ type: 'string', enum: [...spec.values] }, { type: 'string' }] };
      case 'relation':
        return mode === 'write' ? { type: 'string', format: 'uuid' } : { anyOf: [{ type: 'string', format: 'uuid' }, ref(spec.target)] };
      case 'relation_list':
        return { type: 'array', items: mode === 'write' ? { type: 'string', format: 'uuid' } : { anyOf: [{ type: 'string', format: 'uuid' }, ref(spec.target)] } };
      default:
        return { type: 'array', items: ref(mode === 'write' ? `${SUB_NAMES[spec.kind]}Request` : SUB_NAMES[spec.kind]) };
    }
  })() as SchemaObject;
  const withDoc = { ...base, description: spec.description } as SchemaObject;
  return spec.kind === 'relation_list' || spec.kind === 'addresses' || spec.kind === 'email_addresses' || spec.kind === 'phone_numbers' ? withDoc : nullable(withDoc);
}

export function modelSchema(model: ModelName): SchemaObject {
  const spec = MODELS[model];
  const properties: Record<string, SchemaObject> = {
    id: { type: 'string', format: 'uuid', description: "Switchboard's stable id of the record." } as SchemaObject,
    remote_id: nullable({ type: 'string', description: "The CRM's id of the record." } as SchemaObject),
    // Live reads take these from the CRM's own timestamps; a CRM object without any (a pipeline stage) has null.
    created_at: nullable({ ...stamp, description: 'When Switchboard first saw the record (live reads: when the CRM created it; null when the CRM keeps no timestamp).' } as SchemaObject),
    modified_at: nullable({ ...stamp, description: "When Switchboard's normalized copy last changed (live reads: the CRM's last update; null when the CRM keeps no timestamp)." } as SchemaObject),
  };
  for (const [name, f] of Object.entries(spec.fields)) properties[name] = fieldSchema(f, 'read');
  properties.remote_was_deleted = { type: 'boolean', description: 'Whether the record was deleted in the CRM.' } as SchemaObject;
  properties.field_mappings = nullable({ type: 'object' } as SchemaObject);
  properties.remote_data = nullable({ type: 'array', items: ref('RemoteData') } as SchemaObject);
  properties.remote_fields = { type: 'array', items: ref('RemoteField') } as SchemaObject;
  return { type: 'object', description: spec.description, properties, required: ['id'] } as SchemaObject;
}

export function requestSchema(model: ModelName): SchemaObject {
  const properties: Record<string, SchemaObject> = {};
  for (const [name, f] of Object.entries(MODELS[model].fields)) if (f.writable) properties[name] = fieldSchema(f, 'write');
  return { type: 'object', properties } as SchemaObject;
}

/** Every component schema of the CRM API, keyed by name. */
export function crmComponentSchemas(): Record<string, SchemaObject> {
  const out: Record<string, SchemaObject> = {
    RemoteData: { type: 'object', properties: { path: { type: 'string' }, data: {} }, required: ['path'] } as SchemaObject,
    RemoteFieldClass: {
      type: 'object',
      properties: {
        id: nullable({ type: 'string' } as SchemaObject),
        display_name: nullable({ type: 'string' } as SchemaObject),
        remote_key_name: nullable({ type: 'string' } as SchemaObject),
        description: nullable({ type: 'string' } as SchemaObject),
        is_custom: { type: 'boolean' },
        is_common_model_field: { type: 'boolean' },
        is_required: { type: 'boolean' },
        field_type: nullable({ type: 'string' } as SchemaObject),
        field_format: nullable({ type: 'string' } as SchemaObject),
        field_choices: nullable({ type: 'array', items: {} } as SchemaObject),
        item_schema: nullable({ type: 'object' } as SchemaObject),
      },
    } as SchemaObject,
    RemoteField: { type: 'object', properties: { remote_field_class: ref('RemoteFieldClass'), value: {} } } as SchemaObject,
    RemoteFieldRequest: { type: 'object', properties: { remote_field_class: { type: 'string' }, value: {} }, required: ['remote_field_class'] } as SchemaObject,
    Problem: {
      type: 'object',
      properties: {
        source: { type: 'object', properties: { pointer: { type: 'string' } } },
        title: { type: 'string' },
        detail: { type: 'string' },
        problem_type: { type: 'string', description: 'MISSING_REQUIRED_FIELD, INCORRECT_FIELD_TYPE, UNSUPPORTED_FIELD, DUPLICATE_MODEL_EXISTS, PROVIDER_ERROR, CREDENTIAL_REFRESH_FAILED' },
      },
    } as SchemaObject,
    Error: {
      type: 'object',
      properties: {
        detail: { type: 'string' },
        code: { type: 'string' },
        errors: { type: 'array', items: { type: 'object', properties: { source: { type: 'object', properties: { pointer: { type: 'string' } } }, detail: { type: 'string' } } } },
        request_id: { type: 'string' },
      },
      required: ['detail', 'code', 'errors'],
    } as SchemaObject,
    MetaResponse: {
      type: 'object',
      properties: {
        request_schema: { type: 'object' },
        remote_field_classes: { type: 'object', additionalProperties: ref('RemoteFieldClass') },
        status: { type: 'object', properties: { linked_account_status: { type: 'string' }, can_make_request: { type: 'boolean' } } },
        has_conditional_params: { type: 'boolean' },
        has_required_linked_account_params: { type: 'boolean' },
      },
    } as SchemaObject,
    PaginatedRemoteFieldClassList: paginated('RemoteFieldClass'),
  };
  for (const kind of ['addresses', 'email_addresses', 'phone_numbers'] as const) {
    const s = subSchema(kind);
    out[SUB_NAMES[kind]] = { ...s, properties: { ...s.properties, created_at: nullable(stamp), modified_at: nullable(stamp) } } as SchemaObject;
    out[`${SUB_NAMES[kind]}Request`] = s;
  }
  for (const model of MODEL_NAMES) {
    out[model] = modelSchema(model);
    out[`Paginated${model}List`] = paginated(model);
    if (MODELS[model].writable) {
      out[`${model}Request`] = requestSchema(model);
      out[`${model}EndpointRequest`] = {
        type: 'object',
        properties: { model: ref(`${model}Request`), remote_fields: { type: 'array', items: ref('RemoteFieldRequest') } },
        required: ['model'],
      } as SchemaObject;
      out[`${model}Response`] = {
        type: 'object',
        properties: {
          model: nullable(ref(model)),
          warnings: { type: 'array', items: ref('Problem') },
          errors: { type: 'array', items: ref('Problem') },
          logs: { type: 'array', items: { type: 'object' } },
        },
        required: ['model', 'warnings', 'errors'],
      } as SchemaObject;
    }
  }
  return out;
}

function paginated(item: string): SchemaObject {
  return {
    type: 'object',
    properties: {
      next: nullable({ type: 'string', description: 'Cursor of the next page (pass it back as ?cursor=); null on the last page.' } as SchemaObject),
      previous: nullable({ type: 'string', description: 'Cursor of the previous page.' } as SchemaObject),
      results: { type: 'array', items: ref(item) },
    },
    required: ['next', 'previous', 'results'],
  } as SchemaObject;
}
