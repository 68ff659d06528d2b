import { type ASTNode, GraphQLError, type GraphQLFormattedError, Kind, parse, type SourceLocation, type ValueNode, visit } from 'graphql';
import { ApiError } from '../errors/api-error';
import { describeForLog, renderError } from '../errors/render-error';
import { graphqlPath } from './mapping';

/**
 * GraphQL errors carry the REST error's machine code in extensions.code (UNAUTHORIZED,
 * MISSING_ACCOUNT_TOKEN, NOT_FOUND, INVALID_PARAMETER, VENDOR_ERROR, ...), its HTTP status in
 * extensions.status, and the offending argument in extensions.field. Unexpected errors are
 * logged and answered with INTERNAL_ERROR and the request id, never with their message.
 */

interface Execution {
  data?: unknown;
  errors?: readonly GraphQLError[];
  statusCode?: number;
}
interface Ctx {
  reply?: { request?: { id?: unknown; body?: unknown; query?: unknown }; log?: { error(obj: object, msg: string): void } };
}

/**
 * The argument path (e.g. input.firstName, filter.createdAfter) of the literal an error points at:
 * graphql-js names the variable path for bad variables but not for bad inline literals.
 */
export function argumentPathAt(source: string, at: SourceLocation): string | undefined {
  let document;
  try {
    document = parse(source);
  } catch {
    return undefined;
  }
  const lines = source.split('\n');
  let offset = at.column - 1;
  for (let i = 0; i < at.line - 1; i++) offset += lines[i].length + 1;
  const inside = (node: ASTNode) => !!node.loc && node.loc.start <= offset && offset < node.loc.end;
  let found: string[] | undefined;
  const walk = (value: ValueNode, path: string[]) => {
    if (!inside(value)) return;
    found = path;
    if (value.kind === Kind.OBJECT) for (const f of value.fields) walk(f.value, [...path, f.name.value]);
    if (value.kind === Kind.LIST) value.values.forEach((v, i) => walk(v, [...path, String(i)]));
  };
  visit(document, {
    Argument(node) {
      walk(node.value, [node.name.value]);
    },
  });
  return found?.join('.');
}

function sourceOf(ctx: Ctx): string | undefined {
  const req = ctx.reply?.request;
  const q = (req?.body as { query?: unknown } | undefined)?.query ?? (req?.query as { query?: unknown } | undefined)?.query;
  return typeof q === 'string' ? q : undefined;
}

function fromApiError(e: GraphQLError, err: ApiError): GraphQLFormattedError {
  const items = err.errors.map((i) => ({ field: i.source ? graphqlPath(null, i.source.pointer) : undefined, detail: i.detail }));
  const message = items.length === 1 && items[0].field ? `${items[0].field}: ${items[0].detail}` : err.detail;
  const extensions: Record<string, unknown> = { code: err.code, status: err.status };
  if (items.length) {
    extensions.field = items[0].field;
    extensions.errors = items;
  }
  if (err.headers['retry-after']) extensions.retry_after = Number(err.headers['retry-after']);
  return { message, locations: e.locations, path: e.path, extensions };
}

export function formatError(e: GraphQLError, ctx: Ctx): GraphQLFormattedError {
  const original = e.originalError as (Error & { extensions?: Record<string, unknown> }) | undefined;
  if (original instanceof ApiError) return fromApiError(e, original);
  if (original && !(original instanceof GraphQLError) && !original.extensions) {
    const requestId = String(ctx.reply?.request?.id ?? '');
    const rendered = renderError(original, requestId);
    if (rendered.unexpected) ctx.reply?.log?.error({ err: describeForLog(original) }, 'graphql resolver failed');
    return { message: rendered.body.detail, locations: e.locations, path: e.path, extensions: { code: rendered.body.code, status: rendered.status } };
  }
  // Syntax, validation, variable coercion and limit errors: graphql-js messages name fields and
  // variables; a bad inline literal gets its argument path added.
  const code = (e.extensions?.code as string | undefined) ?? (original?.extensions?.code as string | undefined) ?? 'GRAPHQL_VALIDATION_FAILED';
  const extensions: Record<string, unknown> = { ...e.extensions, ...original?.extensions, code };
  let message = e.message;
  const source = code === 'GRAPHQL_VALIDATION_FAILED' && e.locations?.length ? sourceOf(ctx) : undefined;
  const field = source ? argumentPathAt(source, e.locations![0]) : undefined;
  if (field) {
    extensions.field = field;
    if (!message.includes(field)) message = `${field}: ${message}`;
  }
  return { message, locations: e.locations, path: e.path, extensions };
}

/** mercurius errorFormatter: flattens its wrapped validation errors and formats each one. */
export function errorFormatter(execution: Execution, ctx: Ctx): { statusCode: number; response: { data: unknown; errors: GraphQLFormattedError[] } } {
  const flat: GraphQLError[] = [];
  for (const error of execution.errors ?? []) {
    // Mercurius wraps validation failures (MER_ERR_GQL_VALIDATION) around the graphql-js errors.
    const wrapper = error.originalError as { code?: unknown; errors?: unknown } | undefined;
    const inner = !(wrapper instanceof ApiError) && typeof wrapper?.code === 'string' && wrapper.code.startsWith('MER_ERR') ? wrapper.errors : undefined;
    if (Array.isArray(inner)) {
      for (const i of inner) flat.push(i instanceof GraphQLError ? i : new GraphQLError(String((i as Error).message), { extensions: (i as { extensions?: Record<string, unknown> }).extensions }));
    } else {
      flat.push(error);
    }
  }
  return {
    statusCode: execution.data ? 200 : (execution.statusCode ?? 200),
    response: { data: execution.data ?? null, errors: flat.map((e) => formatError(e, ctx)) },
  };
}
