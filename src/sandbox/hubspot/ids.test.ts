import { describe, expect, it } from 'vitest';
import { decodeAfter, encodeAfter, encodeAfterBase64, idOf, ownerIdOf, ownerIndexOf, positionOf } from './ids';
import { isoTime } from './time';

describe('ids and paging cursors', () => {
  it('maps positions to fixed-width, order-preserving ids per object', () => {
    expect(idOf('contacts', 0)).toHaveLength(12);
    expect(positionOf('contacts', idOf('contacts', 123_456))).toBe(123_456);
    expect(idOf('contacts', 9) < idOf('contacts', 10)).toBe(true);
    expect(positionOf('companies', idOf('contacts', 5))).toBe(-1);
    expect(positionOf('contacts', '12')).toBe(-1);
    expect(positionOf('contacts', 'abc')).toBe(-1);
    expect(ownerIndexOf(ownerIdOf(7))).toBe(7);
  });

  it('round-trips list cursors and accepts raw ids; rejects garbage', () => {
    for (const p of [0, 1, 99, 1_000_000]) expect(decodeAfter('contacts', encodeAfter('contacts', p))).toBe(p);
    for (const p of [0, 1, 99, 1_000_000]) expect(decodeAfter('contacts', encodeAfterBase64(p))).toBe(p);
    expect(decodeAfter('contacts', `${encodeAfterBase64(525)}==`)).toBe(525);
    expect(decodeAfter('contacts', 'NTI1Cg==')).toBe(525);
    expect(decodeAfter('contacts', idOf('contacts', 42))).toBe(42);
    expect(decodeAfter('contacts', '!!!')).toBeUndefined();
    expect(decodeAfter('contacts', Buffer.from('x1').toString('base64url'))).toBeUndefined();
  });
});

describe('isoTime', () => {
  it('matches Date#toISOString', () => {
    for (let i = 0; i < 5000; i++) {
      const ms = Date.UTC(1999, 0, 1) + Math.floor(i * 7_919_311.7);
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
    expect(isoTime(0)).toBe('1970-01-01T00:00:00.000Z');
  });
});
