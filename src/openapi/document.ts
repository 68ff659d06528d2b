import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ALIAS_CRM_PREFIX } from '../http/routes';
import { crmComponentSchemas } from '../models/openapi';

const DESCRIPTION = `Switchboard is a self-hostable unified CRM API: one normalized model over Salesforce, HubSpot and Zoho CRM.

The REST surface is wire-compatible with Merge's CRM API: every route below is also served under \`/crm/v1\` (without \`/api\`).

Authentication: \`Authorization: Bearer <API key>\` identifies your organization; account-scoped routes also take \`X-Account-Token\` to select one linked account.

Errors: \`{"detail", "code", "errors": [{"source": {"pointer"}, "detail"}]}\`.`;

/** The OpenAPI document, built from the code (controllers and DTO decorators); no port or database needed. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Switchboard unified CRM API')
    .setDescription(DESCRIPTION)
    .setVersion(process.env.npm_package_version ?? '0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Organization API key' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Account-Token', description: 'Account token of one linked account' }, 'account_token')
    .build();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` });
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...crmComponentSchemas() } };
  for (const path of Object.keys(document.paths)) if (path.startsWith(`${ALIAS_CRM_PREFIX}/`)) delete document.paths[path];
  return sortKeys(document) as OpenAPIObject;
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
