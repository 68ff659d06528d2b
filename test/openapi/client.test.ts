import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { paths } from '../../src/client/switchboard-api';
import type { VendorSlug } from '../../src/integrations/contract';
import { MODEL_NAMES, MODELS } from '../../src/models/spec';
import { readCommittedOpenApi } from '../../src/openapi/generate';
import { validateAgainstSchema } from '../../src/openapi/schema-validator';
import { SANDBOX_VENDORS } from '../../src/sandbox/registry';
import { linkSandboxAccount } from '../support/linked-account';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The client generated from openapi/openapi.json (openapi-typescript types + openapi-fetch)
 * against a running server and the sandbox vendors. Every request body and every response body
 * is checked against the committed document's schema for that operation and status, so the
 * document and the server cannot drift apart unnoticed; tsc checks the calls against the types.
 */

const doc = JSON.parse(readCommittedOpenApi());
const VENDORS = SANDBOX_VENDORS;

interface Checked {
  operation: string;
  status: number;
  issues: string[];
}

function resolveResponse(r: any): any {
  return r?.$ref ? doc.components.responses[r.$ref.split('/').pop()] : r;
}

/** Validates what goes out and what comes back against the document, recording every exchange. */
function conformance(log: Checked[]): Middleware {
  return {
    async onRequest({ request, schemaPath }) {
      const op = doc.paths[schemaPath]?.[request.method.toLowerCase()];
      const schema = op?.requestBody?.content?.['application/json']?.schema;
      if (schema && request.body) {
        const text = await request.clone().text();
        // The one deliberately malformed body (an error case below) is not the document's business.
        if (text.startsWith('{"model": ') && !text.endsWith('}')) return undefined;
        const body = JSON.parse(text);
        const issues = validateAgainstSchema(schema, body, doc).map((i) => `request ${i.path}: ${i.message}`);
        if (issues.length) log.push({ operation: `${request.method} ${schemaPath} (request)`, status: 0, issues });
      }
      return undefined;
    },
    async onResponse({ request, response, schemaPath }) {
      const operation = `${request.method} ${schemaPath}`;
      const op = doc.paths[schemaPath]?.[request.method.toLowerCase()];
      const issues: string[] = [];
      if (!op) issues.push('operation not in the document');
      const documented = resolveResponse(op?.responses?.[String(response.status)] ?? op?.responses?.default);
      if (op && !documented) issues.push(`status ${response.status} is not documented (documented: ${Object.keys(op.responses).join(', ')})`);
      const text = await response.clone().text();
      const schema = documented?.content?.['application/json']?.schema;
      if (documented && schema) {
        expect(response.headers.get('content-type') ?? '', operation).toContain('application/json');
        issues.push(...validateAgainstSchema(schema, JSON.parse(text), doc).map((i) => `${i.path}: ${i.message}`));
      } else if (documented && text.length && !documented.content) {
        issues.push(`a ${response.status} body was sent but the document describes none`);
      }
      for (const name of Object.keys(documented?.headers ?? {})) {
        if (name === 'WWW-Authenticate' || name === 'Retry-After' || name === 'X-Request-Id') {
          if (!response.headers.has(name)) issues.push(`documented header ${name} missing`);
        }
      }
      log.push({ operation, status: response.status, issues });
      return undefined;
    },
  };
}

describe('generated TypeScript client (openapi-typescript + openapi-fetch) against the server', () => {
  let t: TestApp;
  let apiKey: string;
  const tokens: Partial<Record<VendorSlug, string>> = {};
  const log: Checked[] = [];
  let api: Client<paths>;
  const account = (vendor: VendorSlug) => ({ 'X-Account-Token': tokens[vendor]! });

  beforeAll(async () => {
    t = await startTestApp({ SANDBOX_CONTACTS: '12' });
    const org = await t.createOrganization();
    apiKey = org.apiKey;
    for (const vendor of VENDORS) tokens[vendor] = (await linkSandboxAccount(t, org.organizationId, vendor)).accountToken;
    api = createClient<paths>({ baseUrl: t.url, headers: { Authorization: `Bearer ${apiKey}` } });
    api.use(conformance(log));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('links: link token, linked accounts, account details, available actions, link settings, ping', async () => {
    const link = await api.POST('/api/crm/v1/link-token', {
      body: { end_user_email_address: 'pat@acme.example', end_user_organization_name: 'Acme Inc.', end_user_origin_id: 'acme-42', categories: ['crm'], should_create_magic_link_url: true },
    });
    expect(link.response.status).toBe(200);
    expect(link.data?.link_token).toBeTruthy();
    expect(link.data?.magic_link_url).toContain('/link?');

    const linked = await api.GET('/api/crm/v1/linked-accounts', { params: { query: { page_size: 2 } } });
    expect(linked.data?.results).toHaveLength(2);
    expect(linked.data?.next).toBeTruthy();
    const rest = await api.GET('/api/crm/v1/linked-accounts', { params: { query: { cursor: linked.data!.next!, page_size: 2 } } });
    expect(rest.data?.results).toHaveLength(1);
    const zoho = await api.GET('/api/crm/v1/linked-accounts', { params: { query: { integration_name: 'zoho' } } });
    expect(zoho.data?.results.map((a) => a.integration.slug)).toEqual(['zoho']);
    // A cursor is bound to the filters it was made with.
    const mixed = await api.GET('/api/crm/v1/linked-accounts', { params: { query: { cursor: linked.data!.next!, integration_name: 'zoho' } } });
    expect(mixed.response.status).toBe(400);

    for (const vendor of VENDORS) {
      const details = await api.GET('/api/crm/v1/account-details', { headers: account(vendor) });
      expect(details.data?.integration_slug).toBe(vendor);
      const actions = await api.GET('/api/crm/v1/available-actions', { headers: account(vendor) });
      expect(actions.data?.available_model_operations.length).toBeGreaterThan(5);
    }

    const settings = await api.PUT('/api/crm/v1/link-settings', { body: { allowed_origins: ['https://app.example.com'], allowed_redirect_urls: ['https://app.example.com/done'] } });
    expect(settings.data?.allowed_origins).toEqual(['https://app.example.com']);
    expect((await api.GET('/api/crm/v1/link-settings')).data?.allowed_redirect_urls).toEqual(['https://app.example.com/done']);
    expect((await api.GET('/api/crm/v1/ping')).data?.ok).toBe(true);
    expect((await api.GET('/api/crm/v1/issues')).data?.results).toEqual([]);
  });

  it.each(VENDORS)('lists and retrieves every common model (%s sandbox), with remote data and expand', async (vendor) => {
    for (const model of MODEL_NAMES) {
      const route = `/api/crm/v1/${MODELS[model].route}` as '/api/crm/v1/contacts';
      const page = await api.GET(route, { params: { query: { page_size: 3, include_remote_data: true } }, headers: account(vendor) });
      expect(page.response.status, `${vendor} ${model}`).toBe(200);
      const first = page.data?.results[0];
      if (!first) continue;
      const one = await api.GET(`${route}/{id}` as '/api/crm/v1/contacts/{id}', { params: { path: { id: first.id } }, headers: account(vendor) });
      expect(one.data?.id, `${vendor} ${model}`).toBe(first.id);
    }
    const contacts = await api.GET('/api/crm/v1/contacts', { params: { query: { page_size: 5, expand: 'account,owner' } }, headers: account(vendor) });
    expect(contacts.data?.results.length).toBe(5);
    const opportunities = await api.GET('/api/crm/v1/opportunities', { params: { query: { page_size: 5, expand: 'account,stage', status: 'OPEN' } }, headers: account(vendor) });
    expect(opportunities.response.status).toBe(200);
  });

  it('creates and patches a contact, reads meta and remote field classes (hubspot sandbox)', async () => {
    const headers = account('hubspot');
    const created = await api.POST('/api/crm/v1/contacts', {
      body: { model: { first_name: 'Client', last_name: 'Generated', email_addresses: [{ email_address: `client.${Date.now()}@example.com`, email_address_type: 'WORK' }] } },
      headers,
    });
    expect(created.response.status).toBe(201);
    const id = created.data!.model!.id;
    const patched = await api.PATCH('/api/crm/v1/contacts/{id}', { params: { path: { id } }, body: { model: { first_name: 'Patched' } }, headers });
    expect(patched.data?.model?.first_name).toBe('Patched');

    const metaPost = await api.GET('/api/crm/v1/contacts/meta/post', { headers });
    expect(metaPost.data?.status?.can_make_request).toBe(true);
    const metaPatch = await api.GET('/api/crm/v1/contacts/meta/patch/{id}', { params: { path: { id } }, headers });
    expect(metaPatch.response.status).toBe(200);
    const classes = await api.GET('/api/crm/v1/contacts/remote-field-classes', { params: { query: { page_size: 5 } }, headers });
    expect(classes.data?.results.length).toBeGreaterThan(0);

    const removed = await api.DELETE('/api/crm/v1/contacts/{id}', { params: { path: { id } }, headers });
    expect(removed.response.status).toBe(204);
  });

  it('answers the documented errors in the documented shapes', async () => {
    const headers = account('hubspot');
    const bad = await api.GET('/api/crm/v1/contacts', { params: { query: { page_size: 500 } }, headers });
    expect(bad.response.status).toBe(400);
    expect(bad.error?.errors[0]?.source?.pointer).toBe('/query/page_size');

    const forged = await api.GET('/api/crm/v1/contacts', { params: { query: { cursor: 'not-a-cursor' } }, headers });
    expect(forged.response.status).toBe(400);

    const missingToken = await api.GET('/api/crm/v1/account-details');
    expect(missingToken.response.status).toBe(400);
    expect(missingToken.error?.code).toBe('MISSING_ACCOUNT_TOKEN');

    const foreignToken = await api.GET('/api/crm/v1/contacts', { headers: { 'X-Account-Token': 'at_not-a-real-token' } });
    expect(foreignToken.response.status).toBe(404);

    const noRecord = await api.GET('/api/crm/v1/contacts/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } }, headers });
    expect(noRecord.response.status).toBe(404);

    const invalidWrite = await api.POST('/api/crm/v1/contacts', { body: { model: { email_addresses: [{ email_address: 'not an e-mail' }] } }, headers });
    expect(invalidWrite.response.status).toBe(400);
    const envelope = invalidWrite.error && 'model' in invalidWrite.error ? invalidWrite.error : undefined;
    expect(envelope?.model).toBeNull();
    expect(envelope?.errors.length).toBeGreaterThan(0);

    // Rejected before the write is looked at: the Error shape, which the write routes document too.
    const malformed = await api.POST('/api/crm/v1/contacts', { body: { model: {} }, bodySerializer: () => '{"model": ', headers });
    expect(malformed.response.status).toBe(400);
    expect(malformed.error && 'code' in malformed.error ? malformed.error.code : undefined).toBe('MALFORMED_JSON');

    const badLinkToken = await api.POST('/api/crm/v1/link-token', { body: { end_user_email_address: 'nope', end_user_organization_name: 'A', end_user_origin_id: 'a', categories: ['crm'] } });
    expect(badLinkToken.response.status).toBe(400);

    const anonymous = createClient<paths>({ baseUrl: t.url });
    anonymous.use(conformance(log));
    const unauthorized = await anonymous.GET('/api/crm/v1/linked-accounts');
    expect(unauthorized.response.status).toBe(401);
    expect(unauthorized.error?.code).toBe('UNAUTHORIZED');
  });

  it('pass-through, sync status, webhook settings and key management', async () => {
    const pass = await api.POST('/api/crm/v1/passthrough', { body: { method: 'GET', path: '/crm/v3/objects/contacts?limit=1' }, headers: account('hubspot') });
    expect(pass.response.status).toBe(200);
    expect(pass.data?.status).toBe(200);
    const sync = await api.GET('/api/crm/v1/sync-status', { headers: account('salesforce') });
    expect(sync.response.status).toBe(200);
    const hooks = await api.PUT('/api/crm/v1/webhook-settings', { body: { target_url: 'https://app.example.com/hooks', events: ['Contact.changed'], is_active: true } });
    expect(hooks.response.status).toBe(200);
    expect((await api.GET('/api/crm/v1/webhook-deliveries')).response.status).toBe(200);
    const key = await api.POST('/api/crm/v1/generate-key', { body: { name: 'client test' } });
    expect(key.data?.key).toBeTruthy();
  });

  it('GraphQL over POST and GET, with and without the account token', async () => {
    const query = 'query Contacts($first: Int) { contacts(first: $first) { edges { node { id firstName account { name } } } pageInfo { hasNextPage endCursor } } }';
    const page = await api.POST('/graphql', { body: { query, variables: { first: 2 } }, headers: account('zoho') });
    expect(page.response.status).toBe(200);
    expect((page.data?.data as any)?.contacts.edges).toHaveLength(2);
    const noAccount = await api.POST('/graphql', { body: { query } });
    expect(noAccount.data?.errors?.[0]?.extensions?.code).toBe('MISSING_ACCOUNT_TOKEN');
    const viaGet = await api.GET('/graphql', { params: { query: { query: '{ linkedAccounts(first: 5) { nodes { id } } }' } } });
    expect((viaGet.data?.data as any)?.linkedAccounts.nodes).toHaveLength(3);
  });

  it('every exchange above matched the document (operation, status, body, headers)', () => {
    expect(log.length).toBeGreaterThan(70);
    const operations = new Set(log.map((c) => c.operation));
    expect(operations.size).toBeGreaterThan(30);
    expect(log.filter((c) => c.issues.length)).toEqual([]);
  });
});
