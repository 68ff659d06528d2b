import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentitiesService, type RemoteKey } from '../../src/crm/identities.service';
import { refsOf, serializeRecord } from '../../src/crm/serializer';
import { createTestDatabase, type TestDatabase } from '../../src/database/testing';
import type { VendorPageState } from '../../src/integrations/contract';
import { adapterFor } from '../../src/integrations/registry';
import { VendorConnections } from '../../src/linked-accounts/connections';
import type { LinkedAccountRecord } from '../../src/linked-accounts/linked-accounts.service';
import type { ModelName } from '../../src/models/spec';
import { startStandalone, type RunningEmulator } from '../../src/sandbox/common/standalone';
import { createEmulator, SANDBOX_VENDORS, type SandboxVendor } from '../../src/sandbox/registry';
import { SyncEngine } from '../../src/sync/sync.engine';
import { dataPart, linkStandalone, startSyncContext } from '../../src/sync/testing';

/**
 * Opt-in (npm run test:heavy): 100,000 contacts per vendor with every related model. The store
 * must end equal to the emulator (every model counted, every record of every model compared with
 * the live read page by page), a second run must write nothing, and changes must arrive.
 */

const CONTACTS = Number(process.env.HEAVY_CONTACTS ?? 100_000);
const VENDORS = (process.env.HEAVY_VENDORS?.split(',') ?? SANDBOX_VENDORS) as SandboxVendor[];

/** Walks the live read page by page and compares each page with the stored rows; returns the count. */
async function compareModel(ctx: INestApplicationContext, db: TestDatabase, account: LinkedAccountRecord, model: ModelName): Promise<number> {
  const adapter = adapterFor(account.integration)!;
  const conn = ctx.get(VendorConnections).forAccount(account);
  const identities = ctx.get(IdentitiesService);
  let state: VendorPageState | null = null;
  let n = 0;
  do {
    const page = await adapter.list(conn, model, { pageSize: adapter.syncPageSize ?? 100, state, filters: {} });
    const keys: RemoteKey[] = [];
    for (const r of page.records) keys.push({ model: r.model, remoteId: r.remoteId }, ...refsOf(r));
    const ids = await identities.idsFor(account.id, keys);
    const live = page.records.map((r) => serializeRecord(r, { ids }, { includeRemoteData: true, includeRemoteFields: true }));
    const rows = await db.prisma.sql.query<{ id: string; data: unknown; remote_fields: unknown; remote_data: unknown; remote_was_deleted: boolean }>(
      `SELECT id::text AS id, data, remote_fields, remote_data, remote_was_deleted FROM crm_records WHERE linked_account_id = $1::uuid AND model = $2 AND id = ANY($3::uuid[])`,
      [account.id, model, live.map((r) => r.id)],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const rec of live) {
      const row = byId.get(rec.id as string);
      expect(row, `${model} ${String(rec.remote_id)} stored`).toBeDefined();
      expect(row!.data).toEqual(dataPart(rec));
      expect(row!.remote_fields).toEqual(rec.remote_fields);
      expect(row!.remote_data).toEqual(rec.remote_data);
      expect(row!.remote_was_deleted).toBe(false);
    }
    n += live.length;
    state = page.nextState;
  } while (state);
  const stored = await db.prisma.sql.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM crm_records WHERE linked_account_id = $1::uuid AND model = $2 AND NOT remote_was_deleted`,
    [account.id, model],
  );
  expect(Number(stored[0].n), `${model} count`).toBe(n);
  return n;
}

describe.each(VENDORS)(`sync of ${CONTACTS} contacts from the %s emulator`, (vendor) => {
  let db: TestDatabase;
  let emu: RunningEmulator;
  let ctx: INestApplicationContext;
  let account: LinkedAccountRecord;

  beforeAll(async () => {
    db = await createTestDatabase();
    emu = await startStandalone(createEmulator(vendor, { seed: 3, contacts: CONTACTS }));
    ctx = await startSyncContext(db.prisma, [emu]);
    account = await linkStandalone(ctx, vendor, emu.url);
  });
  afterAll(async () => {
    await ctx?.close();
    await emu?.close();
    await db?.close();
  });

  it('ends with counts and contents equal to the emulator; a second run writes nothing; changes arrive', async () => {
    const engine = ctx.get(SyncEngine);
    let t = Date.now();
    const first = await engine.syncAccount(account.id);
    for (const r of first) expect(r.outcome, `${r.model}: ${r.error}`).toBe('done');
    console.log(`${vendor}: full sync ${first.reduce((n, r) => n + r.seen, 0)} records in ${((Date.now() - t) / 1000).toFixed(1)} s: ${first.map((r) => `${r.model} ${r.seen}`).join(', ')}`);
    t = Date.now();
    const counts: string[] = [];
    for (const model of adapterFor(vendor)!.models) counts.push(`${model} ${await compareModel(ctx, db, account, model)}`);
    console.log(`${vendor}: stored equal to live for every record (${counts.join(', ')}) — compared in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    expect(first.find((r) => r.model === 'Contact')?.seen).toBe(CONTACTS);

    t = Date.now();
    const [again] = await engine.syncAccount(account.id, { models: ['Contact'], kind: 'full' });
    expect(again).toMatchObject({ outcome: 'done', seen: CONTACTS, written: 0 });
    const incremental = await engine.syncAccount(account.id);
    for (const r of incremental) expect(r, r.model).toMatchObject({ outcome: 'done', written: 0 });
    console.log(`${vendor}: second runs (full Contact + incremental all) wrote nothing, ${((Date.now() - t) / 1000).toFixed(1)} s`);

    const m = (await (
      await fetch(`${emu.url}/__sandbox/mutate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ object: emu.emulator.contactObject, create: 5, update: 10, delete: 3 }) })
    ).json()) as { created: string[]; updated: string[]; deleted: string[] };
    const [inc] = await engine.syncAccount(account.id, { models: ['Contact'] });
    expect(inc).toMatchObject({ outcome: 'done', added: m.created.length, changed: m.updated.length, deleted: m.deleted.length });
    console.log(`${vendor}: incremental after mutate: ${JSON.stringify(inc)}`);
  });
});
