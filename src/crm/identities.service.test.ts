import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../database/testing';
import { IDENTITY_CACHE_ENTRIES, IdentitiesService, IdentityCache, packUuid, unpackUuid } from './identities.service';

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
    expect(again.of('Contact', '1')).toBe(first.of('Contact', '1'));
    expect(new Set([...first.values(), ...again.values()]).size).toBe(4);
    const other = await ids.idFor(otherAccountId, 'Contact', '1');
    expect(other).not.toBe(first.of('Contact', '1'));
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
    for (const k of keys) expect(coldIds.of(k.model, k.remoteId)).toBe(warm.of(k.model, k.remoteId));
    expect(await ids.idFor(accountId, 'Contact', 'cw-new')).toBe(coldIds.of('Contact', 'cw-new'));
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
        expect(r.of('Contact', `mix-${round}-known`)).toBe(known);
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

  it('keeps referenced ids of a whole 100,000-contact HubSpot account (150,050) in the cache', () => {
    expect(IDENTITY_CACHE_ENTRIES).toBeGreaterThanOrEqual(150_050);
  });
});

describe('IdentityCache', () => {
  const uuid = (n: number) => `${n.toString(16).padStart(8, '0')}-0000-4000-8000-${(n * 7919).toString(16).padStart(12, '0')}`;

  it('packs canonical UUIDs into 16 characters and gives back the same text; other ids stay as they are', () => {
    for (const id of ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', uuid(123456)]) {
      const packed = packUuid(id) as string;
      expect(packed).toHaveLength(16);
      expect(unpackUuid(packed)).toBe(id);
    }
    // Upper case and other forms are not what PostgreSQL answers: kept verbatim, never rewritten.
    expect(packUuid('0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D')).toBe('0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D');
    expect(unpackUuid('not-a-uuid')).toBe('not-a-uuid');
    // A 16-character non-UUID would read back as a packed one: not cached at all.
    expect(packUuid('0123456789abcdef')).toBeUndefined();
    const cache = new IdentityCache(10);
    cache.set('a', 'Contact', 'x', '0123456789abcdef');
    cache.set('a', 'Contact', 'y', 'ID-FROM-ELSEWHERE');
    expect(cache.get('a', 'Contact', 'x')).toBeUndefined();
    expect(cache.get('a', 'Contact', 'y')).toBe('ID-FROM-ELSEWHERE');
    expect(cache.size).toBe(1);
  });

  it('keeps accounts and models apart, and a mapping once made', () => {
    const cache = new IdentityCache(100);
    cache.set('a1', 'Contact', '1', uuid(1));
    cache.set('a1', 'Account', '1', uuid(2));
    cache.set('a2', 'Contact', '1', uuid(3));
    cache.set('a1', 'Contact', '1', uuid(1));
    expect(cache.size).toBe(3);
    expect(cache.get('a1', 'Contact', '1')).toBe(uuid(1));
    expect(cache.get('a1', 'Account', '1')).toBe(uuid(2));
    expect(cache.get('a2', 'Contact', '1')).toBe(uuid(3));
    expect(cache.get('a2', 'Account', '1')).toBeUndefined();
    expect(cache.get('a3', 'Contact', '1')).toBeUndefined();
  });

  it('evicts the oldest insertions first over one budget across accounts and models', () => {
    const cache = new IdentityCache(5);
    cache.set('a1', 'Contact', 'c1', uuid(1));
    cache.set('a1', 'Contact', 'c2', uuid(2));
    cache.set('a2', 'Account', 'x1', uuid(3));
    cache.set('a1', 'Contact', 'c3', uuid(4));
    cache.set('a1', 'User', 'u1', uuid(5));
    expect(cache.size).toBe(5);
    cache.set('a1', 'Contact', 'c4', uuid(6)); // evicts a1 Contact c1
    expect(cache.get('a1', 'Contact', 'c1')).toBeUndefined();
    expect(cache.get('a1', 'Contact', 'c2')).toBe(uuid(2));
    cache.set('a3', 'Contact', 'c1', uuid(7)); // evicts a1 Contact c2
    cache.set('a3', 'Contact', 'c2', uuid(8)); // evicts a2 Account x1: a2 has nothing left
    expect(cache.size).toBe(5);
    expect(cache.get('a1', 'Contact', 'c2')).toBeUndefined();
    expect(cache.get('a2', 'Account', 'x1')).toBeUndefined();
    expect([cache.get('a1', 'Contact', 'c3'), cache.get('a1', 'User', 'u1'), cache.get('a1', 'Contact', 'c4')]).toEqual([uuid(4), uuid(5), uuid(6)]);
    expect([cache.get('a3', 'Contact', 'c1'), cache.get('a3', 'Contact', 'c2')]).toEqual([uuid(7), uuid(8)]);
    // An emptied account can be cached again.
    cache.set('a2', 'Account', 'x1', uuid(9));
    expect(cache.get('a2', 'Account', 'x1')).toBe(uuid(9));
    expect(cache.size).toBe(5);
  });

  it('stays at its budget over many evictions (runs of pages per model, as a sync adds them)', () => {
    const budget = 3_000;
    const cache = new IdentityCache(budget);
    let n = 0;
    for (let page = 0; page < 40; page++) {
      const model = page % 3 ? 'Contact' : 'Account';
      for (let i = 0; i < 250; i++, n++) cache.set(`acct-${page % 2}`, model, `r${n}`, uuid(n));
      expect(cache.size).toBe(Math.min(n, budget));
    }
    // Exactly the newest `budget` insertions remain.
    for (let i = 0; i < n; i++) {
      const page = Math.floor(i / 250);
      const got = cache.get(`acct-${page % 2}`, page % 3 ? 'Contact' : 'Account', `r${i}`);
      expect(got).toBe(i >= n - budget ? uuid(i) : undefined);
    }
  });
});
