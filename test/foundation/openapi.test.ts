import { describe, expect, it } from 'vitest';
import { describeOpenApiDrift, generateClientTypes, generateOpenApi, readCommittedClient, readCommittedOpenApi } from '../../src/openapi/generate';

describe('OpenAPI document', () => {
  it('is built without a port or database and matches the committed openapi/openapi.json', async () => {
    const built = await generateOpenApi();
    const drift = describeOpenApiDrift(readCommittedOpenApi(), built);
    expect(drift, 'openapi/openapi.json is stale: run `npm run openapi` and commit it').toBeNull();
    // The committed client types are exactly what openapi-typescript makes of the document.
    expect(readCommittedClient() === (await generateClientTypes(built)), 'src/client/switchboard-api.d.ts is stale: run `npm run openapi` and commit it').toBe(true);
  });

  it('detects a stale committed document', async () => {
    const built = await generateOpenApi();
    const doc = JSON.parse(built);
    delete doc.paths['/api/crm/v1/generate-key'];
    expect(describeOpenApiDrift(JSON.stringify(doc, null, 2) + '\n', built)).toContain('paths added: /api/crm/v1/generate-key');
    doc.paths['/api/crm/v1/ghost'] = {};
    expect(describeOpenApiDrift(JSON.stringify(doc), built)).toContain('paths removed: /api/crm/v1/ghost');
  });

  it('lists the canonical /api/crm/v1 routes only, with auth schemes', async () => {
    const doc = JSON.parse(await generateOpenApi());
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/crm/v1/'))).toBe(false);
    expect(doc.components.securitySchemes.bearer).toBeDefined();
    expect(doc.components.securitySchemes.account_token).toMatchObject({ in: 'header', name: 'X-Account-Token' });
  });
});
