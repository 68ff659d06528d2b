import { VENDOR_SLUGS } from '../integrations/registry';
import type { ServedRoute } from './routes';
import { joinWords } from './words';

type Json = Record<string, any>;

/** The operationIdFactory marks ids it invents; those are replaced by Merge-style ids below. */
export const AUTO_OPERATION_ID = '__auto__:';

export const SECURITY = {
  organization: [{ bearer: [] }],
  account: [{ bearer: [], account_token: [] }],
  public: [],
};

const VERBS: Record<string, string> = { post: 'Create', put: 'Update', patch: 'PartialUpdate', delete: 'Destroy', head: 'Head', options: 'Options' };
const API_PREFIX = /^\/api\/crm\/v1\//;

const camel = (words: string[]) => words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');

function isListResponse(op: Json): boolean {
  const schema = op.responses?.['200']?.content?.['application/json']?.schema;
  if (!schema) return false;
  if (schema.type === 'array') return true;
  return typeof schema.$ref === 'string' && /\/Paginated[A-Za-z]+List$/.test(schema.$ref);
}

/**
 * Merge's operation ids (`contacts_list`, `account_token_retrieve`, `delete_account_create`,
 * `sync_status_resync_create`) in camelCase, the form its SDKs use: the literal path segments
 * plus a verb from the method (GET of a collection is List, any other GET Retrieve).
 */
export function mergeStyleOperationId(method: string, path: string, op: Json): string {
  const segments = path.replace(API_PREFIX, '/').split('/').filter(Boolean);
  const words = segments.filter((s) => !s.startsWith('{')).flatMap((s) => s.split(/[-_.]/)).filter(Boolean);
  const lastIsParam = segments.at(-1)?.startsWith('{') ?? false;
  const verb = method === 'get' ? (!lastIsParam && isListResponse(op) ? 'List' : 'Retrieve') : VERBS[method];
  return camel(words.map((w) => w.toLowerCase())) + verb;
}

const errorExample = (code: string, detail: string, errors: Json[] = []) => ({ detail, code, errors, request_id: 'req-7f3a9c2e41b8' });

/** The standard error answers, shared by reference (unified-api.md "Errors outside writes"). */
export const ERROR_RESPONSES: Record<string, { status: string; description: string; example: Json; headers?: Json }> = {
  BadRequest: {
    status: '400',
    description: 'Invalid input: `errors[].source.pointer` names the parameter, header or body field (e.g. `/query/page_size`).',
    example: errorExample('INVALID_PARAMETER', 'page_size: must be an integer from 1 to 100', [{ source: { pointer: '/query/page_size' }, detail: 'must be an integer from 1 to 100' }]),
  },
  Unauthorized: {
    status: '401',
    description: 'Missing or invalid API key (`Authorization: Bearer <API key>`).',
    example: errorExample('UNAUTHORIZED', 'Missing or invalid API key. Send it as "Authorization: Bearer <API key>".'),
    headers: { 'WWW-Authenticate': { description: 'Always `Bearer`.', schema: { type: 'string', examples: ['Bearer'] } } },
  },
  NotFound: {
    status: '404',
    description: 'Unknown or foreign account token, or no such record for this linked account.',
    example: errorExample('NOT_FOUND', 'No linked account matches this X-Account-Token.'),
  },
  PayloadTooLarge: {
    status: '413',
    description: 'The request body is larger than this server accepts (BODY_LIMIT_BYTES).',
    example: errorExample('PAYLOAD_TOO_LARGE', 'The request body is larger than this server accepts.', [{ source: { pointer: '/body' }, detail: 'The request body is larger than this server accepts.' }]),
  },
  RateLimited: {
    status: '429',
    description: 'Rate limited (this server’s per-key limit or the vendor’s); retry after `Retry-After` seconds.',
    example: errorExample('RATE_LIMITED', 'Rate limit of 1200 requests per 60 s exceeded; retry in 12 s.'),
    headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 1, examples: [12] } } },
  },
  VendorError: {
    status: '502',
    description: 'The CRM failed; its status and message are inside.',
    example: errorExample('VENDOR_ERROR', 'HubSpot answered 503: Service temporarily unavailable.'),
  },
  VendorTimeout: {
    status: '504',
    description: 'The CRM did not answer in time.',
    example: errorExample('VENDOR_TIMEOUT', 'Salesforce did not answer within 30 s.'),
  },
};
/** Machine codes of statuses without a shared response (src/errors/render-error.ts). */
const ERROR_CODES: Record<string, string> = {
  '401': 'UNAUTHORIZED',
  '403': 'FORBIDDEN',
  '408': 'REQUEST_TIMEOUT',
  '409': 'CONFLICT',
  '415': 'UNSUPPORTED_MEDIA_TYPE',
  '422': 'UNPROCESSABLE_ENTITY',
  '502': 'VENDOR_ERROR',
  '503': 'UNAVAILABLE',
  '504': 'VENDOR_TIMEOUT',
};
const BY_STATUS = Object.fromEntries(Object.entries(ERROR_RESPONSES).map(([name, r]) => [r.status, name]));

/** Plain descriptions of success statuses that decorators left empty. */
const SUCCESS: Record<string, string> = { '200': 'Success.', '201': 'Created.', '202': 'Accepted.', '204': 'Done; no body.' };

const REQUEST_ID_HEADER = { $ref: '#/components/headers/X-Request-Id' };

function jsonErrorResponse(name: string): Json {
  const r = ERROR_RESPONSES[name];
  return {
    description: r.description,
    headers: { 'X-Request-Id': REQUEST_ID_HEADER, ...(r.headers ?? {}) },
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: r.example } },
  };
}

/** Which of the standard errors an operation can answer, from what the server applies to it. */
function expectedErrors(route: ServedRoute, op: Json): string[] {
  if (route.errorStatuses) return route.errorStatuses;
  // Public routes (pages, vendor callbacks) answer in their own formats: their decorators say which errors.
  if (route.isPublic) return op.requestBody ? ['413'] : [];
  const out: string[] = [];
  const hasInput = (op.parameters ?? []).length > 0 || !!op.requestBody || route.needsAccount;
  if (hasInput) out.push('400');
  if (!route.isPublic) out.push('401');
  if (route.needsAccount || route.path.includes('{')) out.push('404');
  if (op.requestBody) out.push('413');
  if (!route.isPublic && /^\/(api|crm|graphql)\b/.test(route.path)) out.push('429');
  return out;
}

const dateTime = { type: 'string', format: 'date-time' };
const uuid = { type: 'string', format: 'uuid' };

/**
 * Descriptions and precise schemas of parameters that recur across routes, applied where the
 * decorators say less (a decorator's own description always wins).
 */
export const KNOWN_PARAMETERS: Record<string, { description: string; schema?: Json }> = {
  cursor: { description: 'The `next` or `previous` value of an earlier page, unchanged. Opaque and tamper-evident: a forged cursor is a 400.', schema: { type: 'string' } },
  page_size: { description: 'Records per page, 1 to 100 (default 100).', schema: { type: 'integer', minimum: 1, maximum: 100, default: 100 } },
  include_remote_data: { description: 'Include the raw CRM record in `remote_data`.', schema: { type: 'boolean', default: false } },
  include_remote_fields: { description: 'Include custom and unmapped CRM fields in `remote_fields`.', schema: { type: 'boolean', default: false } },
  include_deleted_data: { description: 'Include records deleted in the CRM (`remote_was_deleted: true`).', schema: { type: 'boolean', default: false } },
  created_after: { description: 'Only records created after this ISO 8601 datetime.', schema: dateTime },
  created_before: { description: 'Only records created before this ISO 8601 datetime.', schema: dateTime },
  modified_after: { description: 'Only records modified after this ISO 8601 datetime.', schema: dateTime },
  modified_before: { description: 'Only records modified before this ISO 8601 datetime.', schema: dateTime },
  remote_created_after: { description: 'Only records created in the CRM after this ISO 8601 datetime.', schema: dateTime },
  started_after: { description: 'Only engagements that started after this ISO 8601 datetime.', schema: dateTime },
  started_before: { description: 'Only engagements that started before this ISO 8601 datetime.', schema: dateTime },
  account_id: { description: 'Only records of this account (Switchboard id).', schema: uuid },
  contact_id: { description: 'Only records of this contact (Switchboard id).', schema: uuid },
  opportunity_id: { description: 'Only records of this opportunity (Switchboard id).', schema: uuid },
  owner_id: { description: 'Only records owned by this user (Switchboard id).', schema: uuid },
  stage_id: { description: 'Only opportunities in this stage (Switchboard id).', schema: uuid },
  converted_account_id: { description: 'Only leads converted into this account (Switchboard id).', schema: uuid },
  converted_contact_id: { description: 'Only leads converted into this contact (Switchboard id).', schema: uuid },
  linked_account_id: { description: 'Only issues of this linked account.', schema: uuid },
  id: { description: 'Switchboard id of the object.' },
  public_token: { description: 'The short-lived, single-use public token the hosted Link page handed to your frontend.' },
  end_user_origin_id: { description: 'Only linked accounts of this end user (your own id for them).' },
  end_user_email_address: { description: "Only linked accounts with this end user's e-mail address." },
  end_user_organization_name: { description: "Only linked accounts (or issues) of this end user's organization." },
  integration_name: { description: 'Only linked accounts of this integration (slug or name, e.g. `hubspot` or `HubSpot`).' },
  category: { description: 'Only this category; `crm` is the one served.' },
  status: { description: 'Only objects with this status.' },
  expand: { description: 'Comma-separated relations to return as whole objects instead of ids.' },
  remote_id: { description: 'Only the record with this CRM id.' },
  vendor: { description: `Only objects of this CRM (integration slug: ${joinWords(VENDOR_SLUGS.toSorted().map((s) => `\`${s}\``), 'or')}).` },
  event: { description: 'Only deliveries of this event, e.g. `Contact.changed`.' },
  event_id: { description: 'Only deliveries of this event id (stable across retries and replays).', schema: uuid },
};

function completeParameter(p: Json): void {
  // Path and query values arrive as strings; a decorator that gave only a format meant one.
  p.schema ??= {};
  if (!p.schema.type && !p.schema.enum && !p.schema.anyOf && !p.schema.oneOf && !p.schema.$ref) p.schema.type = 'string';
  const known = KNOWN_PARAMETERS[p.name];
  if (!known) return;
  if (!p.description) p.description = known.description;
  // Keep an enum or format the decorator gave; otherwise the precise schema.
  if (known.schema && !p.schema?.enum && !p.schema?.format) p.schema = { ...known.schema, ...(p.schema?.default !== undefined ? { default: p.schema.default } : {}) };
}

/**
 * A write's 400 or 409 is the write envelope when the CRM or the field checks reject the model,
 * but the Error shape when the request fails before that (malformed JSON, Idempotency-Key reused
 * with another body): both are documented.
 */
function widenWriteEnvelope(doc: Json, status: string, response: Json): void {
  const media = response.content?.['application/json'];
  const ref: unknown = media?.schema?.$ref;
  if ((status !== '400' && status !== '409') || typeof ref !== 'string') return;
  const target = doc.components?.schemas?.[ref.split('/').pop()!];
  if (!target?.properties?.model || !target.properties.warnings) return;
  media.schema = { anyOf: [{ $ref: ref }, { $ref: '#/components/schemas/Error' }] };
}

/**
 * Makes the generated document complete and uniform: Merge-style operation ids (unique),
 * security requirements and error responses that follow the guards each route really has,
 * X-Request-Id on every response, standard error examples.
 */
export function applyConventions(doc: Json, routes: ServedRoute[]): void {
  const served = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));
  doc.components ??= {};
  doc.components.headers = {
    ...doc.components.headers,
    'X-Request-Id': { description: 'Identifies the request in the server logs; quote it when reporting a problem.', schema: { type: 'string', examples: ['req-7f3a9c2e41b8'] } },
  };
  doc.components.responses = { ...doc.components.responses };
  for (const name of Object.keys(ERROR_RESPONSES)) doc.components.responses[name] = jsonErrorResponse(name);

  const ids = new Map<string, string>();
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const [method, op] of Object.entries<Json>(item)) {
      const route = served.get(`${method} ${path}`);
      if (!route) throw new Error(`the document lists ${method.toUpperCase()} ${path} but no controller serves it`);
      if (typeof op.operationId !== 'string' || op.operationId.startsWith(AUTO_OPERATION_ID)) op.operationId = mergeStyleOperationId(method, path, op);
      const where = `${method.toUpperCase()} ${path}`;
      if (ids.has(op.operationId)) throw new Error(`operationId ${op.operationId} is used by both ${ids.get(op.operationId)} and ${where}`);
      ids.set(op.operationId, where);

      // The account token is a security scheme, not an operation parameter.
      if (route.needsAccount) op.parameters = (op.parameters ?? []).filter((p: Json) => !(p.in === 'header' && String(p.name).toLowerCase() === 'x-account-token'));
      if (op.parameters?.length === 0) delete op.parameters;
      for (const p of op.parameters ?? []) if (p.in === 'query' || p.in === 'path') completeParameter(p);
      op.security = route.security ?? (route.isPublic ? SECURITY.public : route.needsAccount ? SECURITY.account : SECURITY.organization);

      op.responses ??= {};
      for (const status of expectedErrors(route, op)) if (!op.responses[status]) op.responses[status] = { $ref: `#/components/responses/${BY_STATUS[status]}` };
      for (const [status, response] of Object.entries<Json>(op.responses)) {
        if (response.$ref) continue;
        widenWriteEnvelope(doc, status, response);
        // The one exception filter renders every error in the Error shape: say so where a decorator gave only a description.
        if (Number(status) >= 400 && !response.content) {
          const example = ERROR_RESPONSES[BY_STATUS[status]]?.example ?? errorExample(ERROR_CODES[status] ?? 'ERROR', String(response.description ?? 'Request failed.'));
          response.content = { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, ...(route.isPublic && status === '401' ? {} : { example }) } };
        }
        if (!response.description) response.description = SUCCESS[status] ?? ERROR_RESPONSES[BY_STATUS[status]]?.description ?? 'See the body.';
        response.headers = { 'X-Request-Id': REQUEST_ID_HEADER, ...response.headers };
        const media = response.content?.['application/json'];
        const standard = ERROR_RESPONSES[BY_STATUS[status]];
        // A public route's 401 is not about API keys: its decorator gives its own example.
        const fits = standard && !(route.isPublic && status === '401');
        if (media?.schema?.$ref === '#/components/schemas/Error' && media.example === undefined && media.examples === undefined) {
          if (fits) {
            media.example = standard.example;
            if (standard.headers) response.headers = { ...standard.headers, ...response.headers };
          } else if (Number(status) >= 400) media.example = errorExample(ERROR_CODES[status] ?? 'ERROR', String(response.description || 'Request failed.'));
        }
      }
    }
  }
  // Only the shared responses some operation uses.
  const text = JSON.stringify(doc.paths);
  for (const name of Object.keys(ERROR_RESPONSES)) if (!text.includes(`"#/components/responses/${name}"`)) delete doc.components.responses[name];
}
