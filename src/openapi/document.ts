import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { findProjectRoot } from '../database/paths';
import { ADAPTERS } from '../integrations/registry';
import { ALIAS_CRM_PREFIX } from '../http/routes';
import { crmComponentSchemas } from '../models/openapi';
import { MODEL_NAMES, MODELS } from '../models/spec';
import { addExamples } from './examples';
import { applyConventions, AUTO_OPERATION_ID } from './conventions';
import { GRAPHQL_PATHS, GRAPHQL_ROUTES, GRAPHQL_SCHEMAS } from './graphql-paths';
import { upgradeToOpenApi31 } from './openapi31';
import { collectServedRoutes, type ServedRoute } from './routes';
import { joinWords } from './words';

const DESCRIPTION = `Switchboard is a self-hostable unified CRM API: one normalized model over ${joinWords(Object.values(ADAPTERS).map((a) => a.displayName), 'and')}.

The REST surface is wire-compatible with Merge's CRM API: every route below is also served under \`/crm/v1\` (without \`/api\`), so Merge's SDKs work with only their base URL changed.

**Authentication.** \`Authorization: Bearer <API key>\` identifies your organization. Account-scoped routes also take \`X-Account-Token\` to select one linked account (one end customer's CRM): missing, it is a 400; unknown or another organization's, a 404.

**Lists** answer \`{"next", "previous", "results"}\`; pass \`next\` back unchanged as \`?cursor=\`. \`page_size\` is 1 to 100 (default 100).

**Writes** answer \`{"model", "warnings", "errors", "logs"}\`; a vendor rejection is a 400 (409 for a duplicate) with \`model: null\` and the vendor's message in \`errors[].detail\`.

**Errors** outside writes: \`{"detail", "code", "errors": [{"source": {"pointer"}, "detail"}], "request_id"}\`. Every response carries \`X-Request-Id\`.

**GraphQL**: the same models and writes at \`POST /graphql\` with the same two headers; explorer at \`/graphql/explorer\`.`;

/** Tag descriptions; the CRM model tags come from the model declarations. */
const TAGS: Record<string, string> = {
  'linked accounts': 'Linking end users’ CRMs (link tokens, the hosted Link flow’s token exchange) and managing the linked accounts and their issues.',
  'api keys': 'API keys of the calling organization.',
  'hosted link':
    'The pages the end user goes through to link a CRM (no API key: the link token is the credential). They answer HTML or redirects; your product only opens `/link?link_token=…`.',
  graphql: 'The same data and operations over GraphQL (POST /graphql); explore it at /graphql/explorer.',
  operations: 'Liveness, readiness and Prometheus metrics, for load balancers and monitoring (no API key).',
  passthrough:
    "Requests sent as they are to the linked account's CRM with its credentials (confined to that CRM's API host), synchronously or as an async receipt.",
  'sync status':
    'How fresh the stored copy of a linked account is: per-model sync status, a forced resync, and the read mode (stored copy or live from the CRM) of a linked account.',
  webhooks:
    'Extension: webhooks to your product (target, signing key, delivery log, replays; signed with `X-Merge-Webhook-Signature` and a timestamped `X-Switchboard-Signature`) and the endpoint CRMs notify about changes.',
};

/** The OpenAPI 3.1 document, built from the code (controllers and DTO decorators); no port or database needed. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Switchboard unified CRM API')
    .setDescription(DESCRIPTION)
    // From package.json itself: npm_package_version is set under `npm run` only, and the document must not depend on how it was built.
    .setVersion(JSON.parse(readFileSync(join(findProjectRoot(), 'package.json'), 'utf8')).version)
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer('/', 'The server that serves this document (GET /openapi.json); `npm start` listens on http://localhost:3000.')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'Organization API key: `Authorization: Bearer <API key>`.' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Account-Token', description: 'Account token of one linked account (from the account-token exchange).' }, 'account_token')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${AUTO_OPERATION_ID}${controller}.${method}`,
    autoTagControllers: false,
  });
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...crmComponentSchemas() } };
  for (const path of Object.keys(document.paths)) if (path.startsWith(`${ALIAS_CRM_PREFIX}/`)) delete document.paths[path];

  upgradeToOpenApi31(document);
  // Already OpenAPI 3.1: added after the conversion.
  Object.assign(document.paths, GRAPHQL_PATHS);
  Object.assign(document.components.schemas!, GRAPHQL_SCHEMAS);
  applyConventions(document, documentedRoutes(app));
  addExamples(document);
  document.tags = usedTags(document).map((name) => ({ name, description: tagDescription(name) }));
  return sortKeys(document) as OpenAPIObject;
}

/** Every route the document describes: the controllers' and GraphQL's. */
export function documentedRoutes(app: INestApplication): ServedRoute[] {
  return [...collectServedRoutes(app), ...GRAPHQL_ROUTES];
}

function tagDescription(name: string): string | undefined {
  const model = MODEL_NAMES.map((m) => MODELS[m]).find((m) => m.route === name);
  return model ? `${model.description} (common model \`${model.name}\`)` : TAGS[name];
}

/** Tags in the order the reference shows them: linking first, then the models, then the rest. */
function usedTags(doc: OpenAPIObject): string[] {
  const used = new Set<string>();
  for (const item of Object.values(doc.paths)) for (const op of Object.values(item as Record<string, { tags?: string[] }>)) for (const t of op.tags ?? []) used.add(t);
  const models = MODEL_NAMES.map((m) => MODELS[m].route);
  const first = ['linked accounts', 'hosted link'];
  const rank = (t: string) => (first.includes(t) ? first.indexOf(t) : models.includes(t) ? first.length + models.indexOf(t) : 100);
  return [...used].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Stable key order so the committed file only changes when the API does. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function serializeOpenApi(document: OpenAPIObject): string {
  return JSON.stringify(document, null, 2) + '\n';
}
