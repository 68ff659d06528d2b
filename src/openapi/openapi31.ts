/**
 * @nestjs/swagger emits OpenAPI 3.0 schemas (`nullable`, boolean `exclusiveMinimum`, schema-level
 * `example`). OpenAPI 3.1 uses plain JSON Schema 2020-12 instead; this rewrites every schema in
 * the document to that dialect so that validators, generators and Redocly read it as 3.1.
 */

type Json = Record<string, any>;

/** Keywords whose value is one schema. */
const SINGLE = ['items', 'additionalProperties', 'not', 'contains', 'propertyNames', 'if', 'then', 'else', 'unevaluatedItems', 'unevaluatedProperties'];
/** Keywords whose value is a list of schemas. */
const LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
/** Keywords whose value maps names to schemas. */
const MAPS = ['properties', 'patternProperties', '$defs', 'dependentSchemas'];
/** Annotations that stay on the outside when a nullable schema is wrapped in anyOf. */
const ANNOTATIONS = ['description', 'title', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly'];

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One schema (and everything nested in it), converted to JSON Schema 2020-12. */
export function toJsonSchema2020(input: Json): Json {
  if (!isObject(input)) return input;
  let s: Json = { ...input };
  for (const k of SINGLE) if (isObject(s[k])) s[k] = toJsonSchema2020(s[k]);
  for (const k of LISTS) if (Array.isArray(s[k])) s[k] = s[k].map((x: Json) => toJsonSchema2020(x));
  for (const k of MAPS) if (isObject(s[k])) s[k] = Object.fromEntries(Object.entries(s[k]).map(([n, x]) => [n, toJsonSchema2020(x as Json)]));

  if ('example' in s) {
    if (!('examples' in s)) s.examples = [s.example];
    delete s.example;
  }
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (s[flag] === true && typeof s[bound] === 'number') {
      s[flag] = s[bound];
      delete s[bound];
    } else if (typeof s[flag] === 'boolean') delete s[flag];
  }
  if ('nullable' in s) {
    const nullable = s.nullable === true;
    delete s.nullable;
    if (nullable) s = addNull(s);
  }
  return s;
}

/** `nullable: true` in 3.1: `null` joins the type list (and the enum), or the schema becomes anyOf [schema, null]. */
function addNull(s: Json): Json {
  if (typeof s.type === 'string' && !('$ref' in s) && !s.allOf && !s.anyOf && !s.oneOf) {
    const out: Json = { ...s, type: [s.type, 'null'] };
    if (Array.isArray(s.enum) && !s.enum.includes(null)) out.enum = [...s.enum, null];
    return out;
  }
  if (Array.isArray(s.type)) return s.type.includes('null') ? s : { ...s, type: [...s.type, 'null'] };
  if (Array.isArray(s.anyOf) && Object.keys(s).every((k) => k === 'anyOf' || ANNOTATIONS.includes(k))) {
    return s.anyOf.some((x: Json) => x?.type === 'null') ? s : { ...s, anyOf: [...s.anyOf, { type: 'null' }] };
  }
  const outer: Json = {};
  const inner: Json = {};
  for (const [k, v] of Object.entries(s)) (ANNOTATIONS.includes(k) ? outer : inner)[k] = v;
  // A nested DTO comes as allOf [one $ref]: the $ref alone says the same.
  const body = Array.isArray(inner.allOf) && inner.allOf.length === 1 && Object.keys(inner).length === 1 ? inner.allOf[0] : inner;
  return { ...outer, anyOf: [body, { type: 'null' }] };
}

/** Applies `fn` to every schema root of the document (components, parameters, bodies, responses, headers). */
export function mapSchemaRoots(doc: Json, fn: (schema: Json) => Json): void {
  const components = doc.components ?? {};
  if (isObject(components.schemas)) for (const name of Object.keys(components.schemas)) components.schemas[name] = fn(components.schemas[name]);
  const fixParam = (p: Json) => {
    if (isObject(p?.schema)) p.schema = fn(p.schema);
    fixContent(p?.content);
  };
  const fixContent = (content: unknown) => {
    if (!isObject(content)) return;
    for (const media of Object.values(content)) if (isObject(media) && isObject(media.schema)) media.schema = fn(media.schema);
  };
  const fixResponse = (r: Json) => {
    fixContent(r?.content);
    if (isObject(r?.headers)) for (const h of Object.values(r.headers)) fixParam(h as Json);
  };
  for (const p of Object.values(components.parameters ?? {})) fixParam(p as Json);
  for (const h of Object.values(components.headers ?? {})) fixParam(h as Json);
  for (const r of Object.values(components.responses ?? {})) fixResponse(r as Json);
  for (const b of Object.values(components.requestBodies ?? {})) fixContent((b as Json)?.content);
  for (const item of Object.values(doc.paths ?? {})) {
    if (!isObject(item)) continue;
    for (const p of item.parameters ?? []) fixParam(p);
    for (const op of Object.values(item)) {
      if (!isObject(op) || Array.isArray(op)) continue;
      for (const p of op.parameters ?? []) fixParam(p);
      fixContent(op.requestBody?.content);
      for (const r of Object.values(op.responses ?? {})) fixResponse(r as Json);
    }
  }
}

/** Converts a 3.0 document from @nestjs/swagger to OpenAPI 3.1.0 in place. */
export function upgradeToOpenApi31(doc: Json): void {
  doc.openapi = '3.1.0';
  mapSchemaRoots(doc, toJsonSchema2020);
}
