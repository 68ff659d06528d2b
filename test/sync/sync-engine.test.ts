import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VendorSlug } from '../../src/integrations/contract';
import { adapterFor } from '../../src/integrations/registry';
import type { ModelName } from '../../src/models/spec';
import { MODELS } from '../../src/models/spec';
import { EventBus, type SwitchboardEvent } from '../../src/events/event-bus';
import { SyncEngine } from '../../src/sync/sync.engine';
import { linkSandboxAccount } from '../support/linked-account';
import { startTestApp, type TestApp } from '../support/test-app';

const CONTACTS = 600;
const VENDORS: VendorSlug[] = ['salesforce', 'hubspot', 'zoho'];

/** Every record the live REST path returns for a model (include_deleted_data: stored copy keeps deleted ones). */
async function liveAll(t: TestApp, apiKey: string, accountToken: string, model: ModelName): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ page_size: '100', include_remote_data: 'true', include_remote_fields: 'true' });
    if (cursor) q.set('cursor', cursor);
    const res = await t.request(`/api/crm/v1/${MODELS[model].route}?${q}`, { apiKey, headers: { 'x-account-token': accountToken, 'x-read-mode': 'live' } });
    expect(res.status, res.text).toBe(200);
    out.push(...res.body.results);
    cursor = res.body.next;
  } while (cursor);
  return out;
}

interface StoredRow {
  id: string;
  remote_id: string;
  data: Record<string, unknown>;
  remote_data: unknown;
  remote_fields: unknown;
  remote_was_deleted: boolean;
  modified_at: Date;
}

async function stored(t: TestApp, accountId: string, model: ModelName): Promise<StoredRow[]> {
  return t.db.prisma.sql.query<StoredRow>(
    `SELECT id::text AS id, remote_id, data, remote_data, remote_fields, remote_was_deleted, modified_at FROM crm_records
     WHERE linked_account_id = $1::uuid AND model = $2 ORDER BY seq`,
    [accountId, model],
  );
}

const OMIT = new Set(['created_at', 'modified_at', 'remote_data', 'remote_fields', 'remote_was_deleted', 'field_mappings', 'id', 'remote_id']);
const strip = (r: Record<string, any>) => Object.fromEntries(Object.entries(r).filter(([k]) => !OMIT.has(k)));

describe.each(VENDORS)('sync engine against the %s emulator', (vendor) => {
  let t: TestApp;
  let apiKey: string;
  let accountToken: string;
  let accountId: string;
  let engine: SyncEngine;
  const events: SwitchboardEvent[] = [];

  beforeAll(async () => {
    t = await startTestApp({ SANDBOX_CONTACTS: String(CONTACTS) });
    const org = await t.createOrganization();
    apiKey = org.apiKey;
    ({ accountToken, linkedAccountId: accountId } = await linkSandboxAccount(t, org.organizationId, vendor));
    engine = t.app.get(SyncEngine);
    t.app.get(EventBus).subscribe('*', (e) => {
      if (e.linkedAccountId === accountId) events.push(e);
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('a first full sync stores every model equal to the live read; a second run writes nothing', async () => {
    const results = await engine.syncAccount(accountId, { kind: 'full' });
    for (const r of results) expect(r.outcome, `${r.model}: ${r.error}`).toBe('done');
    const adapter = adapterFor(vendor)!;
    expect(results.map((r) => r.model).sort()).toEqual([...adapter.models].sort());
    // Dependency order: users and accounts before contacts, contacts before engagements.
    const order = results.map((r) => r.model);
    expect(order.indexOf('User')).toBeLessThan(order.indexOf('Account'));
    expect(order.indexOf('Account')).toBeLessThan(order.indexOf('Contact'));
    // The first sync of an account emits no record events, only sync_completed.
    await new Promise((r) => setImmediate(r));
    expect(events.filter((e) => /\.(added|changed|deleted)$/.test(e.event))).toEqual([]);
    expect(events.some((e) => e.event === 'LinkedAccount.sync_completed')).toBe(true);

    for (const model of ['Contact', 'Account', 'Opportunity', 'Engagement', 'User'] as ModelName[]) {
      const live = await liveAll(t, apiKey, accountToken, model);
      const rows = await stored(t, accountId, model);
      expect(rows.length, model).toBe(live.length);
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const rec of live) {
        const row = byId.get(rec.id);
        expect(row, `${model} ${rec.remote_id}`).toBeDefined();
        expect(row!.remote_id).toBe(rec.remote_id);
        expect(row!.data).toEqual(strip(rec));
        expect(row!.remote_fields).toEqual(rec.remote_fields);
        expect(row!.remote_data).toEqual(rec.remote_data);
        expect(row!.remote_was_deleted).toBe(false);
      }
    }
    const contactsBefore = await stored(t, accountId, 'Contact');
    expect(contactsBefore.length).toBe(CONTACTS);

    const again = await engine.syncAccount(accountId, { kind: 'full' });
    for (const r of again) {
      expect(r.outcome).toBe('done');
      expect(r.written, r.model).toBe(0);
    }
    const incremental = await engine.syncAccount(accountId, {});
    for (const r of incremental) {
      expect(r.kind).toBe('incremental');
      expect(r.written, r.model).toBe(0);
    }
    const contactsAfter = await stored(t, accountId, 'Contact');
    expect(contactsAfter.map((r) => r.modified_at.toString())).toEqual(contactsBefore.map((r) => r.modified_at.toString()));
  }, 300_000);
});
