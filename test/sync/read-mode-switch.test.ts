import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ModelName } from '../../src/models/spec';
import { StoreWriter } from '../../src/sync/store-writer';
import { SyncEngine } from '../../src/sync/sync.engine';
import { linkSandboxAccount } from '../support/linked-account';
import { expectStoreEqualsVendor } from '../support/store-compare';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * An account switched to read_mode live (PATCH /linked-accounts/{id}) while its sync runs: the
 * sync stops at the next page and stores nothing more (live accounts store nothing), and switching
 * back to stored syncs everything again.
 */

const MODELS: ModelName[] = ['Account', 'Contact'];

describe('switching an account to live while it syncs', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ SANDBOX_CONTACTS: '200', SYNC_TICK_SECONDS: '3600' });
    // Pages of 10: Accounts (50) take 5 pages, so the switch lands mid-walk.
    t.app.get(SyncEngine).pageSize = 10;
  }, 120_000);
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  it('the running sync stops at the next page and stores nothing; back to stored, everything syncs again', async () => {
    const org = await t.createOrganization();
    const { accountToken, linkedAccountId } = await linkSandboxAccount(t, org.organizationId, 'hubspot', undefined, { readMode: 'stored' });
    const path = `/api/crm/v1/linked-accounts/${linkedAccountId}`;
    const count = async (table: 'crm_records' | 'sync_states') =>
      (await t.db.prisma.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE linked_account_id = $1::uuid`, [linkedAccountId]))[0].n;

    // The switch happens while the third page of accounts is on its way to the store.
    const writer = t.app.get(StoreWriter);
    const prepare = writer.prepare.bind(writer);
    let accountPages = 0;
    const spy = vi.spyOn(writer, 'prepare').mockImplementation(async (account, model, records) => {
      if (account.id === linkedAccountId && model === 'Account' && ++accountPages === 3) {
        expect(await count('crm_records')).toBe(20);
        const res = await t.request(path, { method: 'PATCH', apiKey: org.apiKey, json: { read_mode: 'live' } });
        expect(res.status, res.text).toBe(200);
      }
      return prepare(account, model, records);
    });
    const results = await t.app.get(SyncEngine).syncAccount(linkedAccountId, { kind: 'full', models: MODELS });
    spy.mockRestore();
    expect(accountPages).toBe(3);
    expect(results.map((r) => [r.model, r.outcome])).toEqual([
      ['Account', 'aborted'],
      ['Contact', 'skipped'],
    ]);
    expect(await count('crm_records')).toBe(0);
    expect(await count('sync_states')).toBe(0);

    // Back to stored: the queued initial sync (in this process) stores every record.
    const back = await t.request(path, { method: 'PATCH', apiKey: org.apiKey, json: { read_mode: 'stored' } });
    expect(back.status, back.text).toBe(200);
    for (const end = Date.now() + 120_000; ; ) {
      const rows = await t.db.prisma.sql.query<{ status: string }>(`SELECT status FROM sync_states WHERE linked_account_id = $1::uuid AND model = ANY($2::text[])`, [linkedAccountId, MODELS]);
      if (rows.length === MODELS.length && rows.every((r) => r.status === 'DONE')) break;
      if (Date.now() > end) throw new Error(`sync after the switch back did not finish: ${JSON.stringify(rows)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const counts = await expectStoreEqualsVendor(t, t.db.prisma, { apiKey: org.apiKey, accountToken, linkedAccountId }, MODELS);
    expect(counts.Account).toBe(50);
    expect(counts.Contact).toBe(200);
  }, 200_000);
});
