import { describe, expect, it } from 'vitest';
import { VirtualCollection } from './collection';

interface Rec {
  id: number;
  name: string;
  modifiedAt: number;
}

function make(baseCount: number) {
  return new VirtualCollection<Rec>({
    baseCount,
    generate: (p) => ({ id: p, name: `r${p}`, modifiedAt: 1000 + p * 10 }),
    modifiedAt: (r) => r.modifiedAt,
  });
}

describe('VirtualCollection', () => {
  it('serves generated records and overlays changes', () => {
    const c = make(100);
    expect(c.get(5)).toEqual({ id: 5, name: 'r5', modifiedAt: 1050 });
    c.update(5, { id: 5, name: 'changed', modifiedAt: 99_999 });
    expect(c.get(5)?.name).toBe('changed');
    const created = c.create((p) => ({ id: p, name: 'new', modifiedAt: 100_000 }));
    expect(created.position).toBe(100);
    expect(c.size).toBe(101);
    expect(c.get(100)?.name).toBe('new');
    expect(c.get(101)).toBeUndefined();
  });

  it('hides deleted records but remembers them', () => {
    const c = make(10);
    c.remove(3, 5000);
    expect(c.get(3)).toBeUndefined();
    expect(c.getDeleted(3)?.record.name).toBe('r3');
    expect(c.liveCount).toBe(9);
    expect([...c.scan()].map((r) => r.position)).not.toContain(3);
    expect([...c.scan(0, true)].find((r) => r.position === 3)?.deleted).toBe(true);
    expect(c.deletedBetween(4000, 6000).map((e) => e.position)).toEqual([3]);
    expect(c.deletedBetween(6000, 7000)).toEqual([]);
    expect(c.restore(3)).toBe(true);
    expect(c.get(3)?.name).toBe('r3');
  });

  it('lists modified-since in (modifiedAt, position) order, each record once', () => {
    const c = make(1000);
    c.update(10, { id: 10, name: 'x', modifiedAt: 5_555 });
    c.update(10, { id: 10, name: 'y', modifiedAt: 9_995 });
    c.create((p) => ({ id: p, name: 'n', modifiedAt: 20_000 }));
    c.remove(990);
    const rows = [...c.modifiedSince(9_950)];
    const ids = rows.map((r) => r.position);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(10);
    expect(ids).not.toContain(990);
    expect(ids[ids.length - 1]).toBe(1000);
    const times = rows.map((r) => r.record.modifiedAt);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // Exactly the records with modifiedAt > 9950.
    const expected = [...c.scan()].filter((r) => r.record.modifiedAt > 9_950).length;
    expect(rows.length).toBe(expected);
  });
});
