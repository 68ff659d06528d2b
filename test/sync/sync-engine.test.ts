import { beforeAll, describe, expect, it } from 'vitest';
import { EventBus, type SwitchboardEvent } from '../../src/events/event-bus';
import type { RemoteRecord } from '../../src/integrations/contract';
import { adapterFor } from '../../src/integrations/registry';
import { VendorConnections } from '../../src/linked-accounts/connections';
import type { LinkedAccountRecord } from '../../src/linked-accounts/linked-accounts.service';
import type { ModelName } from '../../src/models/spec';
import type { RunningEmulator } from '../../src/sandbox/common/standalone';
import { SANDBOX_VENDORS } from '../../src/sandbox/registry';
import { StoreWriter } from '../../src/sync/store-writer';
import { SyncEngine } from '../../src/sync/sync.engine';
import { dataPart, linkStandalone, liveRecords, storedRecords } from '../../src/sync/testing';
import { syncHarness } from '../support/sync-harness';

/**
 * The sync engine against each vendor's emulator (a few thousand records across all models) on a
 * real database: stored copy equal to the live read, idempotent re-runs, incremental changes with
 * events, resume after an abort, and per-model failure isolation.
 */

const CONTACTS = 1_000;

async function mutate(emu: RunningEmulator, body: Record<string, unknown>): Promise<{ created: string[]; updated: string[]; deleted: string[] }> {
  const res = await fetch(`${emu.url}/__sandbox/mutate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { created: string[]; updated: string[]; deleted: string[] };
}

/** An AbortSignal that reads as aborted from its n-th check on (the engine checks once per page). */
function abortAfterChecks(n: number): AbortSignal {
  let checks = 0;
  return {
    get aborted() {
      return ++checks > n;
    },
  } as AbortSignal;
}

describe.each(SANDBOX_VENDORS)('sync engine against the %s emulator', (vendor) => {
  const h = syncHarness(vendor, { seed: 11, contacts: CONTACTS });
  let engine: SyncEngine;
  let account: LinkedAccountRecord;
  const events: SwitchboardEvent[] = [];
  const settle = () => new Promise((r) => setTimeout(r, 10));

  beforeAll(async () => {
    engine = h.ctx.get(SyncEngine);
    account = await linkStandalone(h.ctx, vendor, h.emu.url);
    h.ctx.get(EventBus).subscribe('*', (e) => {
      events.push(e);
    });
  }, 120_000);

  it('a first full sync stores every model equal to the live read, in dependency order, without record events', async () => {
    const results = await engine.syncAccount(account.id);
    for (const r of results) expect(r.outcome, `${r.model}: ${r.error}`).toBe('done');
    const adapter = adapterFor(vendor)!;
    const order = results.map((r) => r.model);
    expect([...order].sort()).toEqual([...adapter.models].sort());
    expect(order.indexOf('User')).toBeLessThan(order.indexOf('Account'));
    expect(order.indexOf('Account')).toBeLessThan(order.indexOf('Contact'));
    expect(order.indexOf('Contact')).toBeLessThan(order.indexOf('Engagement'));
    for (const r of results) expect(r.kind).toBe('full');
    await settle();
    expect(events.filter((e) => /\.(added|changed|deleted)$/.test(e.event))).toEqual([]);
    const completed = events.filter((e) => e.event === 'LinkedAccount.sync_completed' && e.linkedAccountId === account.id);
    expect(completed).toHaveLength(1);
    const statuses = (completed[0].data as { sync_status: { model_name: string; status: string; is_initial_sync: boolean }[] }).sync_status;
    expect(statuses).toHaveLength(adapter.models.length);
    for (const s of statuses) expect(s).toMatchObject({ status: 'DONE', is_initial_sync: false });

    for (const model of adapter.models) {
      const live = await liveRecords(h.ctx, account, model);
      const rows = await storedRecords(h.db.prisma, account.id, model);
      expect(rows.length, model).toBe(live.length);
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const rec of live) {
        const row = byId.get(rec.id as string);
        expect(row, `${model} ${String(rec.remote_id)}`).toBeDefined();
        expect(row!.remote_id).toBe(rec.remote_id);
        expect(row!.data).toEqual(dataPart(rec));
        expect(row!.remote_fields).toEqual(rec.remote_fields);
        expect(row!.remote_data).toEqual(rec.remote_data);
        expect(row!.remote_was_deleted).toBe(false);
      }
    }
    expect((await storedRecords(h.db.prisma, account.id, 'Contact')).length).toBe(CONTACTS);
  }, 600_000);

  it('a second run with no changes writes nothing and moves no modified_at', async () => {
    const before = await storedRecords(h.db.prisma, account.id, 'Contact');
    const full = await engine.syncAccount(account.id, { kind: 'full' });
    for (const r of full) {
      expect(r.outcome, `${r.model}: ${r.error}`).toBe('done');
      expect(r.written, r.model).toBe(0);
      expect(r.seen, r.model).toBeGreaterThan(0);
    }
    const incremental = await engine.syncAccount(account.id);
    for (const r of incremental) {
      expect(r.outcome, `${r.model}: ${r.error}`).toBe('done');
      expect(r.written, r.model).toBe(0);
    }
    // Models with vendor timestamps go incremental; ones without any (synthetic types) stay full.
    for (const model of ['User', 'Account', 'Contact', 'Opportunity', 'Engagement'] as ModelName[]) {
      expect(incremental.find((r) => r.model === model)?.kind, model).toBe('incremental');
    }
    const after = await storedRecords(h.db.prisma, account.id, 'Contact');
    expect(after.map((r) => String(r.modified_at))).toEqual(before.map((r) => String(r.modified_at)));
  }, 600_000);

  it('changes, deletions and new records appear after the next incremental sync, each with its event', async () => {
    events.length = 0;
    const [{ now: before }] = await h.db.prisma.sql.query<{ now: Date | string }>('SELECT now() AS now');
    const m = await mutate(h.emu, { object: h.emu.emulator.contactObject, create: 2, update: 3, delete: 1 });
    expect(m.created).toHaveLength(2);
    expect(m.updated).toHaveLength(3);
    expect(m.deleted).toHaveLength(1);
    const [r] = await engine.syncAccount(account.id, { models: ["Contact"] });
    if (process.env.SYNC_DEBUG) console.log(JSON.stringify(r), JSON.stringify(m));
    expect(r).toMatchObject({ outcome: 'done', kind: 'incremental', added: 2, changed: 3, deleted: 1 });
    await settle();
    const recordEvents = events.filter((e) => e.event.startsWith('Contact.'));
    const remoteIdsOf = (name: string) => recordEvents.filter((e) => e.event === name).map((e) => String(e.data.remote_id)).sort();
    expect(remoteIdsOf('Contact.added')).toEqual([...m.created].sort());
    expect(remoteIdsOf('Contact.changed')).toEqual([...m.updated].sort());
    expect(remoteIdsOf('Contact.deleted')).toEqual([...m.deleted].sort());
    for (const e of recordEvents) {
      expect(e.organizationId).toBe(account.organizationId);
      expect(e.data).not.toHaveProperty('remote_data');
      expect(e.data.id).toEqual(expect.any(String));
    }
    const rows = await storedRecords(h.db.prisma, account.id, 'Contact');
    expect(rows).toHaveLength(CONTACTS + 2);
    expect(rows.filter((x) => x.remote_was_deleted).map((x) => x.remote_id)).toEqual(m.deleted);
    const live = await liveRecords(h.ctx, account, 'Contact');
    const byId = new Map(rows.map((x) => [x.id, x]));
    for (const rec of live) expect(byId.get(rec.id as string)?.data, String(rec.remote_id)).toEqual(dataPart(rec));
    // Only the changed rows moved modified_at.
    const moved = rows.filter((x) => new Date(x.modified_at).getTime() > new Date(before).getTime()).map((x) => x.remote_id);
    expect(moved.sort()).toEqual([...m.created, ...m.updated, ...m.deleted].sort());
  }, 600_000);

  it('a full resync marks records the vendor no longer has as deleted', async () => {
    const store = h.ctx.get(StoreWriter);
    // A record the vendor never had (e.g. left over from a lost delete) is absent from the walk.
    const [ghost] = (await liveRecords(h.ctx, account, 'Account')).slice(0, 1);
    expect(ghost).toBeDefined();
    const rows = await storedRecords(h.db.prisma, account.id, 'Account');
    await h.db.prisma.sql.execute(`UPDATE crm_records SET remote_id = 'ghost-1', id = gen_random_uuid() WHERE id = $1::uuid`, [rows[0].id]);
    void store;
    const [r] = await engine.syncAccount(account.id, { models: ['Account'], kind: 'full' });
    expect(r).toMatchObject({ outcome: 'done', deleted: 1, added: 1 });
    const after = await storedRecords(h.db.prisma, account.id, 'Account');
    expect(after.find((x) => x.remote_id === 'ghost-1')?.remote_was_deleted).toBe(true);
    expect(after.filter((x) => x.remote_was_deleted)).toHaveLength(1);
    const left = await h.db.prisma.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM sync_seen WHERE linked_account_id = $1::uuid`, [account.id]);
    expect(left[0].n).toBe('0');
  }, 600_000);

  it('resumes from its checkpoint after an abort: nothing lost, nothing duplicated', async () => {
    const second = await linkStandalone(h.ctx, vendor, h.emu.url);
    engine.pageSize = 100;
    try {
      const aborted = await engine.run(second.id, 'Contact', { signal: abortAfterChecks(3) });
      expect(aborted).toMatchObject({ outcome: 'aborted', kind: 'full', seen: 300 });
      const state = await h.db.prisma.syncState.findUniqueOrThrow({ where: { linkedAccountId_model: { linkedAccountId: second.id, model: 'Contact' } } });
      expect(state.status).toBe('PARTIALLY_SYNCED');
      expect(state.checkpoint).not.toBeNull();
      expect(state.leaseOwner).toBeNull();
      expect((await storedRecords(h.db.prisma, second.id, 'Contact')).length).toBe(300);

      // As if the process had been killed mid-run: its lease is still set, but expired.
      await h.db.prisma.syncState.update({
        where: { linkedAccountId_model: { linkedAccountId: second.id, model: 'Contact' } },
        data: { status: 'SYNCING', leaseOwner: 'killed-process', leaseExpiresAt: new Date(Date.now() - 1_000) },
      });
      const resumed = await engine.run(second.id, 'Contact', {});
      expect(resumed.outcome).toBe('done');
      expect(resumed.kind).toBe('full');
      // The counters continue the open run: the resumed part read only the rest.
      expect(resumed.seen).toBe(CONTACTS + 2);
      const rows = await storedRecords(h.db.prisma, second.id, 'Contact');
      expect(rows).toHaveLength(CONTACTS + 2);
      expect(new Set(rows.map((x) => x.remote_id)).size).toBe(rows.length);
      const runs = await h.db.prisma.syncRun.findMany({ where: { linkedAccountId: second.id, model: 'Contact' }, orderBy: { startedAt: 'asc' } });
      expect(runs.map((x) => x.outcome)).toEqual(['aborted', 'done']);
      expect(runs[1].seen - runs[0].seen).toBe(CONTACTS + 2 - 300);
    } finally {
      engine.pageSize = undefined;
    }
  }, 600_000);

  it('a page read from the vendor before an API write but stored after it does not undo the write', async () => {
    const store = h.ctx.get(StoreWriter);
    const adapter = adapterFor(vendor)!;
    const conn = h.ctx.get(VendorConnections).forAccount(account);
    const prepare = store.prepare.bind(store);
    let written: RemoteRecord | undefined;
    // The API write (vendor first, then the store, as CrmWriteService does) lands between the
    // sync's vendor read of its first Contact page and the upsert of that page.
    store.prepare = async (...args: Parameters<StoreWriter['prepare']>) => {
      const page = await prepare(...args);
      if (!written && args[1] === 'Contact') {
        const target = args[2].find((r) => !r.remoteWasDeleted)!;
        written = await adapter.update(conn, 'Contact', target.remoteId, { fields: { first_name: 'Raced' }, remoteFields: [] });
        expect(Date.parse(written.remoteUpdatedAt!)).toBeGreaterThan(Date.parse(target.remoteUpdatedAt!));
        await store.writePage(account, 'Contact', [written], { emitEvents: true });
      }
      return page;
    };
    try {
      const [r] = await engine.syncAccount(account.id, { models: ['Contact'], kind: 'full' });
      expect(r.outcome, r.error).toBe('done');
    } finally {
      store.prepare = prepare;
    }
    expect(written).toBeDefined();
    const row = (await storedRecords(h.db.prisma, account.id, 'Contact')).find((x) => x.remote_id === written!.remoteId);
    expect(row?.data.first_name).toBe('Raced');
    // The next sync reads the written version itself: nothing to write, the copy equals the vendor.
    const [again] = await engine.syncAccount(account.id, { models: ['Contact'] });
    expect(again.outcome, again.error).toBe('done');
    const live = (await liveRecords(h.ctx, account, 'Contact')).find((x) => x.remote_id === written!.remoteId)!;
    const after = (await storedRecords(h.db.prisma, account.id, 'Contact')).find((x) => x.remote_id === written!.remoteId)!;
    expect(after.data).toEqual(dataPart(live));
  }, 600_000);

  it('skips a pair whose lease another process holds', async () => {
    await h.db.prisma.syncState.update({
      where: { linkedAccountId_model: { linkedAccountId: account.id, model: 'Note' } },
      data: { leaseOwner: 'another-process', leaseExpiresAt: new Date(Date.now() + 600_000) },
    });
    const r = await engine.run(account.id, 'Note', {});
    expect(r.outcome).toBe('skipped');
    await h.db.prisma.syncState.update({ where: { linkedAccountId_model: { linkedAccountId: account.id, model: 'Note' } }, data: { leaseOwner: null, leaseExpiresAt: null } });
  });
});

describe('one failing model does not stop the others', () => {
  const h = syncHarness('zoho', { seed: 5, contacts: 200 });

  it('a model the token may not read fails with an issue carrying the vendor message; the rest sync', async () => {
    // Everything but deals (Opportunity): Zoho answers OAUTH_SCOPE_MISMATCH for that module only.
    const scope = [
      'ZohoCRM.modules.accounts.READ',
      'ZohoCRM.modules.contacts.READ',
      'ZohoCRM.modules.leads.READ',
      'ZohoCRM.modules.notes.READ',
      'ZohoCRM.modules.tasks.READ',
      'ZohoCRM.modules.calls.READ',
      'ZohoCRM.modules.events.READ',
      'ZohoCRM.settings.ALL',
      'ZohoCRM.users.READ',
      'ZohoCRM.org.READ',
    ].join(',');
    const account = await linkStandalone(h.ctx, 'zoho', h.emu.url, { scope });
    const results = await h.ctx.get(SyncEngine).syncAccount(account.id);
    if (process.env.SYNC_DEBUG) console.log(JSON.stringify(results));
    const byModel = new Map(results.map((r) => [r.model, r]));
    expect(byModel.get('Opportunity')?.outcome).toBe('failed');
    for (const m of ['Account', 'Contact', 'User'] as ModelName[]) expect(byModel.get(m)?.outcome, `${m}: ${byModel.get(m)?.error}`).toBe('done');
    const issues = await h.db.prisma.linkedAccountIssue.findMany({ where: { linkedAccountId: account.id, status: 'ONGOING' } });
    expect(issues).toHaveLength(1);
    expect(issues[0].errorDescription).toContain('Opportunity');
    const state = await h.db.prisma.syncState.findUniqueOrThrow({ where: { linkedAccountId_model: { linkedAccountId: account.id, model: 'Opportunity' } } });
    expect(state).toMatchObject({ status: 'FAILED', lastSyncResult: 'FAILED', leaseOwner: null });
  }, 600_000);
});
