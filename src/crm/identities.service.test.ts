import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../database/testing';
import { IdentitiesService } from './identities.service';

describe('IdentitiesService', () => {
  let db: TestDatabase;
  let ids: IdentitiesService;
  let accountId: string;
  let otherAccountId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    ids = new IdentitiesService(db.prisma);
    const org = await db.prisma.organization.create({ data: { name: 'o' } });
    const mk = (h: string) =>
      db.prisma.linkedAccount.create({ data: { organizationId: org.id, integration: 'hubspot', apiBaseUrl: 'http://x', authBaseUrl: 'http://x', accountTokenHash: h } });
    accountId = (await mk('h1')).id;
    otherAccountId = (await mk('h2')).id;
  });
  afterAll(async () => {
    await db?.close();
  });

  it('gives each (account, model, remote id) one UUID forever, in bulk', async () => {
    const first = await ids.idsFor(accountId, [
      { model: 'Contact', remoteId: '1' },
      { model: 'Contact', remoteId: '2' },
      { model: 'Account', remoteId: '1' },
      { model: 'Contact', remoteId: '1' },
    ]);
    expect(first.size).toBe(3);
    const again = await ids.idsFor(accountId, [{ model: 'Contact', remoteId: '1' }, { model: 'Contact', remoteId: '3' }]);
    expect(again.get(IdentitiesService.key('Contact', '1'))).toBe(first.get(IdentitiesService.key('Contact', '1')));
    expect(new Set([...first.values(), ...again.values()]).size).toBe(4);
    const other = await ids.idFor(otherAccountId, 'Contact', '1');
    expect(other).not.toBe(first.get(IdentitiesService.key('Contact', '1')));
  });

  it('answers every id when concurrent requests create the same ones (PostgreSQL snapshot race)', async () => {
    for (let round = 0; round < 30; round++) {
      const keys = Array.from({ length: 3 }, (_, i) => ({ model: 'Contact' as const, remoteId: `race-${round}-${i}` }));
      // Separate services: no shared in-memory cache, each goes to the database.
      const results = await Promise.all(Array.from({ length: 12 }, () => new IdentitiesService(db.prisma).idsFor(accountId, keys)));
      for (const r of results) expect(r.size).toBe(keys.length);
      expect(new Set(results.flatMap((r) => [...r.values()])).size).toBe(keys.length);
    }
  });

  it('answers the same ids from a cold cache (read from the store) as from a warm one, creating only the new ones', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => ({ model: (i % 2 ? 'Contact' : 'Account') as 'Contact' | 'Account', remoteId: `cw-${i}` }));
    const warm = await ids.idsFor(accountId, keys);
    const again = await ids.idsFor(accountId, keys);
    expect(again).toEqual(warm);
    const cold = new IdentitiesService(db.prisma);
    const fresh = [...keys, { model: 'Contact' as const, remoteId: 'cw-new' }];
    const coldIds = await cold.idsFor(accountId, fresh);
    for (const k of keys) expect(coldIds.get(IdentitiesService.key(k.model, k.remoteId))).toBe(warm.get(IdentitiesService.key(k.model, k.remoteId)));
    expect(await ids.idFor(accountId, 'Contact', 'cw-new')).toBe(coldIds.get(IdentitiesService.key('Contact', 'cw-new')));
    const stored = await db.prisma.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM remote_identities WHERE linked_account_id = $1::uuid AND remote_id LIKE 'cw-%'`,
      [accountId],
    );
    expect(stored[0].n).toBe(fresh.length);
  });

  it('gives one id when concurrent requests mix known and new remote ids', async () => {
    for (let round = 0; round < 20; round++) {
      const known = await ids.idFor(accountId, 'Contact', `mix-${round}-known`);
      const keys = [{ model: 'Contact' as const, remoteId: `mix-${round}-known` }, ...Array.from({ length: 3 }, (_, i) => ({ model: 'Contact' as const, remoteId: `mix-${round}-${i}` }))];
      const results = await Promise.all(Array.from({ length: 8 }, () => new IdentitiesService(db.prisma).idsFor(accountId, keys)));
      for (const r of results) {
        expect(r.size).toBe(keys.length);
        expect(r.get(IdentitiesService.key('Contact', `mix-${round}-known`))).toBe(known);
      }
      expect(new Set(results.flatMap((r) => [...r.values()])).size).toBe(keys.length);
    }
  });

  it('remembers committed ids only of models other records refer to', () => {
    const cache = new IdentitiesService(db.prisma);
    cache.remember(accountId, 'Contact', new Map([['rem-1', '11111111-1111-4111-8111-111111111111']]));
    cache.remember(accountId, 'Note', new Map([['rem-1', '22222222-2222-4222-8222-222222222222']]));
    expect(cache.cached(accountId, 'Contact', 'rem-1')).toBe('11111111-1111-4111-8111-111111111111');
    expect(cache.cached(accountId, 'Note', 'rem-1')).toBeUndefined();
  });

  it('maps UUIDs back only within the same account and model', async () => {
    const id = await ids.idFor(accountId, 'Contact', '42');
    expect(await ids.remoteIdFor(accountId, 'Contact', id)).toBe('42');
    expect(await ids.remoteIdFor(accountId, 'Account', id)).toBeNull();
    expect(await ids.remoteIdFor(otherAccountId, 'Contact', id)).toBeNull();
    expect(await ids.remoteIdsFor(accountId, 'Contact', [id, '00000000-0000-0000-0000-000000000000'])).toEqual(new Map([[id, '42']]));
  });
});
