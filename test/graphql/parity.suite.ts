import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_VENDORS } from '../../src/sandbox/registry';
import { SYNC_RUNNER, type SyncRunResult } from '../../src/sync/contract';
import { camel } from '../../src/graphql/types';
import { MODEL_NAMES, MODELS, type ModelName } from '../../src/models/spec';
import { linkSandboxAccount } from '../support/linked-account';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * REST / GraphQL parity: for every model and every filter (the common ones and the model's own),
 * on every vendor, GraphQL returns the same records in the same order with the same page
 * boundaries and the very same cursors as REST, paging at the same page size. Run on live reads
 * (parity.test.ts) and on stored reads after a full sync by the real engine (stored-parity.test.ts).
 */

const VENDORS = SANDBOX_VENDORS;
const PAGE = 7;
type Row = Record<string, any>;

interface Page {
  ids: string[];
  next: string | null;
  previous: string | null;
}

/** A value for each filter taken from the data, so that filters select a real, smaller set. */
function filterCases(model: ModelName, all: Map<ModelName, Row[]>): { param: string; value: string }[] {
  const rows = all.get(model)!;
  const cases: { param: string; value: string }[] = [];
  const first = <T>(f: (r: Row) => T | undefined | null) => rows.map(f).find((v) => v !== undefined && v !== null && v !== '');
  const median = (field: string) => {
    const values = rows.map((r) => r[field]).filter((v): v is string => typeof v === 'string').sort();
    return values[Math.floor(values.length / 2)];
  };
  const push = (param: string, value: unknown) => {
    if (value !== undefined && value !== null && value !== '') cases.push({ param, value: String(value) });
  };
  push('created_after', median('created_at'));
  push('created_before', median('created_at'));
  push('modified_after', median('modified_at'));
  push('modified_before', median('modified_at'));
  push('remote_id', first((r) => r.remote_id));
  push('include_deleted_data', 'true');
  for (const f of MODELS[model].filters) {
    switch (f.kind) {
      case 'relation':
        // A related id from the data, else any record of the target (then the filter selects none).
        push(f.param, first((r) => (typeof r[f.field] === 'string' ? r[f.field] : undefined)) ?? all.get(f.target)?.[0]?.id);
        break;
      case 'enum':
        push(f.param, first((r) => (typeof r[f.field] === 'string' ? r[f.field] : undefined)));
        break;
      case 'string': {
        const v = first((r) => r[f.field]);
        push(f.param, f.match === 'contains' && typeof v === 'string' ? v.slice(0, 3) : v);
        break;
      }
      case 'email':
        push(f.param, first((r) => r.email_addresses?.[0]?.email_address));
        break;
      case 'phone':
        push(f.param, first((r) => r.phone_numbers?.[0]?.phone_number));
        break;
      case 'datetime':
        push(f.param, median(f.field));
        break;
    }
  }
  return cases;
}

export type ParityMode = 'live' | 'stored';

/** Stored mode: the account reads from the store, filled by a full sync with the real engine. */
async function makeStored(t: TestApp, linkedAccountId: string): Promise<void> {
  await t.db.prisma.linkedAccount.update({ where: { id: linkedAccountId }, data: { readMode: 'stored' } });
  const engine = t.app.get<{ syncAccount(id: string, o: { kind: 'full' }): Promise<SyncRunResult[]> }>(SYNC_RUNNER, { strict: false });
  const failed = (await engine.syncAccount(linkedAccountId, { kind: 'full' })).filter((r) => r.outcome !== 'done');
  if (failed.length) throw new Error(`initial sync incomplete: ${JSON.stringify(failed)}`);
}

export function paritySuite(mode: ParityMode): void {
describe.each(VENDORS)(`GraphQL / REST parity (${mode} reads): %s`, (vendor) => {
  let t: TestApp;
  let apiKey: string;
  let accountToken: string;
  const all = new Map<ModelName, Row[]>();

  const headers = () => ({ 'x-account-token': accountToken });

  async function restPage(model: ModelName, query: Record<string, string>, cursor: string | null): Promise<Page | { error: { status: number; code: string } }> {
    const qs = new URLSearchParams({ page_size: String(PAGE), ...query, ...(cursor ? { cursor } : {}) });
    const res = await t.request(`/api/crm/v1/${MODELS[model].route}?${qs}`, { apiKey, headers: headers() });
    if (res.status !== 200) return { error: { status: res.status, code: res.body?.code } };
    expect(res.headers.get('x-read-mode')).toBe(mode);
    return { ids: res.body.results.map((r: Row) => r.id), next: res.body.next, previous: res.body.previous };
  }

  async function graphqlPage(model: ModelName, query: Record<string, string>, after: string | null): Promise<Page | { error: { status: number; code: string } }> {
    const spec = MODELS[model];
    const filter = Object.fromEntries(Object.entries(query).map(([k, v]) => [camel(k), k === 'include_deleted_data' ? v === 'true' : v]));
    const document = `query Page($first: Int, $after: String, $filter: ${model}Filter) {
      ${spec.plural}(first: $first, after: $after, filter: $filter) { nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
    }`;
    const res = await t.request('/graphql', { method: 'POST', apiKey, headers: headers(), json: { query: document, variables: { first: PAGE, after, filter } } });
    expect(res.status, res.text).toBe(200);
    if (res.body.errors?.length) return { error: { status: res.body.errors[0].extensions?.status, code: res.body.errors[0].extensions?.code } };
    const conn = res.body.data[spec.plural];
    expect(conn.pageInfo.hasNextPage).toBe(conn.pageInfo.endCursor !== null);
    expect(conn.pageInfo.hasPreviousPage).toBe(conn.pageInfo.startCursor !== null);
    return { ids: conn.nodes.map((n: Row) => n.id), next: conn.pageInfo.endCursor, previous: conn.pageInfo.startCursor };
  }

  /**
   * Walks REST and GraphQL in lockstep with the same cursor, which comes alternately from the
   * REST `next` and the GraphQL `endCursor`: same ids in the same order on every page, the same
   * last page, and cursors that are interchangeable. The cursor strings themselves are equal
   * except where the vendor's own page token embeds its issue time (Zoho's page_token).
   */
  async function walkBoth(model: ModelName, query: Record<string, string>, label: string): Promise<number> {
    let cursor: string | null = null;
    let pages = 0;
    do {
      const rest = await restPage(model, query, cursor);
      const gql = await graphqlPage(model, query, cursor);
      if ('error' in rest || 'error' in gql) {
        expect(gql, label).toEqual(rest);
        return pages;
      }
      expect(gql.ids, `${label} page ${pages + 1}`).toEqual(rest.ids);
      expect(gql.next === null, label).toBe(rest.next === null);
      expect(gql.previous === null, label).toBe(rest.previous === null);
      if (vendor !== 'zoho') {
        expect(gql.next, label).toBe(rest.next);
        expect(gql.previous, label).toBe(rest.previous);
      }
      pages++;
      cursor = pages % 2 ? rest.next : gql.next;
      expect(pages).toBeLessThan(200);
    } while (cursor);
    return pages;
  }

  beforeAll(async () => {
    t = await startTestApp({ SANDBOX_CONTACTS: '20' });
    const org = await t.createOrganization(`parity ${vendor}`);
    apiKey = org.apiKey;
    const linked = await linkSandboxAccount(t, org.organizationId, vendor);
    accountToken = linked.accountToken;
    if (mode === 'stored') await makeStored(t, linked.linkedAccountId);
    for (const model of MODEL_NAMES) {
      const res = await t.request(`/api/crm/v1/${MODELS[model].route}?page_size=100`, { apiKey, headers: headers() });
      expect(res.status, res.text).toBe(200);
      all.set(model, res.body.results);
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it.each(MODEL_NAMES)('%s: every filter pages identically', async (model) => {
    const cases = [{ param: '', value: '' }, ...filterCases(model, all)];
    // Every declared filter gets a case.
    const covered = new Set(cases.map((c) => c.param));
    expect(MODELS[model].filters.map((f) => f.param).filter((p) => !covered.has(p))).toEqual([]);
    let multiPage = 0;
    for (const c of cases) {
      const pages = await walkBoth(model, c.param ? { [c.param]: c.value } : {}, `${model} ${c.param}=${c.value}`);
      if (pages > 1) multiPage++;
    }
    // The unfiltered walk at least spans several pages wherever there are enough records.
    if (all.get(model)!.length > PAGE) expect(multiPage).toBeGreaterThan(0);
  }, 180_000);

  it('GraphQL cursors are REST cursors: a GraphQL endCursor continues a REST walk and back', async () => {
    const res = await t.request('/graphql', { method: 'POST', apiKey, headers: headers(), json: { query: '{ contacts(first: 5) { nodes { id } pageInfo { endCursor } } }' } });
    const cursor = res.body.data.contacts.pageInfo.endCursor;
    const rest = await t.request(`/api/crm/v1/contacts?page_size=5&cursor=${encodeURIComponent(cursor)}`, { apiKey, headers: headers() });
    expect(rest.status).toBe(200);
    expect(rest.body.results.map((r: Row) => r.id)).toEqual(all.get('Contact')!.slice(5, 10).map((r) => r.id));
    const back = await t.request('/graphql', {
      method: 'POST',
      apiKey,
      headers: headers(),
      json: { query: 'query($b: String) { contacts(last: 5, before: $b) { nodes { id } } }', variables: { b: rest.body.previous } },
    });
    expect(back.body.data.contacts.nodes.map((r: Row) => r.id)).toEqual(all.get('Contact')!.slice(0, 5).map((r) => r.id));
  });

  it('a record by id equals the REST record, field by field', async () => {
    const contact = all.get('Contact')!.find((c) => c.account && c.owner)!;
    const res = await t.request('/graphql', {
      method: 'POST',
      apiKey,
      headers: headers(),
      json: {
        query: `query($id: ID!) { contact(id: $id) { id remoteId createdAt modifiedAt firstName lastName accountId ownerId remoteWasDeleted
          emailAddresses { emailAddress emailAddressType } phoneNumbers { phoneNumber phoneNumberType } addresses { street1 city postalCode country addressType }
          lastActivityAt remoteCreatedAt account { id name } owner { id email } } }`,
        variables: { id: contact.id },
      },
    });
    expect(res.body.errors).toBeUndefined();
    const c = res.body.data.contact;
    expect(c).toMatchObject({
      id: contact.id,
      remoteId: contact.remote_id,
      createdAt: contact.created_at,
      modifiedAt: contact.modified_at,
      firstName: contact.first_name,
      lastName: contact.last_name,
      accountId: contact.account,
      ownerId: contact.owner,
      remoteWasDeleted: contact.remote_was_deleted,
      lastActivityAt: contact.last_activity_at,
      remoteCreatedAt: contact.remote_created_at,
    });
    expect(c.emailAddresses).toEqual(contact.email_addresses.map((e: Row) => ({ emailAddress: e.email_address, emailAddressType: e.email_address_type })));
    expect(c.account.id).toBe(contact.account);
    expect(c.account.name).toBe(all.get('Account')!.find((a) => a.id === contact.account)!.name);
    expect(c.owner.email).toBe(all.get('User')!.find((u) => u.id === contact.owner)!.email);
  });
});
}
