import { describe, expect, it } from 'vitest';
import type { LinkedAccount } from '../generated/prisma/client';
import { LinkedAccountCache } from './account-cache';

const account = (id: string) => ({ id, organizationId: 'org' }) as LinkedAccount;
const token = (accessToken: string) => ({ accessToken, expiresAt: null, hasRefreshToken: true, version: 1 });

describe('LinkedAccountCache', () => {
  it('invalidate drops the account under every token digest it was cached by, and its token', () => {
    const c = new LinkedAccountCache();
    c.setAccount('old-hash', account('a'), c.epoch());
    c.setAccount('new-hash', account('a'), c.epoch());
    c.setAccount('other-hash', account('b'), c.epoch());
    c.setToken('a', token('tok-a'), c.epoch());
    c.setToken('b', token('tok-b'), c.epoch());
    c.invalidate('a');
    expect(c.account('old-hash')).toBeUndefined();
    expect(c.account('new-hash')).toBeUndefined();
    expect(c.token('a')).toBeUndefined();
    // Other accounts are untouched.
    expect(c.account('other-hash')?.id).toBe('b');
    expect(c.token('b')?.accessToken).toBe('tok-b');
  });

  it('a read that began before an invalidation does not store its answer', () => {
    const c = new LinkedAccountCache();
    const before = c.epoch();
    c.invalidate('a'); // e.g. the account is deleted while a request was reading it
    c.setAccount('hash', account('a'), before);
    c.setToken('a', token('stale'), before);
    expect(c.account('hash')).toBeUndefined();
    expect(c.token('a')).toBeUndefined();
    const after = c.epoch();
    c.setToken('a', token('fresh'), after);
    expect(c.token('a')?.accessToken).toBe('fresh');
  });

  it('entries expire after the TTL (staleness bound across processes)', () => {
    let now = 1_000;
    const c = new LinkedAccountCache({ ttlMs: 3_000, now: () => now });
    c.setAccount('hash', account('a'), c.epoch());
    c.setToken('a', token('t'), c.epoch());
    now += 2_999;
    expect(c.account('hash')?.id).toBe('a');
    expect(c.token('a')?.accessToken).toBe('t');
    now += 2;
    expect(c.account('hash')).toBeUndefined();
    expect(c.token('a')).toBeUndefined();
  });

  it('clear forgets everything and fences reads in flight', () => {
    const c = new LinkedAccountCache();
    const e = c.epoch();
    c.setAccount('hash', account('a'), e);
    c.clear();
    expect(c.account('hash')).toBeUndefined();
    c.setAccount('hash', account('a'), e);
    expect(c.account('hash')).toBeUndefined();
  });
});
