import { MergeClient } from '@mergeapi/merge-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteRecord } from '../../src/integrations/contract';
import { adapterFor } from '../../src/integrations/registry';
import { VendorConnections } from '../../src/linked-accounts/connections';
import { SANDBOX_VENDORS } from '../../src/sandbox/registry';
import { SYNC_RUNNER, type SyncRunResult } from '../../src/sync/contract';
import { StoreWriter } from '../../src/sync/store-writer';
import { linkSandboxAccount } from '../support/linked-account';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Stored reads beyond the shared conformance suite: which mode answers (X-Read-Mode), the live
 * fallback before the initial sync, cursors bound to their mode, modified_after meaning "changed",
 * keyset paging stable under concurrent inserts, read-your-writes, and the sync-status routes.
 */

type Row = Record<string, any>;
const VENDOR = 'hubspot';

interface Engine {
  syncAccount(id: string, o: { kind?: 'full' | 'incremental' }): Promise<SyncRunResult[]>;
}

// Syncs run inside these tests; generous limits for slow, loaded machines (never assertions on time).
describe('stored reads', { timeout: 240_000 }, () => {
  let t: TestApp;
  let apiKey: string;
  let orgId: string;
  let accountToken: string;
  let accountId: string;

  const headers = (extra: Record<string, string> = {}) => ({ 'x-account-token': accountToken, ...extra });
  const get = (path: string, extra: Record<string, string> = {}) => t.request(`/api/crm/v1${path}`, { apiKey, headers: headers(extra) });
  const send = (method: string, path: string, json: unknown) => t.request(`/api/crm/v1${path}`, { method, apiKey, json, headers: headers() });
  const engine = () => t.app.get<Engine>(SYNC_RUNNER, { strict: false });
  async function fullSync(id = accountId) {
    const results = await engine().syncAccount(id, { kind: 'full' });
    expect(results.filter((r) => r.outcome !== 'done')).toEqual([]);
  }
  async function walk(query: string, between?: (page: number) => Promise<void>): Promise<Row[]> {
    const rows: Row[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const res = await get(`/contacts?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('x-read-mode')).toBe('stored');
      rows.push(...res.body.results);
      cursor = res.body.next;
      if (between && cursor) await between(page);
      page++;
    } while (cursor && page < 500);
    return rows;
  }

  beforeAll(async () => {
    // A tick once an hour: syncs in this file run when the test asks, not on a timer.
    t = await startTestApp({ SANDBOX_CONTACTS: '30', SYNC_TICK_SECONDS: '3600' });
    const org = await t.createOrganization('stored reads');
    apiKey = org.apiKey;
    orgId = org.organizationId;
    const linked = await linkSandboxAccount(t, orgId, VENDOR);
    accountToken = linked.accountToken;
    accountId = linked.linkedAccountId;
    // Stored mode without the PATCH route (which would queue a sync): the fallback is observable.
    await t.db.prisma.linkedAccount.update({ where: { id: accountId }, data: { readMode: 'stored' } });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('serves live until the initial sync completed, then from the store; sync-status follows', async () => {
    const before = await get('/contacts?page_size=5');
    expect(before.status, before.text).toBe(200);
    expect(before.headers.get('x-read-mode')).toBe('live');
    expect(before.body.results).toHaveLength(5);
    const status = await get('/sync-status');
    expect(status.status, status.text).toBe(200);
    expect(Object.keys(status.body).sort()).toEqual(['next', 'previous', 'results']);
    const contactStatus = status.body.results.find((s: Row) => s.model_name === 'Contact');
    expect(contactStatus).toEqual({
      model_name: 'Contact',
      model_id: 'crm.Contact',
      last_sync_start: null,
      next_sync_start: null,
      last_sync_result: null,
      last_sync_finished: null,
      status: 'PAUSED',
      is_initial_sync: true,
    });
    expect(status.body.results.map((s: Row) => s.model_name).sort()).toEqual([...adapterFor(VENDOR)!.models].sort());

    await fullSync();
    const after = await get('/contacts?page_size=5');
    expect(after.headers.get('x-read-mode')).toBe('stored');
    expect(after.body.results.map((r: Row) => r.id)).toHaveLength(5);
    const done = (await get('/sync-status?page_size=3')).body;
    expect(done.results).toHaveLength(3);
    expect(done.next).toEqual(expect.any(String));
    const page2 = await get(`/sync-status?page_size=3&cursor=${encodeURIComponent(done.next)}`);
    expect(page2.status).toBe(200);
    expect(page2.body.previous).toEqual(expect.any(String));
    const all = (await get('/sync-status')).body.results as Row[];
    for (const s of all) {
      expect(s.status).toBe('DONE');
      expect(s.is_initial_sync).toBe(false);
      expect(s.last_sync_result).toBe('DONE');
      expect(Date.parse(s.next_sync_start)).toBeGreaterThan(Date.parse(s.last_sync_start));
    }
  });

  it('X-Read-Mode picks the mode per request, says which answered, and rejects other values', async () => {
    const live = await get('/contacts?page_size=2', { 'x-read-mode': 'live' });
    expect(live.status).toBe(200);
    expect(live.headers.get('x-read-mode')).toBe('live');
    const stored = await get('/contacts?page_size=2', { 'x-read-mode': 'STORED' });
    expect(stored.headers.get('x-read-mode')).toBe('stored');
    const one = await get(`/contacts/${stored.body.results[0].id}`, { 'x-read-mode': 'live' });
    expect(one.status).toBe(200);
    expect(one.headers.get('x-read-mode')).toBe('live');
    expect(one.body.id).toBe(stored.body.results[0].id);
    expect(one.body.remote_id).toBe(stored.body.results[0].remote_id);
    const bad = await get('/contacts', { 'x-read-mode': 'cached' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].source.pointer).toBe('/header/X-Read-Mode');
  });

  it('a cursor is bound to its mode: the other mode refuses it (400 naming cursor) unless it is only followed', async () => {
    const live = await get('/contacts?page_size=2', { 'x-read-mode': 'live' });
    const stored = await get('/contacts?page_size=2', { 'x-read-mode': 'stored' });
    const crossed = [
      await get(`/contacts?page_size=2&cursor=${encodeURIComponent(live.body.next)}`, { 'x-read-mode': 'stored' }),
      await get(`/contacts?page_size=2&cursor=${encodeURIComponent(stored.body.next)}`, { 'x-read-mode': 'live' }),
    ];
    for (const res of crossed) {
      expect(res.status, res.text).toBe(400);
      expect(res.body.errors[0].source.pointer).toBe('/query/cursor');
    }
    // Without the header a live cursor (e.g. a walk begun before the initial sync) stays live.
    const followed = await get(`/contacts?page_size=2&cursor=${encodeURIComponent(live.body.next)}`);
    expect(followed.status).toBe(200);
    expect(followed.headers.get('x-read-mode')).toBe('live');
  });

  it('modified_after means changed: a sync that changes nothing moves nothing; a vendor change moves only that record', async () => {
    const contacts = await walk('page_size=100');
    const mark = new Date(Math.max(...contacts.map((c) => Date.parse(c.modified_at))) + 1).toISOString();
    await new Promise((r) => setTimeout(r, 5)); // the mark must precede the next write's clock reading
    await fullSync();
    expect(await walk(`page_size=100&modified_after=${encodeURIComponent(mark)}`)).toEqual([]);
    const target = contacts[3];
    const account = await t.db.prisma.linkedAccount.findUniqueOrThrow({ where: { id: accountId } });
    const conn = t.app.get(VendorConnections).forAccount(account);
    // Changed at the vendor directly (not through our API), then picked up by an incremental sync.
    await adapterFor(VENDOR)!.update(conn, 'Contact', target.remote_id, { fields: { last_name: `Changed${Date.now()}` }, remoteFields: [] });
    const results = await engine().syncAccount(accountId, { kind: 'incremental' });
    expect(results.filter((r) => r.outcome !== 'done')).toEqual([]);
    const changed = await walk(`page_size=100&modified_after=${encodeURIComponent(mark)}`);
    expect(changed.map((c) => c.id)).toEqual([target.id]);
    expect(changed[0].last_name).toMatch(/^Changed/);
    expect(changed[0].created_at).toBe(target.created_at);
    const unchanged = await walk(`page_size=100&modified_before=${encodeURIComponent(mark)}`);
    expect(unchanged).toHaveLength(contacts.length - 1);
  });

  it('walking next returns every record exactly once while records are inserted and modified', async () => {
    const before = await walk('page_size=100');
    const account = await t.db.prisma.linkedAccount.findUniqueOrThrow({ where: { id: accountId } });
    const writer = t.app.get(StoreWriter, { strict: false });
    const template = (n: number): RemoteRecord => ({
      model: 'Contact',
      remoteId: `concurrent-${Date.now()}-${n}`,
      fields: { first_name: 'Concurrent', last_name: `Insert ${n}` },
      remoteUpdatedAt: new Date().toISOString(),
      remoteCreatedAt: new Date().toISOString(),
      remoteWasDeleted: false,
      remoteData: [],
      remoteFields: [],
    });
    let n = 0;
    const seen = await walk('page_size=4', async (page) => {
      // Between pages: a new record appears and an already-seen one changes (its seq must not move).
      await writer.writePage(account, 'Contact', [template(n++)], {});
      const moved = await send('PATCH', `/contacts/${before[page].id}`, { model: { first_name: `Moved${page}` } });
      expect(moved.status, moved.text).toBe(200);
    });
    const ids = seen.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of before) expect(ids).toContain(r.id);
    expect(ids.slice(0, before.length)).toEqual(before.map((r) => r.id));
  });

  it('read-your-writes: a create is listed at once; a delete disappears unless include_deleted_data', async () => {
    const name = `Ryw${Date.now()}`;
    const created = await send('POST', '/contacts', { model: { first_name: 'Read', last_name: name, email_addresses: [{ email_address: `${name.toLowerCase()}@example.com`, email_address_type: 'WORK' }] } });
    expect(created.status, created.text).toBe(201);
    const id = created.body.model.id;
    const listed = await get(`/contacts?email_addresses=${encodeURIComponent(`${name.toLowerCase()}@example.com`)}`);
    expect(listed.headers.get('x-read-mode')).toBe('stored');
    expect(listed.body.results.map((r: Row) => r.id)).toEqual([id]);
    expect(listed.body.results[0]).toEqual(created.body.model);
    const deleted = await t.request(`/api/crm/v1/contacts/${id}`, { method: 'DELETE', apiKey, headers: headers() });
    expect(deleted.status).toBe(204);
    expect((await get(`/contacts/${id}`)).status).toBe(404);
    expect((await get(`/contacts?remote_id=${encodeURIComponent(created.body.model.remote_id)}`)).body.results).toEqual([]);
    const withDeleted = await get(`/contacts?remote_id=${encodeURIComponent(created.body.model.remote_id)}&include_deleted_data=true`);
    expect(withDeleted.body.results).toHaveLength(1);
    expect(withDeleted.body.results[0].remote_was_deleted).toBe(true);
  });

  it('resync queues a full sync of every model and answers the statuses; live-mode accounts report DISABLED and refuse it', async () => {
    const before = (await get('/sync-status')).body.results as Row[];
    const res = await send('POST', '/sync-status/resync', undefined);
    expect(res.status, res.text).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body.map((s: Row) => s.model_name).sort()).toEqual(before.map((s) => s.model_name).sort());
    // The scheduler runs it in this process: wait (generously) until every model ran again.
    const rerun = async (previous: Row[]) => {
      const startedAfter = (s: Row) => Date.parse(s.last_sync_start) > Date.parse(previous.find((b) => b.model_name === s.model_name)!.last_sync_start);
      let rows: Row[] = [];
      for (const end = Date.now() + 180_000; Date.now() < end; ) {
        rows = (await get('/sync-status')).body.results;
        if (rows.every((s) => startedAfter(s) && s.status === 'DONE')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(rows.every((s) => startedAfter(s) && s.status === 'DONE'), JSON.stringify(rows)).toBe(true);
      return rows;
    };
    const now = await rerun(before);

    // Merge's official SDK reads both routes unchanged.
    const merge = new MergeClient({ apiKey, accountToken, baseUrl: `${t.url}/api` });
    const sdkList = await merge.crm.syncStatus.list({ pageSize: 100 });
    expect(sdkList.data.map((s) => s.modelName).sort()).toEqual(now.map((s) => s.model_name).sort());
    expect(sdkList.data.every((s) => s.status === 'DONE' && s.isInitialSync === false && s.lastSyncStart instanceof Date)).toBe(true);
    const sdkResync = await merge.crm.forceResync.syncStatusResyncCreate();
    expect(sdkResync.map((s) => s.modelId).sort()).toEqual(now.map((s) => s.model_id).sort());
    await rerun(now);

    const other = await linkSandboxAccount(t, orgId, 'salesforce');
    const liveHeaders = { 'x-account-token': other.accountToken };
    const disabled = await t.request('/api/crm/v1/sync-status', { apiKey, headers: liveHeaders });
    expect(disabled.body.results.every((s: Row) => s.status === 'DISABLED' && s.next_sync_start === null)).toBe(true);
    const refused = await t.request('/api/crm/v1/sync-status/resync', { method: 'POST', apiKey, headers: liveHeaders });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('READ_MODE_LIVE');
    expect((await t.request('/api/crm/v1/sync-status', { apiKey })).status).toBe(400);
    // Live-mode accounts store nothing, API writes included.
    const written = await t.request('/api/crm/v1/contacts', { method: 'POST', apiKey, headers: liveHeaders, json: { model: { first_name: 'Live', last_name: `Only${Date.now()}` } } });
    expect(written.status, written.text).toBe(201);
    const rows = await t.db.prisma.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM crm_records WHERE linked_account_id = $1::uuid', [other.linkedAccountId]);
    expect(rows[0].n).toBe(0);
  });

  it('PATCH /linked-accounts/{id} switches the read mode: live drops the copy, stored syncs again', async () => {
    const path = `/api/crm/v1/linked-accounts/${accountId}`;
    const bad = await t.request(path, { method: 'PATCH', apiKey, json: { read_mode: 'sometimes' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].source.pointer).toMatch(/read_mode$/);
    const badFreq = await t.request(path, { method: 'PATCH', apiKey, json: { sync_frequency_minutes: 0 } });
    expect(badFreq.status).toBe(400);
    expect(badFreq.body.errors[0].source.pointer).toMatch(/sync_frequency_minutes$/);
    const other = await t.createOrganization('someone else');
    expect((await t.request(path, { method: 'PATCH', apiKey: other.apiKey, json: { read_mode: 'live' } })).status).toBe(404);
    expect((await t.request('/api/crm/v1/linked-accounts/nope', { method: 'PATCH', apiKey, json: {} })).status).toBe(400);

    const toLive = await t.request(path, { method: 'PATCH', apiKey, json: { read_mode: 'live', sync_frequency_minutes: 30 } });
    expect(toLive.status, toLive.text).toBe(200);
    expect(toLive.body).toEqual({ id: accountId, read_mode: 'live', sync_frequency_minutes: 30 });
    const count = async () => (await t.db.prisma.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM crm_records WHERE linked_account_id = $1::uuid', [accountId]))[0].n;
    expect(await count()).toBe(0);
    const live = await get('/contacts?page_size=1');
    expect(live.headers.get('x-read-mode')).toBe('live');

    const toStored = await t.request(path, { method: 'PATCH', apiKey, json: { read_mode: 'stored' } });
    expect(toStored.body.read_mode).toBe('stored');
    // The queued initial sync runs in this process; reads switch to stored when it is done.
    let mode: string | null = null;
    for (const end = Date.now() + 180_000; Date.now() < end && mode !== 'stored'; ) {
      mode = (await get('/contacts?page_size=1')).headers.get('x-read-mode');
      if (mode !== 'stored') await new Promise((r) => setTimeout(r, 100));
    }
    expect(mode).toBe('stored');
    expect(await count()).toBeGreaterThan(0);
  });
});

describe.each(SANDBOX_VENDORS)('read-your-writes stores what the vendor has (%s)', { timeout: 120_000 }, (vendor) => {
  let t: TestApp;
  let apiKey: string;
  let accountToken: string;
  const headers = (extra: Record<string, string> = {}) => ({ 'x-account-token': accountToken, ...extra });

  beforeAll(async () => {
    t = await startTestApp({ SANDBOX_CONTACTS: '10', SYNC_TICK_SECONDS: '3600' });
    const org = await t.createOrganization(`ryw ${vendor}`);
    apiKey = org.apiKey;
    const linked = await linkSandboxAccount(t, org.organizationId, vendor);
    accountToken = linked.accountToken;
    await t.db.prisma.linkedAccount.update({ where: { id: linked.linkedAccountId }, data: { readMode: 'stored' } });
    const results = await t.app.get<Engine>(SYNC_RUNNER, { strict: false }).syncAccount(linked.linkedAccountId, { kind: 'full' });
    expect(results.filter((r) => r.outcome !== 'done')).toEqual([]);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  // Stored created_at / modified_at are Switchboard's (first stored / content changed); every other field matches the CRM.
  const comparable = (r: Row) => {
    const { created_at: _c, modified_at: _m, ...rest } = r;
    return rest;
  };

  it('after a create and a patch, the stored record equals the live one', async () => {
    const account = (await t.request('/api/crm/v1/accounts?page_size=1', { apiKey, headers: headers() })).body.results[0];
    const stamp = Date.now();
    const created = await t.request('/api/crm/v1/contacts', {
      method: 'POST',
      apiKey,
      headers: headers(),
      json: { model: { first_name: 'Stored', last_name: `Equal${stamp}`, account: account.id, email_addresses: [{ email_address: `stored.${stamp}@example.com`, email_address_type: 'WORK' }] } },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.model.id;
    for (const step of ['created', 'patched']) {
      if (step === 'patched') {
        const patched = await t.request(`/api/crm/v1/contacts/${id}`, { method: 'PATCH', apiKey, headers: headers(), json: { model: { first_name: 'Patched' } } });
        expect(patched.status, patched.text).toBe(200);
      }
      const stored = await t.request(`/api/crm/v1/contacts/${id}?include_remote_fields=true`, { apiKey, headers: headers() });
      const live = await t.request(`/api/crm/v1/contacts/${id}?include_remote_fields=true`, { apiKey, headers: headers({ 'x-read-mode': 'live' }) });
      expect(stored.headers.get('x-read-mode')).toBe('stored');
      expect(live.headers.get('x-read-mode')).toBe('live');
      expect(comparable(stored.body), step).toEqual(comparable(live.body));
    }
  });
});
