import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyIdOf } from './encryption-key';
import { TokenVault } from './vault';

describe('TokenVault', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const vault = new TokenVault({ key: k1, keyId: keyIdOf(k1) });

  it('round-trips, with a fresh IV every time', () => {
    const a = vault.encrypt('secret-token', 'acct-1');
    const b = vault.encrypt('secret-token', 'acct-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('secret-token');
    expect(vault.decrypt(a, 'acct-1')).toBe('secret-token');
    expect(vault.keyIdOf(a)).toBe(keyIdOf(k1));
  });

  it('refuses a tampered value or another context', () => {
    const env = vault.encrypt('secret-token', 'acct-1');
    const parts = env.split('.');
    const ct = Buffer.from(parts[4], 'base64url');
    ct[0] ^= 1;
    parts[4] = ct.toString('base64url');
    expect(() => vault.decrypt(parts.join('.'), 'acct-1')).toThrow();
    expect(() => vault.decrypt(env, 'acct-2')).toThrow();
  });

  it('reads values of previous keys after rotation, and names a missing key', () => {
    const old = vault.encrypt('old-token', 'acct-1');
    const rotated = new TokenVault({ key: k2, keyId: keyIdOf(k2) }, [k1]);
    expect(rotated.decrypt(old, 'acct-1')).toBe('old-token');
    expect(rotated.keyIdOf(rotated.encrypt('x', 'c'))).toBe(keyIdOf(k2));
    const withoutOld = new TokenVault({ key: k2, keyId: keyIdOf(k2) });
    expect(() => withoutOld.decrypt(old, 'acct-1')).toThrow(/ENCRYPTION_PREVIOUS_KEYS/);
  });
});
