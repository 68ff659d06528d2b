import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentitiesService, type RemoteKey } from '../crm/identities.service';
import { refsOf, remoteFieldsJson, serializeData, serializeRecord } from '../crm/serializer';
import { createTestDatabase, type TestDatabase } from '../database/testing';
import type { EventBus } from '../events/event-bus';
import type { RemoteRecord } from '../integrations/contract';
import { adapterFor } from '../integrations/registry';
import { VendorConnections } from '../linked-accounts/connections';
import type { LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import { startStandalone } from '../sandbox/common/standalone';
import { createEmulator, SANDBOX_VENDORS } from '../sandbox/registry';
import { StoreWriter } from './store-writer';
import { linkStandalone, startSyncContext } from './testing';

const noEvents = { publish: () => undefined } as unknown as EventBus;

const contact = (remoteId: string, name: string, updatedAt: string | null, deleted = false): RemoteRecord => ({
  model: 'Contact',
  remoteId,
  fields: { first_name: name, last_name: 'Writer', account: { model: 'Account', remoteId: 'acc-1' } },
  remoteCreatedAt: '2026-01-01T00:00:00.000Z',
  remoteUpdatedAt: updatedAt,
  remoteWasDeleted: deleted,
  remoteData: [{ path: '/contacts', data: { id: remoteId, name } }],
  remoteFields: [],
});

describe('StoreWriter', () => {
  let db: TestDatabase;
  let account: LinkedAccountRecord;

  beforeAll(async () => {
    db = await createTestDatabase();
    const org = await db.prisma.organization.create({ data: { name: 'o' } });
    account = (await db.prisma.linkedAccount.create({
      data: { organizationId: org.id, integration: 'hubspot', apiBaseUrl: 'http://x', authBaseUrl: 'http://x', accountTokenHash: 'h1' },
    })) as unknown as LinkedAccountRecord;
  });
  afterAll(async () => {
    await db?.close();
  });

  const stored = (remoteId: string) =>
    db.prisma.sql.query<{ id: string; data: { first_name: string }; remote_was_deleted: boolean; modified_at: Date | string }>(
      `SELECT id::text AS id, data, remote_was_deleted, modified_at FROM crm_records WHERE linked_account_id = $1::uuid AND model = 'Contact' AND remote_id = $2`,
      [account.id, remoteId],
    );

  it('stores each record once under its identity when writers race on the same new records', async () => {
    for (let round = 0; round < 10; round++) {
      const records = Array.from({ length: 3 }, (_, i) => contact(`race-${round}-${i}`, `R${round}`, '2026-01-02T00:00:00.000Z'));
      // Separate identity services: no shared in-memory cache, each goes to the database.
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, w) => new StoreWriter(db.prisma, new IdentitiesService(db.prisma), noEvents).writePage(account, 'Contact', w % 2 ? [...records].reverse() : records)),
      );
      expect(results.reduce((n, r) => n + r.added, 0)).toBe(records.length);
      const ids = await new IdentitiesService(db.prisma).idsFor(account.id, records.map((r) => ({ model: 'Contact' as const, remoteId: r.remoteId })));
      for (const r of records) {
        const rows = await stored(r.remoteId);
        expect(rows).toHaveLength(1);
        expect(rows[0].id).toBe(ids.of('Contact', r.remoteId));
      }
    }
  });

  it('reports added, changed, deleted and restored rows, and writes nothing for an unchanged copy', async () => {
    const writer = new StoreWriter(db.prisma, new IdentitiesService(db.prisma), noEvents);
    const t = (s: number) => new Date(Date.UTC(2026, 0, 3, 0, 0, s)).toISOString();
    expect(await writer.writePage(account, 'Contact', [contact('life-1', 'A', t(1))])).toEqual({ added: 1, changed: 0, deleted: 0, written: 1 });
    expect(await writer.writePage(account, 'Contact', [contact('life-1', 'A', t(1))])).toEqual({ added: 0, changed: 0, deleted: 0, written: 0 });
    expect(await writer.writePage(account, 'Contact', [contact('life-1', 'B', t(2))])).toEqual({ added: 0, changed: 1, deleted: 0, written: 1 });
    expect(await writer.writePage(account, 'Contact', [contact('life-1', 'B', t(3), true)])).toEqual({ added: 0, changed: 0, deleted: 1, written: 1 });
    // A restore keeping an older modification time than the deletion's still applies.
    expect(await writer.writePage(account, 'Contact', [contact('life-1', 'B', t(2))])).toEqual({ added: 0, changed: 1, deleted: 0, written: 1 });
    expect((await stored('life-1'))[0]).toMatchObject({ remote_was_deleted: false, data: { first_name: 'B' } });
  });

  it('keeps the newer stored copy: older incoming times are skipped, equal or missing ones overwrite', async () => {
    const writer = new StoreWriter(db.prisma, new IdentitiesService(db.prisma), noEvents);
    const t = (s: number) => new Date(Date.UTC(2026, 0, 4, 0, 0, s)).toISOString();
    await writer.writePage(account, 'Contact', [contact('newer-1', 'New', t(10))]);
    const before = (await stored('newer-1'))[0];
    expect(await writer.writePage(account, 'Contact', [contact('newer-1', 'Old', t(5))])).toMatchObject({ written: 0 });
    expect((await stored('newer-1'))[0]).toEqual(before);
    expect(await writer.writePage(account, 'Contact', [contact('newer-1', 'Same time', t(10))])).toMatchObject({ changed: 1 });
    expect(await writer.writePage(account, 'Contact', [contact('newer-1', 'No time', null)])).toMatchObject({ changed: 1 });
    expect((await stored('newer-1'))[0].data.first_name).toBe('No time');
  });
});

describe('the store writer serializes like the wire form', () => {
  // content_hash is a hash of this JSON: any drift would mark every stored row changed once.
  it.each(SANDBOX_VENDORS)('%s: data and remote_fields JSON equal the wire form minus the column keys', async (vendor) => {
    const db = await createTestDatabase();
    const emu = await startStandalone(createEmulator(vendor, { seed: 3, contacts: 30 }));
    const ctx = await startSyncContext(db.prisma, [emu]);
    try {
      const account = await linkStandalone(ctx, vendor, emu.url);
      const adapter = adapterFor(vendor)!;
      const conn = ctx.get(VendorConnections).forAccount(account);
      const identities = ctx.get(IdentitiesService);
      const columns = new Set(['id', 'remote_id', 'created_at', 'modified_at', 'remote_was_deleted', 'field_mappings', 'remote_data', 'remote_fields']);
      let compared = 0;
      for (const model of adapter.models) {
        const page = await adapter.list(conn, model, { pageSize: 20, state: null, filters: { includeDeleted: true } });
        const keys: RemoteKey[] = page.records.flatMap((r) => [{ model: r.model, remoteId: r.remoteId }, ...refsOf(r)]);
        const ids = await identities.idsFor(account.id, keys);
        for (const r of page.records) {
          const wire = serializeRecord(r, { ids }, { includeRemoteData: true, includeRemoteFields: true });
          const data = Object.fromEntries(Object.entries(wire).filter(([k]) => !columns.has(k)));
          expect(JSON.stringify(serializeData(r, { ids })), `${model} ${r.remoteId}`).toBe(JSON.stringify(data));
          expect(remoteFieldsJson(r.remoteFields), `${model} ${r.remoteId}`).toBe(JSON.stringify(wire.remote_fields));
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(50);
    } finally {
      await ctx.close();
      await emu.close();
      await db.close();
    }
  }, 120_000);
});
