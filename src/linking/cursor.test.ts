import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error';
import { KeysetCursor, keysetPage } from './cursor';

describe('KeysetCursor', () => {
  const cursors = new KeysetCursor(randomBytes(32));
  it('round-trips and is URL-safe', () => {
    const c = cursors.encode('s', { t: new Date(0).toISOString(), i: 'abc', d: 'n' });
    expect(c).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(cursors.decode('s', c)).toEqual({ t: new Date(0).toISOString(), i: 'abc', d: 'n' });
  });
  it('rejects tampered, foreign-scope and garbage cursors with a 400 naming the parameter', () => {
    const c = cursors.encode('s', { t: new Date(0).toISOString(), i: 'abc', d: 'n' });
    const [payload, sig] = c.split('.');
    const forged = Buffer.from(JSON.stringify({ t: new Date(0).toISOString(), i: 'zzz', d: 'n' })).toString('base64url');
    for (const bad of [`${forged}.${sig}`, `${payload}.x${sig!.slice(1)}`, 'garbage', `${c}.x`]) {
      try {
        cursors.decode('s', bad);
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(ApiError);
        expect((e as ApiError).errors[0]!.source!.pointer).toBe('/query/cursor');
      }
    }
    expect(() => cursors.decode('other-scope', c)).toThrow(ApiError);
  });
  it('walks every row once forwards and back', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => ({ id: `id-${i}`, createdAt: new Date(i) }));
    const fetch = async (where: any, order: 'asc' | 'desc', take: number) => {
      let r = rows.filter((x) => (!where.id ? true : where.id.gt !== undefined ? x.id > where.id.gt : x.id < where.id.lt));
      if (order === 'desc') r = [...r].reverse();
      return r.slice(0, take);
    };
    const seen: string[] = [];
    let cursor: string | undefined;
    let last;
    do {
      last = await keysetPage(cursors, 'x', cursor, 3, fetch);
      seen.push(...last.rows.map((r) => r.id));
      cursor = last.next ?? undefined;
    } while (cursor);
    expect(seen).toEqual(rows.map((r) => r.id));
    const back = await keysetPage(cursors, 'x', last.previous!, 3, fetch);
    expect(back.rows.map((r) => r.id)).toEqual(['id-3', 'id-4', 'id-5']);
  });
});
