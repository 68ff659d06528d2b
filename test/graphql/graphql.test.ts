import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDbQueries } from '../../bench/db-queries';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { parse } from 'graphql';
import { costOf, MAX_COST, MAX_DEPTH } from '../../src/graphql/limits';
import { SYNC_RUNNER, type SyncRunResult } from '../../src/sync/contract';
import { linkSandboxAccount } from '../support/linked-account';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The GraphQL surface beyond parity: auth with the REST headers and its errors, limits,
 * mutations with the write envelope, errors naming the argument, batched relations (no N+1),
 * introspection and the self-contained explorer.
 */

type Row = Record<string, any>;

describe('GraphQL', () => {
  let t: TestApp;
  let apiKey: string;
  let accountToken: string;
  let otherOrgToken: string;
  let otherOrgKey: string;
  /** Requests that reached the mounted sandbox vendors (counted at the HTTP server). */
  let vendorCalls = 0;

  /** `key` null: no Authorization header. */
  async function gql(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = { 'x-account-token': accountToken }, key: string | null = apiKey) {
    return t.request('/graphql', { method: 'POST', apiKey: key ?? undefined, headers, json: { query, variables } });
  }

  beforeAll(async () => {
    // Enough contacts for 100+ opportunities.
    t = await startTestApp({ SANDBOX_CONTACTS: '420' });
    t.app.getHttpServer().on('request', (req: { url?: string }) => {
      if (req.url?.startsWith('/sandbox/') && !req.url.includes('/__sandbox')) vendorCalls++;
    });
    const org = await t.createOrganization('graphql');
    apiKey = org.apiKey;
    accountToken = (await linkSandboxAccount(t, org.organizationId, 'salesforce')).accountToken;
    const other = await t.createOrganization('other');
    otherOrgKey = other.apiKey;
    otherOrgToken = (await linkSandboxAccount(t, other.organizationId, 'hubspot')).accountToken;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  describe('auth: the REST headers, errors in extensions.code', () => {
    it('missing or wrong API key: UNAUTHORIZED, no data', async () => {
      for (const key of [null, 'sk_wrong']) {
        const res = await gql('{ contacts(first: 1) { nodes { id } } }', {}, { 'x-account-token': accountToken }, key);
        expect(res.body.data?.contacts ?? null).toBeNull();
        expect(res.body.errors).toHaveLength(1);
        expect(res.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
      }
    });

    it('missing account token: MISSING_ACCOUNT_TOKEN; unknown or another organization’s: NOT_FOUND', async () => {
      const missing = await gql('{ contacts(first: 1) { nodes { id } } }', {}, {});
      expect(missing.body.errors[0].extensions).toMatchObject({ code: 'MISSING_ACCOUNT_TOKEN', status: 400 });
      const unknown = await gql('{ contacts(first: 1) { nodes { id } } }', {}, { 'x-account-token': 'nope' });
      expect(unknown.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', status: 404 });
      const foreign = await gql('{ contacts(first: 1) { nodes { id } } }', {}, { 'x-account-token': otherOrgToken });
      expect(foreign.body.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(JSON.stringify(foreign.body)).not.toContain('@');
    });

    it('linkedAccounts needs only the API key and lists only the organization’s accounts', async () => {
      const mine = await gql('{ linkedAccounts { nodes { id integration isSandbox } pageInfo { hasNextPage } } }', {}, {});
      expect(mine.body.errors).toBeUndefined();
      expect(mine.body.data.linkedAccounts.nodes).toHaveLength(1);
      expect(mine.body.data.linkedAccounts.nodes[0].integration.slug).toBe('salesforce');
      const theirs = await gql('{ linkedAccounts { nodes { id integration } } }', {}, {}, otherOrgKey);
      expect(theirs.body.data.linkedAccounts.nodes.map((n: Row) => n.integration.slug)).toEqual(['hubspot']);
      const details = await gql('{ accountDetails { id integrationSlug status isSandbox } }');
      expect(details.body.data.accountDetails).toMatchObject({ id: mine.body.data.linkedAccounts.nodes[0].id, integrationSlug: 'salesforce', status: 'COMPLETE', isSandbox: true });
      const bad = await gql('{ linkedAccounts(first: 0) { nodes { id } } }', {}, {});
      expect(bad.body.errors[0].extensions).toMatchObject({ code: 'INVALID_PARAMETER', field: 'first' });
    });
  });

  describe('errors name the argument', () => {
    it('page size out of range, malformed filter values and forged cursors', async () => {
      const size = await gql('{ contacts(first: 101) { nodes { id } } }');
      expect(size.body.errors[0].extensions).toMatchObject({ code: 'INVALID_PARAMETER', status: 400, field: 'first' });
      expect(size.body.errors[0].message).toMatch(/^first: must be an integer between 1 and 100/);
      const rel = await gql('{ contacts(filter: { accountId: "not-a-uuid" }) { nodes { id } } }');
      expect(rel.body.errors[0].extensions).toMatchObject({ code: 'INVALID_PARAMETER', field: 'filter.accountId' });
      const cursor = await gql('{ contacts(after: "forged") { nodes { id } } }');
      expect(cursor.body.errors[0].extensions.status).toBe(400);
      expect(cursor.body.errors[0].extensions.field).toBe('after');
      const date = await gql('query($f: ContactFilter) { contacts(filter: $f) { nodes { id } } }', { f: { createdAfter: 'yesterday' } });
      expect(date.body.errors[0].message).toContain('createdAfter');
      expect(date.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const field = await gql('{ contacts { nodes { nonsense } } }');
      expect(field.body.errors[0].message).toContain('nonsense');
      expect(field.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const id = await gql('{ contact(id: "123") { id } }');
      expect(id.body.errors[0].extensions).toMatchObject({ code: 'INVALID_PARAMETER', field: 'id' });
      const missing = await gql('{ contact(id: "00000000-0000-4000-8000-000000000000") { id } }');
      expect(missing.body.data.contact).toBeNull();
      expect(missing.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    });
  });

  describe('limits', () => {
    it(`a query nested deeper than ${MAX_DEPTH} levels: QUERY_TOO_DEEP, nothing executed`, async () => {
      // The deepest valid selection is 7 levels: it passes.
      const ok = await gql('{ notes(first: 1) { edges { node { opportunity { account { owner { email } } } } } } }');
      expect(ok.body.errors).toBeUndefined();
      // The schema has no cycles, so deeper selections also name fields that do not exist.
      const before = vendorCalls;
      const res = await gql('{ notes(first: 1) { edges { node { opportunity { account { owner { email { a { b } } } } } } } } }');
      expect(res.body.data ?? null).toBeNull();
      expect(res.body.errors.map((e: Row) => e.extensions.code)).toContain('QUERY_TOO_DEEP');
      const deep = res.body.errors.find((e: Row) => e.extensions.code === 'QUERY_TOO_DEEP');
      expect(deep.extensions).toMatchObject({ depth: 9, max_depth: MAX_DEPTH });
      expect(deep.message).toMatch(/too deep: it nests 9 levels, the limit is 8/);
      expect(vendorCalls).toBe(before);
    });

    it('cost approximates the records a request can read', () => {
      const schema = t.app.get(GraphQLSchemaHost).schema;
      const cost = (q: string, v: Record<string, unknown> = {}) => costOf(schema, parse(q), v);
      expect(cost('{ opportunities(first: 100) { nodes { id name account { name owner { email } } owner { email } stage { name } } } }')).toBe(501);
      expect(cost('query($n: Int) { contacts(first: $n) { edges { node { id emailAddresses { emailAddress } addresses { city } } } } }', { n: 10 })).toBe(11);
      expect(cost('{ contacts { nodes { id } } }')).toBe(101);
      expect(cost('{ engagements(first: 10) { nodes { contacts { id } } } }')).toBe(1 + 10 * (1 + 10));
      expect(cost('{ __schema { types { name fields { name } } } }')).toBe(0);
    });

    it(`a query estimated above ${MAX_COST}: QUERY_TOO_COMPLEX (page sizes from variables count), nothing executed`, async () => {
      const page = (alias: string) => `${alias}: contacts(first: $n) { nodes { id firstName lastName account { name owner { email name } } owner { email name } } }`;
      const query = `query($n: Int) { ${['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'].map(page).join(' ')} }`;
      const before = vendorCalls;
      const res = await gql(query, { n: 100 });
      expect(res.body.data ?? null).toBeNull();
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', max_cost: MAX_COST });
      expect(res.body.errors[0].extensions.cost).toBeGreaterThan(MAX_COST);
      expect(vendorCalls).toBe(before);
      // The same document with small pages is cheap enough.
      const small = await gql(query, { n: 2 });
      expect(small.body.errors, JSON.stringify(small.body.errors)).toBeUndefined();
      expect(small.body.data.l.nodes).toHaveLength(2);
    });
  });

  describe('relations are batched (no N+1)', () => {
    const query = `query($n: Int) { opportunities(first: $n) { nodes { id name account { id name owner { id email } } owner { id email } stage { id name } } } }`;

    async function measure(n: number): Promise<{ vendor: number; db: number; rows: Row[] }> {
      const counter = countDbQueries(t.db.prisma);
      const before = vendorCalls;
      try {
        const res = await gql(query, { n });
        expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
        return { vendor: vendorCalls - before, db: counter.count, rows: res.body.data.opportunities.nodes };
      } finally {
        counter.stop();
      }
    }

    it('a page of 100 opportunities with account (and its owner), owner and stage costs the same vendor calls and queries as a page of 10', async () => {
      await measure(100); // warm: stable ids created
      // Interleaved, three each; the minimum ignores a time-based cache (account token, sync state)
      // that happens to expire during one of them: what must not change is the dependence on size.
      const tens: Awaited<ReturnType<typeof measure>>[] = [];
      const hundreds: Awaited<ReturnType<typeof measure>>[] = [];
      for (let i = 0; i < 3; i++) {
        tens.push(await measure(10));
        hundreds.push(await measure(100));
      }
      const min = (xs: { vendor: number; db: number }[]) => ({ vendor: Math.min(...xs.map((x) => x.vendor)), db: Math.min(...xs.map((x) => x.db)) });
      const ten = min(tens);
      const hundred = { ...min(hundreds), rows: hundreds[0].rows };
      expect(hundred.rows).toHaveLength(100);
      expect(hundred.rows.filter((r) => r.account && r.owner && r.stage && r.account.owner).length).toBeGreaterThan(50);
      expect({ vendor: hundred.vendor, db: hundred.db }).toEqual({ vendor: ten.vendor, db: ten.db });
      expect(Math.max(...hundreds.map((h) => h.db))).toBeLessThanOrEqual(8);
      // list + accounts + users + stages, + the accounts' owners (one batch): never one per row.
      expect(hundred.vendor).toBeLessThanOrEqual(5);
      expect(hundred.db).toBeLessThanOrEqual(8);
      // Same records and relations as REST's expand.
      const rest = await t.request('/api/crm/v1/opportunities?page_size=100&expand=account,owner,stage', { apiKey, headers: { 'x-account-token': accountToken } });
      expect(hundred.rows.map((r) => [r.id, r.account?.id ?? null, r.owner?.id ?? null, r.stage?.id ?? null])).toEqual(
        rest.body.results.map((r: Row) => [r.id, r.account?.id ?? null, r.owner?.id ?? null, r.stage?.id ?? null]),
      );
    });
  });

  describe('relations are batched on stored reads too', () => {
    it('a page of 100 opportunities with relations: no vendor call, the same database statements as a page of 10', async () => {
      const org = await t.createOrganization('stored');
      const linked = await linkSandboxAccount(t, org.organizationId, 'hubspot');
      await t.db.prisma.linkedAccount.update({ where: { id: linked.linkedAccountId }, data: { readMode: 'stored' } });
      const engine = t.app.get<{ syncAccount(id: string, o: { kind: 'full' }): Promise<SyncRunResult[]> }>(SYNC_RUNNER, { strict: false });
      expect((await engine.syncAccount(linked.linkedAccountId, { kind: 'full' })).filter((r) => r.outcome !== 'done')).toEqual([]);
      const query = `query($n: Int) { opportunities(first: $n) { nodes { id account { id name owner { id email } } owner { id email } stage { id name } } } }`;
      const measure = async (n: number) => {
        const counter = countDbQueries(t.db.prisma);
        const before = vendorCalls;
        try {
          const res = await gql(query, { n }, { 'x-account-token': linked.accountToken }, org.apiKey);
          expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
          return { vendor: vendorCalls - before, db: counter.count, rows: res.body.data.opportunities.nodes as Row[] };
        } finally {
          counter.stop();
        }
      };
      await measure(100);
      const tens = [await measure(10), await measure(10), await measure(10)];
      const hundreds = [await measure(100), await measure(100), await measure(100)];
      expect(hundreds[0].rows).toHaveLength(100);
      expect(hundreds[0].rows.filter((r) => r.account?.owner && r.owner && r.stage).length).toBeGreaterThan(50);
      for (const m of [...tens, ...hundreds]) expect(m.vendor).toBe(0);
      const minDb = (xs: { db: number }[]) => Math.min(...xs.map((x) => x.db));
      expect(minDb(hundreds)).toBe(minDb(tens));
      // Page + one statement per related model (accounts, users, stages) + the accounts' owners, at most.
      expect(minDb(hundreds)).toBeLessThanOrEqual(7);
    }, 120_000);
  });

  describe('mutations: the REST writes with the write envelope', () => {
    it('createContact, contact, updateContact, deleteContact', async () => {
      const account = (await gql('{ accounts(first: 1) { nodes { id } } }')).body.data.accounts.nodes[0];
      const created = await gql(
        `mutation($input: ContactInput!) { createContact(input: $input) { model { id firstName lastName accountId emailAddresses { emailAddress } } warnings { detail } errors { detail } logs } }`,
        { input: { firstName: 'Ada', lastName: `Lovelace${Date.now()}`, accountId: account.id, emailAddresses: [{ emailAddress: 'ada@example.com' }] } },
      );
      expect(created.body.errors).toBeUndefined();
      const env = created.body.data.createContact;
      expect(env.errors).toEqual([]);
      expect(env.warnings).toEqual([]);
      expect(env.logs).toEqual([]);
      expect(env.model).toMatchObject({ firstName: 'Ada', accountId: account.id, emailAddresses: [{ emailAddress: 'ada@example.com' }] });
      const id = env.model.id;
      const rest = await t.request(`/api/crm/v1/contacts/${id}`, { apiKey, headers: { 'x-account-token': accountToken } });
      expect(rest.body.first_name).toBe('Ada');

      const updated = await gql(`mutation($id: ID!) { updateContact(id: $id, input: { firstName: "Augusta" }) { model { id firstName lastName } errors { detail } } }`, { id });
      expect(updated.body.data.updateContact.model).toMatchObject({ id, firstName: 'Augusta', lastName: env.model.lastName });

      const deleted = await gql(`mutation($id: ID!) { deleteContact(id: $id) { id deleted } }`, { id });
      expect(deleted.body.data.deleteContact).toEqual({ id, deleted: true });
      const gone = await gql(`query($id: ID!) { contact(id: $id) { id } }`, { id });
      expect(gone.body.errors[0].extensions.code).toBe('NOT_FOUND');
    });

    it('invalid input: the envelope’s errors point at the GraphQL input field', async () => {
      const res = await gql(`mutation { createContact(input: { firstName: "NoLastName", accountId: "00000000-0000-4000-8000-000000000000" }) { model { id } errors { source { pointer } problemType detail } } }`);
      const env = res.body.data.createContact;
      expect(env.model).toBeNull();
      expect(env.errors).toContainEqual(expect.objectContaining({ source: { pointer: '/input/accountId' }, problemType: 'INCORRECT_FIELD_TYPE' }));
      const wrongType = await gql(`mutation($input: ContactInput!) { createContact(input: $input) { model { id } } }`, { input: { firstName: 1 } });
      expect(wrongType.body.errors[0].message).toContain('input.firstName');
      // Inline literals too: the argument path is added to graphql-js's message.
      const literal = await gql(`mutation { createContact(input: { lastName: "L", emailAddresses: [{ emailAddress: 7 }] }) { model { id } } }`);
      expect(literal.body.errors[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', field: 'input.emailAddresses.0.emailAddress' });
      expect(literal.body.errors[0].message).toMatch(/^input\.emailAddresses\.0\.emailAddress: /);
      const badEnum = await gql(`{ opportunities(filter: { status: MAYBE }) { nodes { id } } }`);
      expect(badEnum.body.errors[0].extensions.field).toBe('filter.status');
      expect(wrongType.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    it('idempotencyKey replays the first answer and creates nothing new', async () => {
      const m = `mutation($key: String, $name: String) { createContact(input: { lastName: $name }, idempotencyKey: $key) { model { id lastName } errors { detail } } }`;
      const key = `same-${Date.now()}`;
      const a = await gql(m, { key, name: 'Once' });
      expect(a.body.data.createContact.errors).toEqual([]);
      const b = await gql(m, { key, name: 'Once' });
      expect(b.body.data.createContact.model.id).toBe(a.body.data.createContact.model.id);
      const other = await gql(m, { key: `${key}-2`, name: 'Once' });
      expect(other.body.data.createContact.model.id).not.toBe(a.body.data.createContact.model.id);
      const reused = await gql(m, { key, name: 'Another body' });
      expect(reused.body.errors[0].extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 409, field: 'idempotencyKey' });
    });

    it('read-only models have no mutations', async () => {
      const res = await gql('mutation { createUser(input: {}) { model { id } } }');
      expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });
  });

  describe('introspection and explorer', () => {
    it('introspection describes every model, its connection, filter and input (no key needed)', async () => {
      const res = await t.request('/graphql', { method: 'POST', json: { query: '{ __schema { queryType { fields { name } } mutationType { fields { name } } types { name } } }' } });
      expect(res.body.errors).toBeUndefined();
      const queries = res.body.data.__schema.queryType.fields.map((f: Row) => f.name);
      for (const q of ['accounts', 'account', 'contacts', 'contact', 'engagementTypes', 'users', 'stages', 'linkedAccounts', 'accountDetails']) expect(queries).toContain(q);
      const mutations = res.body.data.__schema.mutationType.fields.map((f: Row) => f.name);
      for (const m of ['createContact', 'updateContact', 'deleteContact', 'createEngagement', 'deleteTask']) expect(mutations).toContain(m);
      expect(mutations).not.toContain('createUser');
      const types = res.body.data.__schema.types.map((x: Row) => x.name);
      for (const ty of ['Contact', 'ContactConnection', 'ContactFilter', 'ContactInput', 'ContactResponse', 'OpportunityStatus', 'PageInfo']) expect(types).toContain(ty);
    });

    it('serves the explorer without external assets', async () => {
      const res = await t.request('/graphql/explorer');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.text).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
      expect(res.text).not.toMatch(/@import|url\(/i);
      expect(res.text).toContain('__schema');
    });
  });
});
