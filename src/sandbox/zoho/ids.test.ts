import { describe, expect, it } from 'vitest';
import { decodeId, encodeId, ID_LENGTH, MAX_POSITION, OBJECT_CODES } from './ids';

describe('Zoho ids', () => {
  it('are 19-digit strings that round-trip to positions', () => {
    for (const p of [0, 1, 9, 10, 999, 123_456, MAX_POSITION]) {
      const id = encodeId('3652397', OBJECT_CODES.Contacts, p);
      expect(id).toMatch(/^\d{19}$/);
      expect(id).toHaveLength(ID_LENGTH);
      expect(decodeId(id, '3652397', OBJECT_CODES.Contacts)).toBe(p);
    }
  });

  it('preserve order: lexical order = numeric order = position order', () => {
    const positions = [0, 5, 9, 10, 11, 99, 100, 2_000, 10_000, 999_999, 1_000_000, MAX_POSITION];
    const ids = positions.map((p) => encodeId('3652397', OBJECT_CODES.Deals, p));
    expect([...ids].sort()).toEqual(ids);
    expect([...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))).toEqual(ids);
    // and stay below 2^63 for the SDK's BigInt / Java long
    expect(BigInt(ids[ids.length - 1]) < 2n ** 63n).toBe(true);
  });

  it('reject other tenants, other objects and malformed ids', () => {
    const id = encodeId('3652397', OBJECT_CODES.Contacts, 42);
    expect(decodeId(id, '3652398', OBJECT_CODES.Contacts)).toBe(-1);
    expect(decodeId(id, '3652397', OBJECT_CODES.Accounts)).toBe(-1);
    expect(decodeId(id.slice(1), '3652397', OBJECT_CODES.Contacts)).toBe(-1);
    expect(decodeId(`${id.slice(0, -1)}x`, '3652397', OBJECT_CODES.Contacts)).toBe(-1);
    expect(decodeId(42, '3652397', OBJECT_CODES.Contacts)).toBe(-1);
    expect(() => encodeId('3652397', 3, -1)).toThrow();
    expect(() => encodeId('3652397', 3, MAX_POSITION + 1)).toThrow();
  });
});
