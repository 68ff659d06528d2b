import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ENUMS, type FieldSpec, type ModelName, MODEL_NAMES, MODELS, SUB_OBJECTS, type SubObjectKind } from '../models/spec';
import { DateTimeScalar, JsonScalar } from './scalars';

/**
 * The GraphQL types, generated from the one model declaration (models/spec.ts) the same way the
 * REST controllers and OpenAPI schemas are: object types, connections, filter inputs, write
 * inputs and write responses for every model. Names are the wire names in camelCase.
 */

type Ctor = new () => object;
type TypeFn = () => unknown;

const camelCache = new Map<string, string>();
/** snake_case -> camelCase (memoized: called for every key of every record). */
export function camel(snake: string): string {
  let out = camelCache.get(snake);
  if (out === undefined) {
    out = snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    if (camelCache.size < 10_000) camelCache.set(snake, out);
  }
  return out;
}

function makeClass(name: string): Ctor {
  // A named class per GraphQL type: Nest keys its metadata by constructor.
  const cls = { [name]: class {} }[name] as Ctor;
  return cls;
}

function field(cls: Ctor, name: string, type: TypeFn, options: { nullable?: boolean | 'items' | 'itemsAndList'; description?: string } = {}) {
  Field(type as never, { nullable: options.nullable ?? true, description: options.description })(cls.prototype, name);
}

// ---- enums (closed sets; used by inputs: outputs are strings because unmapped vendor values pass through) ----

const enumTypes = new Map<readonly string[], object>();
for (const [name, values] of Object.entries(ENUMS)) {
  const e = Object.fromEntries(values.map((v) => [v, v]));
  registerEnumType(e, { name });
  enumTypes.set(values, e);
}
function enumFor(values: readonly string[]): object {
  const e = enumTypes.get(values);
  if (!e) throw new Error(`enum values ${values.join(',')} are not declared in ENUMS`);
  return e;
}

// ---- shared types ----

@ObjectType({ description: 'Relay page information. Cursors are the same opaque cursors the REST API returns in next / previous.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'True when endCursor opens a further page.' })
  hasNextPage!: boolean;
  @Field(() => Boolean, { description: 'True when startCursor opens the page before this one.' })
  hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true, description: 'Pass as `before` (with `last`) for the previous page: the REST `previous` cursor.' })
  startCursor!: string | null;
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page: the REST `next` cursor.' })
  endCursor!: string | null;
}

@ObjectType('ProblemSource')
export class ProblemSource {
  @Field(() => String, { description: 'JSON pointer into the mutation input, e.g. /input/firstName.' })
  pointer!: string;
}

@ObjectType('WriteProblem', { description: "One problem with a write (Merge's Problem)." })
export class WriteProblem {
  @Field(() => ProblemSource, { nullable: true })
  source!: ProblemSource | null;
  @Field(() => String)
  title!: string;
  @Field(() => String)
  detail!: string;
  @Field(() => String, { description: 'MISSING_REQUIRED_FIELD, INCORRECT_FIELD_TYPE, UNSUPPORTED_FIELD, DUPLICATE_MODEL_EXISTS, PROVIDER_ERROR, CREDENTIAL_REFRESH_FAILED, ...' })
  problemType!: string;
}

@InputType('RemoteFieldInput', { description: 'A vendor field (custom or unmapped) to write, by its remote_field_class name.' })
export class RemoteFieldInput {
  @Field(() => String)
  remoteFieldClass!: string;
  @Field(() => JsonScalar, { nullable: true })
  value!: unknown;
}

@ObjectType('DeleteResponse')
export class DeleteResponse {
  @Field(() => ID)
  id!: string;
  @Field(() => Boolean)
  deleted!: boolean;
}

// ---- sub-objects ----

const SUB_NAMES: Record<SubObjectKind, string> = { addresses: 'Address', email_addresses: 'EmailAddress', phone_numbers: 'PhoneNumber' };
const subOutputs = new Map<SubObjectKind, Ctor>();
const subInputs = new Map<SubObjectKind, Ctor>();
for (const kind of Object.keys(SUB_OBJECTS) as SubObjectKind[]) {
  const out = makeClass(SUB_NAMES[kind]);
  const input = makeClass(`${SUB_NAMES[kind]}Input`);
  const main = kind === 'email_addresses' ? 'email_address' : kind === 'phone_numbers' ? 'phone_number' : null;
  for (const [key, kindName] of Object.entries(SUB_OBJECTS[kind])) {
    const enumName = kindName.startsWith('enum:') ? kindName.slice(5) : null;
    field(out, camel(key), () => String);
    field(input, camel(key), enumName ? () => enumFor(ENUMS[enumName as keyof typeof ENUMS]) : () => String, { nullable: key !== main });
  }
  field(out, 'createdAt', () => DateTimeScalar);
  field(out, 'modifiedAt', () => DateTimeScalar);
  ObjectType(SUB_NAMES[kind])(out);
  InputType(`${SUB_NAMES[kind]}Input`)(input);
  subOutputs.set(kind, out);
  subInputs.set(kind, input);
}

// ---- per model ----

export interface ModelTypes {
  node: Ctor;
  edge: Ctor;
  connection: Ctor;
  filter: Ctor;
  input?: Ctor;
  response?: Ctor;
}

function scalarType(spec: FieldSpec, forInput: boolean): TypeFn {
  switch (spec.kind) {
    case 'string':
      return () => String;
    case 'integer':
      return () => Int;
    case 'number':
      return () => Float;
    case 'boolean':
      return () => Boolean;
    case 'datetime':
      return () => DateTimeScalar;
    case 'enum':
      return forInput ? () => enumFor(spec.values) : () => String;
    case 'relation':
      return () => ID;
    case 'relation_list':
      return () => [ID];
    default:
      return forInput ? () => [subInputs.get(spec.kind)] : () => [subOutputs.get(spec.kind)];
  }
}

/** GraphQL name of the id field of a relation: account -> accountId, contacts -> contactIds. */
export function relationIdField(fieldName: string, list: boolean): string {
  return list ? `${camel(fieldName).replace(/s$/, '')}Ids` : `${camel(fieldName)}Id`;
}

/** GraphQL filter field name of a REST filter parameter. */
export const filterField = (param: string) => camel(param);

/** Common list filters: REST parameter -> GraphQL type and description. */
export const COMMON_FILTERS: { param: string; type: TypeFn; description: string }[] = [
  { param: 'created_after', type: () => DateTimeScalar, description: 'Only records created after this datetime.' },
  { param: 'created_before', type: () => DateTimeScalar, description: 'Only records created before this datetime.' },
  { param: 'modified_after', type: () => DateTimeScalar, description: 'Only records modified after this datetime.' },
  { param: 'modified_before', type: () => DateTimeScalar, description: 'Only records modified before this datetime.' },
  { param: 'remote_id', type: () => String, description: "The CRM's id of the record." },
  { param: 'include_deleted_data', type: () => Boolean, description: 'Include records deleted in the CRM.' },
];

function buildModelTypes(model: ModelName): ModelTypes {
  const spec = MODELS[model];
  const node = makeClass(model);
  field(node, 'id', () => ID, { nullable: false, description: `Switchboard's stable id of the ${model}.` });
  field(node, 'remoteId', () => String, { description: "The CRM's id of the record." });
  field(node, 'createdAt', () => DateTimeScalar);
  field(node, 'modifiedAt', () => DateTimeScalar);
  for (const [name, f] of Object.entries(spec.fields)) {
    if (f.kind === 'relation' || f.kind === 'relation_list') {
      // The object itself is a resolved field (resolvers.ts); its id is a plain field.
      field(node, relationIdField(name, f.kind === 'relation_list'), scalarType(f, false), { nullable: f.kind === 'relation_list' ? 'items' : true, description: `Id of: ${f.description}` });
      continue;
    }
    const description = f.kind === 'enum' ? `${f.description} (${f.values.join(', ')})` : f.description;
    field(node, camel(name), scalarType(f, false), { description });
  }
  field(node, 'remoteWasDeleted', () => Boolean, { nullable: false, description: 'Whether the record was deleted in the CRM.' });
  field(node, 'fieldMappings', () => JsonScalar);
  field(node, 'remoteData', () => [JsonScalar], { description: 'The raw vendor record(s) [{path, data}]; selecting it reads them (include_remote_data).' });
  field(node, 'remoteFields', () => [JsonScalar], { description: 'Custom and unmapped vendor fields [{remote_field_class, value}]; selecting it reads them (include_remote_fields).' });
  ObjectType(model, { description: spec.description })(node);

  const edge = makeClass(`${model}Edge`);
  field(edge, 'node', () => node, { nullable: false });
  ObjectType(`${model}Edge`)(edge);

  const connection = makeClass(`${model}Connection`);
  field(connection, 'edges', () => [edge], { nullable: false });
  field(connection, 'nodes', () => [node], { nullable: false, description: 'The nodes of edges, for clients that do not need edges.' });
  field(connection, 'pageInfo', () => PageInfo, { nullable: false });
  ObjectType(`${model}Connection`, { description: `A page of ${spec.plural}.` })(connection);

  const filter = makeClass(`${model}Filter`);
  for (const c of COMMON_FILTERS) field(filter, filterField(c.param), c.type, { description: c.description });
  for (const f of spec.filters) {
    const type: TypeFn = f.kind === 'relation' ? () => ID : f.kind === 'enum' ? () => enumFor(f.values) : f.kind === 'datetime' ? () => DateTimeScalar : () => String;
    const description =
      f.kind === 'relation'
        ? `Only records whose ${f.field} is this ${f.target} id.`
        : f.kind === 'datetime'
          ? `Only records whose ${f.field} is ${f.op === 'gt' ? 'after' : 'before'} this datetime.`
          : f.kind === 'email' || f.kind === 'phone'
            ? `Only records with this ${f.kind === 'email' ? 'email address' : 'phone number'}.`
            : `Only records whose ${f.field} ${f.kind === 'string' && f.match === 'contains' ? 'contains' : 'is'} this value.`;
    field(filter, filterField(f.param), type, { description });
  }
  InputType(`${model}Filter`, { description: `Filters of ${spec.plural}: the REST list filters, typed.` })(filter);

  const types: ModelTypes = { node, edge, connection, filter };
  if (spec.writable) {
    const input = makeClass(`${model}Input`);
    for (const [name, f] of Object.entries(spec.fields)) {
      if (!f.writable) continue;
      const gqlName = f.kind === 'relation' || f.kind === 'relation_list' ? relationIdField(name, f.kind === 'relation_list') : camel(name);
      field(input, gqlName, scalarType(f, true), { nullable: true, description: f.description });
    }
    InputType(`${model}Input`, { description: `Fields of a ${model} to write; omitted fields are left unchanged on update.` })(input);
    const response = makeClass(`${model}Response`);
    field(response, 'model', () => node, { description: 'The record as written (null when the write failed).' });
    field(response, 'warnings', () => [WriteProblem], { nullable: false });
    field(response, 'errors', () => [WriteProblem], { nullable: false });
    field(response, 'logs', () => [JsonScalar], { nullable: false });
    ObjectType(`${model}Response`, { description: 'The write envelope {model, warnings, errors, logs}.' })(response);
    types.input = input;
    types.response = response;
  }
  return types;
}

export const MODEL_TYPES = Object.fromEntries(MODEL_NAMES.map((m) => [m, buildModelTypes(m)])) as Record<ModelName, ModelTypes>;
