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

  it('maps UUIDs back only within the same account and model', async () => {
    const id = await ids.idFor(accountId, 'Contact', '42');
    expect(await ids.remoteIdFor(accountId, 'Contact', id)).toBe('42');
    expect(await ids.remoteIdFor(accountId, 'Account', id)).toBeNull();
    expect(await ids.remoteIdFor(otherAccountId, 'Contact', id)).toBeNull();
    expect(await ids.remoteIdsFor(accountId, 'Contact', [id, '00000000-0000-0000-0000-000000000000'])).toEqual(new Map([[id, '42']]));
  });
});
