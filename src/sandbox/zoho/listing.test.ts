import { describe, expect, it } from 'vitest';
import { cursorOf, takePage, walk, type Cursor, type SortBy, type SortOrder } from './listing';
import { Tenant, TENANTS } from './tenant';

function setup(): Tenant {
  const t = new Tenant(TENANTS[0], 3, 400);
  const s = t.modules.Contacts;
  let now = Date.UTC(2026, 0, 1);
  for (const p of [0, 3, 77, 150, 399]) s.update(p, { Title: `T${p}` }, 0, (now += 1000));
  for (let k = 0; k < 4; k++) s.create({ Last_Name: `New${k}`, Email: `new${k}@x.example` }, 0, (now += 1000));
  s.update(2, { Title: 'same time' }, 0, now); // same modifiedAt as the last creation: tie broken by position
  for (const p of [5, 77, 401]) s.remove(p, 0, (now += 1000));
  return t;
}

function brute(t: Tenant, sortBy: SortBy, order: SortOrder, since?: number): number[] {
  const c = t.modules.Contacts.coll;
  const items: { p: number; m: number }[] = [];
  for (let p = 0; p < c.size; p++) {
    const r = c.get(p);
    if (r && (since === undefined || r.modifiedAt > since)) items.push({ p, m: r.modifiedAt });
  }
  items.sort((a, b) => (sortBy === 'Modified_Time' ? a.m - b.m || a.p - b.p : a.p - b.p));
  if (order === 'desc') items.reverse();
  return items.map((i) => i.p);
}

describe('ordered walks over a module (O(page) listing)', () => {
  const t = setup();
  const store = t.modules.Contacts;
  const someSince = store.coll.peek(200)?.modifiedAt as number;
  const cases: [SortBy, SortOrder, number | undefined][] = [];
  for (const s of ['id', 'Created_Time', 'Modified_Time'] as SortBy[]) for (const o of ['asc', 'desc'] as SortOrder[]) for (const since of [undefined, someSince, Date.UTC(2026, 0, 1) + 2500]) cases.push([s, o, since]);

  it.each(cases)('sort_by=%s %s since=%s returns every live record exactly once, in order', (sortBy, order, since) => {
    const got = [...walk(store, { sortBy, order, since })].map((i) => i.position);
    expect(got).toEqual(brute(t, sortBy, order, since));
  });

  it.each(cases)('sort_by=%s %s since=%s resumes from cursors page by page without gaps or repeats', (sortBy, order, since) => {
    const all: number[] = [];
    let after: Cursor | undefined;
    for (let guard = 0; guard < 200; guard++) {
      const { page, more } = takePage(walk(store, { sortBy, order, since, after }), 0, 7);
      all.push(...page.map((i) => i.position));
      if (!more) break;
      after = cursorOf(page[page.length - 1], sortBy);
    }
    expect(all).toEqual(brute(t, sortBy, order, since));
  });

  it.each(cases)('sort_by=%s %s since=%s skips like an offset (page-number paging)', (sortBy, order, since) => {
    const full = brute(t, sortBy, order, since);
    for (const skip of [0, 1, 13, 200, full.length - 1, full.length + 5]) {
      const { page } = takePage(walk(store, { sortBy, order, since, skip }), 0, 9);
      expect(page.map((i) => i.position)).toEqual(full.slice(skip, skip + 9));
    }
  });

  it('skips with takePage for page-number paging', () => {
    const full = brute(t, 'id', 'asc');
    const { page, more } = takePage(walk(store, { sortBy: 'id', order: 'asc' }), 20, 10);
    expect(page.map((i) => i.position)).toEqual(full.slice(20, 30));
    expect(more).toBe(true);
  });
});
