/**
 * A small JSON Schema 2020-12 validator for the subset the OpenAPI document uses, so that tests
 * can check real responses against the document without a transitive dependency. A keyword it
 * does not know is an error (never silently ignored), so a passing check means something.
 */

type Json = Record<string, any>;

export interface SchemaIssue {
  /** Where in the value: `$.results[0].email_addresses[1]`. */
  path: string;
  message: string;
}

/** Keywords that only annotate. */
const ANNOTATIONS = new Set(['description', 'title', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly', '$comment', 'discriminator', 'xml', 'externalDocs', 'contentMediaType', 'contentEncoding']);
const VALIDATING = new Set([
  '$ref',
  'type',
  'enum',
  'const',
  'format',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minProperties',
  'maxProperties',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
]);

const FORMATS: Record<string, (v: string) => boolean> = {
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  'date-time': (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(v) && !Number.isNaN(Date.parse(v)),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  email: (v) => /^[^\s@]+@[^\s@]+$/.test(v),
  uri: (v) => URL.canParse(v),
};

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function matchesType(v: unknown, type: string): boolean {
  const actual = typeOf(v);
  return actual === type || (type === 'number' && actual === 'integer');
}

function resolveRef(root: Json, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref} (only local references)`);
  let node: any = root;
  for (const raw of ref.slice(2).split('/')) {
    node = node?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (node === undefined) throw new Error(`unresolvable $ref ${ref}`);
  }
  return node;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every way `value` breaks `schema`; `root` resolves `$ref`s (the OpenAPI document). */
export function validateAgainstSchema(schema: Json | boolean, value: unknown, root: Json, path = '$'): SchemaIssue[] {
  if (schema === true) return [];
  if (schema === false) return [{ path, message: 'no value is allowed here' }];
  const issues: SchemaIssue[] = [];
  const fail = (message: string, at = path) => issues.push({ path: at, message });
  for (const key of Object.keys(schema)) {
    if (!VALIDATING.has(key) && !ANNOTATIONS.has(key) && !key.startsWith('x-')) throw new Error(`unsupported schema keyword "${key}" at ${path}`);
  }

  if (schema.$ref) issues.push(...validateAgainstSchema(resolveRef(root, schema.$ref), value, root, path));

  if (schema.type !== undefined) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => matchesType(value, t))) {
      fail(`expected ${types.join(' or ')}, got ${typeOf(value)}`);
      return issues;
    }
  }
  if (schema.enum && !schema.enum.some((e: unknown) => deepEqual(e, value))) fail(`${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if ('const' in schema && !deepEqual(schema.const, value)) fail(`expected ${JSON.stringify(schema.const)}`);

  if (typeof value === 'string') {
    if (schema.format && FORMATS[schema.format] && !FORMATS[schema.format](value)) fail(`${JSON.stringify(value)} is not a valid ${schema.format}`);
    if (schema.minLength !== undefined && [...value].length < schema.minLength) fail(`shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) fail(`longer than ${schema.maxLength}`);
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) fail(`does not match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) fail(`below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) fail(`above ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) fail(`not above ${schema.exclusiveMinimum}`);
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) fail(`not below ${schema.exclusiveMaximum}`);
    if (schema.multipleOf !== undefined && !Number.isInteger(value / schema.multipleOf)) fail(`not a multiple of ${schema.multipleOf}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) fail(`fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) fail(`more than ${schema.maxItems} items`);
    if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) fail('items are not unique');
    if (schema.items !== undefined) value.forEach((item, i) => issues.push(...validateAgainstSchema(schema.items, item, root, `${path}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    const obj = value as Json;
    const keys = Object.keys(obj);
    for (const name of schema.required ?? []) if (!(name in obj)) fail(`missing required property "${name}"`);
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) fail(`fewer than ${schema.minProperties} properties`);
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) fail(`more than ${schema.maxProperties} properties`);
    const props: Json = schema.properties ?? {};
    for (const key of keys) {
      if (key in props) issues.push(...validateAgainstSchema(props[key], obj[key], root, `${path}.${key}`));
      else if (schema.additionalProperties !== undefined) {
        if (schema.additionalProperties === false) fail(`unexpected property "${key}"`);
        else issues.push(...validateAgainstSchema(schema.additionalProperties, obj[key], root, `${path}.${key}`));
      }
    }
  }

  for (const sub of schema.allOf ?? []) issues.push(...validateAgainstSchema(sub, value, root, path));
  if (schema.anyOf) {
    const results = schema.anyOf.map((sub: Json) => validateAgainstSchema(sub, value, root, path));
    if (!results.some((r: SchemaIssue[]) => r.length === 0)) {
      fail(`matches none of anyOf: ${results.map((r: SchemaIssue[]) => r[0] && `${r[0].path} ${r[0].message}`).join(' | ')}`);
    }
  }
  if (schema.oneOf) {
    const matching = schema.oneOf.filter((sub: Json) => validateAgainstSchema(sub, value, root, path).length === 0).length;
    if (matching !== 1) fail(`matches ${matching} of oneOf (exactly one expected)`);
  }
  if (schema.not && validateAgainstSchema(schema.not, value, root, path).length === 0) fail('matches a schema it must not');
  return issues;
}
