import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { parseDate } from '../crm/list-query';

/**
 * DateTime: ISO 8601 strings, passed through exactly as the REST API returns them (a vendor's
 * own precision is kept). Inputs are checked with the REST parser so both surfaces accept the
 * same values.
 */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An ISO 8601 datetime such as 2024-01-31T12:00:00Z (UTC on output).',
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: (value) => checkDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string such as 2024-01-31T12:00:00Z.');
    return checkDate(ast.value);
  },
});

function checkDate(value: unknown): string {
  if (typeof value !== 'string') throw new GraphQLError('DateTime must be a string such as 2024-01-31T12:00:00Z.');
  try {
    parseDate(value, '/value');
  } catch {
    throw new GraphQLError(`must be an ISO 8601 datetime such as 2024-01-31T12:00:00Z (got "${value}")`);
  }
  return value;
}

function literal(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literal(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      return undefined;
  }
}

/** Free-form JSON (remote_data, remote_fields, field_mappings, vendor values). */
export const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => literal(ast, variables),
});
