import { describe, expect, it } from 'vitest';
import { deriveCounts, SeedDataset } from './seed';

describe('SeedDataset', () => {
  const ds = new SeedDataset({ seed: 42, contacts: 10_000 });

  it('derives related volumes from the contact count', () => {
    expect(deriveCounts(10_000)).toMatchObject({ contacts: 10_000, accounts: 2_500, deals: 2_500, users: 5 });
    expect(deriveCounts(0).accounts).toBe(0);
  });

  it('generates the same record for the same index and seed', () => {
    expect(ds.contact(1234)).toEqual(ds.contact(1234));
    expect(new SeedDataset({ seed: 43, contacts: 10_000 }).contact(1234)).not.toEqual(ds.contact(1234));
  });

  it('keeps relations inside the generated ranges', () => {
    for (let i = 0; i < 2000; i++) {
      const c = ds.contact(i);
      expect(c.accountIndex).toBeLessThan(ds.counts.accounts);
      expect(c.ownerIndex).toBeLessThan(ds.counts.users);
      const d = ds.deal(i);
      expect(d.stageIndex).toBeLessThan(ds.stages.length);
      expect(d.contactIndex).toBeLessThan(ds.counts.contacts);
    }
  });

  it('has modifiedAt non-decreasing in the index (binary-searchable)', () => {
    let prev = 0;
    for (let i = 0; i < ds.counts.contacts; i += 7) {
      const m = ds.contact(i).modifiedAt;
      expect(m).toBeGreaterThanOrEqual(prev);
      expect(m).toBeGreaterThanOrEqual(ds.contact(i).createdAt);
      prev = m;
    }
  });

  it('generates a million contacts without keeping them', () => {
    const big = new SeedDataset({ seed: 1, contacts: 1_000_000 });
    const started = Date.now();
    let emails = 0;
    for (let i = 0; i < 1_000_000; i += 1000) emails += big.contact(i).email.length > 0 ? 1 : 0;
    expect(emails).toBe(1000);
    expect(big.contact(999_999).accountIndex).toBeLessThan(big.counts.accounts);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
