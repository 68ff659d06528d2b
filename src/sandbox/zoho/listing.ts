import type { ZRecord } from './modules';
import type { ModuleStore } from './tenant';

/**
 * Ordered, filtered walks over one module's records that cost O(page) (plus the number of
 * records changed since seeding), never O(dataset):
 *  - id / Created_Time order is position order (ids are fixed-width positions; created records get
 *    new, higher positions and later Created_Time);
 *  - Modified_Time order is (modifiedAt, position): base records' modifiedAt never decreases with the
 *    position, and changed records are few.
 * "If-Modified-Since" keeps base positions >= the first base position modified after it, plus changed
 * records, so it is a binary search too.
 */

export type SortBy = 'id' | 'Created_Time' | 'Modified_Time';
export type SortOrder = 'asc' | 'desc';

export interface Cursor {
  /** Position of the last record returned. */
  p: number;
  /** Its modifiedAt (Modified_Time order only). */
  m?: number;
}

export interface WalkOptions {
  sortBy: SortBy;
  order: SortOrder;
  /** Only records with modifiedAt > since (If-Modified-Since), epoch ms. */
  since?: number;
  /** Resume strictly after this record. */
  after?: Cursor;
  /** Extra record filter (e.g. Leads' converted=false). */
  filter?: (r: ZRecord) => boolean;
  /** Records to skip first (page-number paging); id order skips without generating records. */
  skip?: number;
}

export interface Item {
  position: number;
  /** The record (generated on first access for plain id-order walks). */
  readonly record: ZRecord;
}

/** An item whose record is generated only when read (render-cache hits never read it). */
class LazyItem implements Item {
  private r: ZRecord | undefined;
  constructor(
    readonly position: number,
    private readonly store: ModuleStore,
  ) {}
  get record(): ZRecord {
    if (this.r === undefined) this.r = this.store.coll.peek(this.position) as ZRecord;
    return this.r;
  }
}

/** First base position whose modifiedAt > since. */
function firstBaseAfter(store: ModuleStore, since: number): number {
  let lo = 0;
  let hi = store.baseCount;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (store.generateBase(mid).modifiedAt > since) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Last base position p with (modifiedAt(p), p) < (m, q), or -1. */
function lastBaseBefore(store: ModuleStore, m: number, q: number): number {
  let lo = 0;
  let hi = store.baseCount; // answer = lo - 1 where lo is the first position NOT before the key
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const mm = store.generateBase(mid).modifiedAt;
    if (mm < m || (mm === m && mid < q)) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function* idOrder(store: ModuleStore, o: WalkOptions): Generator<Item> {
  const coll = store.coll;
  const size = coll.size;
  const since = o.since;
  const lo = since === undefined ? 0 : firstBaseAfter(store, since);
  const touched = store.sortedTouched();
  let skip = o.skip ?? 0;
  const accept = (p: number): Item | undefined => {
    if (coll.isDeleted(p)) return undefined;
    // Untouched base positions in the walked ranges always pass the `since` bound: skipping or
    // returning them needs no record yet.
    if (!o.filter && !store.touched.has(p)) {
      if (skip > 0) {
        skip--;
        return undefined;
      }
      return p < size ? new LazyItem(p, store) : undefined;
    }
    const r = coll.peek(p);
    if (r === undefined) return undefined;
    if (since !== undefined && store.touched.has(p) && !(r.modifiedAt > since)) return undefined;
    if (o.filter && !o.filter(r)) return undefined;
    if (skip > 0) {
      skip--;
      return undefined;
    }
    return { position: p, record: r };
  };
  if (o.order === 'asc') {
    const start = o.after ? o.after.p + 1 : 0;
    // touched positions below lo (they may be modified after `since`), then the range [max(start, lo), size)
    for (const p of touched) {
      if (p >= lo) break;
      if (p < start) continue;
      const it = accept(p);
      if (it) yield it;
    }
    for (let p = Math.max(start, lo); p < size; p++) {
      const it = accept(p);
      if (it) yield it;
    }
  } else {
    const start = o.after ? o.after.p - 1 : size - 1;
    for (let p = start; p >= lo; p--) {
      const it = accept(p);
      if (it) yield it;
    }
    for (let i = touched.length - 1; i >= 0; i--) {
      const p = touched[i];
      if (p >= lo || p > start) continue;
      const it = accept(p);
      if (it) yield it;
    }
  }
}

function* modifiedAsc(store: ModuleStore, o: WalkOptions): Generator<Item> {
  const coll = store.coll;
  const after = o.after;
  const since = o.since ?? -Infinity;
  const from = after?.m !== undefined ? Math.max(after.m, since) : since;
  const inclusive = after?.m !== undefined && after.m >= since;
  for (const it of coll.modifiedSince(from, inclusive)) {
    if (after?.m !== undefined && it.record.modifiedAt === after.m && it.position <= after.p) continue;
    if (!(it.record.modifiedAt > since)) continue;
    if (o.filter && !o.filter(it.record)) continue;
    yield { position: it.position, record: it.record };
  }
}

function* modifiedDesc(store: ModuleStore, o: WalkOptions): Generator<Item> {
  const coll = store.coll;
  const since = o.since ?? -Infinity;
  const after = o.after?.m !== undefined ? (o.after as Required<Cursor>) : undefined;
  const before = (m: number, p: number) => !after || m < after.m || (m === after.m && p < after.p);
  const changed: Item[] = [];
  for (const p of store.touched) {
    if (coll.isDeleted(p)) continue;
    const r = coll.peek(p) as ZRecord;
    if (r.modifiedAt > since && before(r.modifiedAt, p)) changed.push({ position: p, record: r });
  }
  changed.sort((a, b) => b.record.modifiedAt - a.record.modifiedAt || b.position - a.position);
  let ci = 0;
  const top = after ? lastBaseBefore(store, after.m, after.p) : store.baseCount - 1;
  for (let p = top; p >= 0; p--) {
    if (store.touched.has(p) || coll.isDeleted(p)) continue;
    const r = store.generateBase(p);
    if (!(r.modifiedAt > since)) break;
    while (ci < changed.length && (changed[ci].record.modifiedAt > r.modifiedAt || (changed[ci].record.modifiedAt === r.modifiedAt && changed[ci].position > p))) {
      const c = changed[ci++];
      if (!o.filter || o.filter(c.record)) yield c;
    }
    if (!o.filter || o.filter(r)) yield { position: p, record: r };
  }
  for (; ci < changed.length; ci++) if (!o.filter || o.filter(changed[ci].record)) yield changed[ci];
}

function* skipping(items: Generator<Item>, skip: number): Generator<Item> {
  for (const it of items) {
    if (skip > 0) {
      skip--;
      continue;
    }
    yield it;
  }
}

export function walk(store: ModuleStore, o: WalkOptions): Generator<Item> {
  if (o.sortBy === 'Modified_Time') {
    const items = o.order === 'asc' ? modifiedAsc(store, o) : modifiedDesc(store, o);
    return o.skip ? skipping(items, o.skip) : items;
  }
  return idOrder(store, o);
}

export function cursorOf(item: Item, sortBy: SortBy): Cursor {
  return sortBy === 'Modified_Time' ? { p: item.position, m: item.record.modifiedAt } : { p: item.position };
}

/** Takes up to `limit` items after skipping `skip`, and tells whether more follow. */
export function takePage(items: Iterator<Item>, skip: number, limit: number): { page: Item[]; more: boolean } {
  for (let i = 0; i < skip; i++) if (items.next().done) return { page: [], more: false };
  const page: Item[] = [];
  while (page.length < limit) {
    const n = items.next();
    if (n.done) return { page, more: false };
    page.push(n.value);
  }
  return { page, more: !items.next().done };
}
