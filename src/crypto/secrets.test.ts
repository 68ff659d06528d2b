import { describe, expect, it } from 'vitest';
import { constantTimeEqual, generateSecret, sha256Hex } from './secrets';

describe('secrets', () => {
  it('generates prefixed, URL-safe, unique secrets', () => {
    const a = generateSecret('sbk_');
    const b = generateSecret('sbk_');
    expect(a).toMatch(/^sbk_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });
  it('hashes deterministically', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('compares in constant time', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
