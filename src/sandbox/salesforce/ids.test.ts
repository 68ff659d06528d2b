import { describe, expect, it } from 'vitest';
import { base62, checksumSuffix, decodeBase62, decodeId, encodeId, normalizeId, segmentHead, to18 } from './ids';

describe('Salesforce ids', () => {
  it('computes the 18-character checksum suffix like Salesforce', () => {
    // Known pairs from Salesforce documentation and orgs.
    expect(to18('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
    expect(checksumSuffix('003000000000000')).toBe('AAA');
    expect(normalizeId('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
    expect(normalizeId('001A0000006Vm9riac')).toBe('001A0000006Vm9rIAC');
    expect(normalizeId('001A0000006Vm9rXXX')).toBeNull();
    expect(normalizeId('not-an-id')).toBeNull();
    expect(normalizeId('001A0000006Vm9')).toBeNull();
  });

  it('encodes positions so that string order is position order', () => {
    const head = segmentHead('003', '5g', 0);
    const positions = [0, 1, 9, 10, 35, 36, 61, 62, 63, 3843, 3844, 99_999, 1_000_000, 62 ** 5, 62 ** 8 + 17];
    const ids = positions.map((p) => encodeId(head, p));
    expect([...ids].sort()).toEqual(ids);
    for (const [i, p] of positions.entries()) {
      expect(ids[i]).toHaveLength(18);
      expect(ids[i]).toBe(to18(head + base62(p)));
      expect(decodeId(ids[i])).toEqual({ head, position: p });
    }
  });

  it('orders segments after one another and round-trips base62', () => {
    expect(encodeId(segmentHead('00T', '5g', 0), 5_000_000) < encodeId(segmentHead('00T', '5g', 1), 0)).toBe(true);
    for (const n of [0, 61, 62, 123_456_789]) expect(decodeBase62(base62(n))).toBe(n);
    expect(() => base62(-1)).toThrow(RangeError);
  });
});
