import type { HubRecord } from './records';
import { canonicalProperty, OBJECTS, type ObjectDef, type ObjectName, type PropertyType } from './schema';
import type { PortalData } from './store';

/**
 * `POST /crm/v3/objects/{type}/search`: filterGroups (OR of ANDed filters), sorts, offset paging
 * (`after` is the offset as a string) capped at 10,000 results, `total`.
 *
 * Cost: a search with no filters (or filters only on hs_object_id) in id order, and a search
 * filtered only on the modified timestamp sorted by it ascending, read O(page) records (the
 * latter binary-searches the seeded base); anything else scans the object once and caches the
 * sorted matches so that later pages of the same query are O(page).
 */

export const SEARCH_MAX_LIMIT = 200;
export const SEARCH_RESULT_CAP = 10_000;
export const OPERATORS = ['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN'] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Filter {
  propertyName: string;
  operator: Operator;
  value?: string | number | boolean;
  highValue?: string | number;
  values?: (string | number)[];
}

export interface SearchRequest {
  filterGroups?: { filters?: Filter[] }[];
  sorts?: (string | { propertyName: string; direction?: 'ASCENDING' | 'DESCENDING' })[];
  properties?: string[];
  limit?: number;
  after?: string | number;
  query?: string;
}

export class SearchError extends Error {}

type Kind = 'number' | 'time' | 'text' | 'bool';

function kindOf(type: PropertyType | undefined, name: string): Kind {
  if (name === 'hs_object_id' || type === 'number') return 'number';
  if (type === 'datetime') return 'time';
  if (type === 'bool') return 'bool';
  return 'text';
}

/** A filter or record value as a comparable number (epoch ms for times), or NaN. */
function toNumber(kind: Kind, v: string | number | boolean | null | undefined): number {
  if (v === null || v === undefined || v === '') return NaN;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (kind === 'time') return /^-?\d+$/.test(v) ? Number(v) : Date.parse(v);
  return Number(v);
}

function tokenMatcher(pattern: string): (value: string) => boolean {
  const p = pattern.toLowerCase();
  if (p.includes('*')) {
    const re = new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return (v) => re.test(v.toLowerCase()) || v.toLowerCase().split(/[\s@.,;:_\-/]+/).some((t) => re.test(t));
  }
  return (v) => {
    const s = v.toLowerCase();
    return s === p || s.split(/[\s@.,;:_\-/]+/).includes(p);
  };
}

export type Predicate = (r: HubRecord) => boolean;

/** Compiles one filter into a predicate; throws SearchError on a malformed filter. */
export function compileFilter(def: ObjectDef, f: Filter): Predicate {
  if (!f || typeof f.propertyName !== 'string') throw new SearchError('filter.propertyName is required');
  if (!OPERATORS.includes(f.operator)) throw new SearchError(`Unknown operator: ${String(f.operator)}`);
  const name = canonicalProperty(def, f.propertyName);
  const kind = kindOf(def.byName.get(name)?.type, name);
  const get = (r: HubRecord) => r.p[name] ?? null;
  const has = (v: string | null) => v !== null && v !== '';
  const needValue = () => {
    if (f.value === undefined || f.value === null) throw new SearchError(`filter on ${f.propertyName}: operator ${f.operator} requires a value`);
    return f.value;
  };
  const eq = (() => {
    if (!['EQ', 'NEQ'].includes(f.operator)) return () => false;
    const target = needValue();
    if (kind === 'number' || kind === 'time') {
      const n = toNumber(kind, target);
      return (v: string | null) => has(v) && toNumber(kind, v) === n;
    }
    const t = String(target).toLowerCase();
    return (v: string | null) => v !== null && v.toLowerCase() === t;
  })();
  const cmp = (op: (a: number, b: number) => boolean, raw: string | number | boolean): Predicate => {
    if (kind === 'number' || kind === 'time') {
      const n = toNumber(kind, raw);
      if (Number.isNaN(n)) throw new SearchError(`filter on ${f.propertyName}: ${String(raw)} is not a valid ${kind === 'time' ? 'date' : 'number'}`);
      return (r) => {
        const v = get(r);
        return has(v) && op(toNumber(kind, v), n);
      };
    }
    const t = String(raw).toLowerCase();
    return (r) => {
      const v = get(r);
      return has(v) && op((v as string).toLowerCase().localeCompare(t), 0);
    };
  };
  switch (f.operator) {
    case 'EQ':
      return (r) => eq(get(r));
    case 'NEQ':
      return (r) => !eq(get(r));
    case 'LT':
      return cmp((a, b) => a < b, needValue());
    case 'LTE':
      return cmp((a, b) => a <= b, needValue());
    case 'GT':
      return cmp((a, b) => a > b, needValue());
    case 'GTE':
      return cmp((a, b) => a >= b, needValue());
    case 'BETWEEN': {
      if (f.highValue === undefined) throw new SearchError(`filter on ${f.propertyName}: BETWEEN requires highValue`);
      const lo = cmp((a, b) => a >= b, needValue());
      const hi = cmp((a, b) => a <= b, f.highValue);
      return (r) => lo(r) && hi(r);
    }
    case 'IN':
    case 'NOT_IN': {
      if (!Array.isArray(f.values)) throw new SearchError(`filter on ${f.propertyName}: ${f.operator} requires values`);
      const numeric = kind === 'number' || kind === 'time';
      const set = new Set(f.values.map((v) => (numeric ? String(toNumber(kind, v)) : String(v).toLowerCase())));
      const inSet = (v: string | null) => has(v) && set.has(numeric ? String(toNumber(kind, v)) : (v as string).toLowerCase());
      return f.operator === 'IN' ? (r) => inSet(get(r)) : (r) => !inSet(get(r));
    }
    case 'HAS_PROPERTY':
      return (r) => has(get(r));
    case 'NOT_HAS_PROPERTY':
      return (r) => !has(get(r));
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const match = tokenMatcher(String(needValue()));
      const contains = (r: HubRecord) => {
        const v = get(r);
        return has(v) && match(v as string);
      };
      return f.operator === 'CONTAINS_TOKEN' ? contains : (r) => !contains(r);
    }
  }
}

/** Validates the request shape the way HubSpot does and compiles it into one predicate. */
export function compileSearch(def: ObjectDef, req: SearchRequest): Predicate | null {
  const groups = req.filterGroups ?? [];
  if (!Array.isArray(groups)) throw new SearchError('filterGroups must be an array');
  if (groups.length > 5) throw new SearchError(`Too many filter groups: ${groups.length}. The maximum is 5.`);
  const total = groups.reduce((n, g) => n + (g?.filters?.length ?? 0), 0);
  if (total > 25) throw new SearchError(`Too many filters: ${total}. The maximum is 25 in total.`);
  const compiled: Predicate[][] = groups.map((g) => {
    const filters = g?.filters ?? [];
    if (filters.length > 10) throw new SearchError(`Too many filters in a filter group: ${filters.length}. The maximum is 10.`);
    return filters.map((f) => compileFilter(def, f));
  });
  let query: Predicate | null = null;
  if (typeof req.query === 'string' && req.query.trim() !== '') {
    const match = tokenMatcher(`${req.query.trim()}*`);
    const fields = def.properties.filter((p) => p.type === 'string').map((p) => p.name);
    query = (r) => fields.some((n) => {
      const v = r.p[n];
      return typeof v === 'string' && match(v);
    });
  }
  const nonEmpty = compiled.filter((g) => g.length > 0);
  if (nonEmpty.length === 0) return query;
  const groupsPred: Predicate = (r) => nonEmpty.some((g) => g.every((p) => p(r)));
  return query ? (r) => query(r) && groupsPred(r) : groupsPred;
}

interface SortKey {
  name: string;
  desc: boolean;
  kind: Kind;
}

export function parseSorts(def: ObjectDef, sorts: SearchRequest['sorts']): SortKey[] {
  if (sorts === undefined || sorts === null) return [];
  if (!Array.isArray(sorts)) throw new SearchError('sorts must be an array');
  return sorts.map((s) => {
    let name: string;
    let desc: boolean;
    if (typeof s === 'string') {
      desc = s.startsWith('-');
      name = desc ? s.slice(1) : s;
    } else if (s && typeof s.propertyName === 'string') {
      name = s.propertyName;
      desc = s.direction === 'DESCENDING';
    } else throw new SearchError('sorts entries must be property names or {propertyName, direction}');
    const canonical = canonicalProperty(def, name);
    return { name: canonical, desc, kind: kindOf(def.byName.get(canonical)?.type, canonical) };
  });
}

function sortValue(k: SortKey, r: HubRecord): number | string | null {
  const v = r.p[k.name];
  if (v === null || v === undefined || v === '') return null;
  if (k.kind === 'text') return v.toLowerCase();
  const n = toNumber(k.kind, v);
  return Number.isNaN(n) ? null : n;
}

export interface SearchPage {
  total: number;
  positions: number[];
  /** Offset of the next page, when there is one. */
  nextAfter?: string;
}

interface Continuation {
  next: () => number | undefined;
  total: number;
}

/** Bounds on one numeric property, when every filter of a single group is a range on it. */
function rangeOnly(def: ObjectDef, req: SearchRequest, property: string): { lo: number; loIncl: boolean; hi: number; hiIncl: boolean } | null {
  const groups = (req.filterGroups ?? []).filter((g) => (g?.filters?.length ?? 0) > 0);
  if (req.query) return null;
  if (groups.length === 0) return { lo: -Infinity, loIncl: true, hi: Infinity, hiIncl: true };
  if (groups.length !== 1) return null;
  const kind = property === 'hs_object_id' ? 'number' : 'time';
  let lo = -Infinity;
  let loIncl = true;
  let hi = Infinity;
  let hiIncl = true;
  for (const f of groups[0].filters as Filter[]) {
    if (canonicalProperty(def, f.propertyName) !== property) return null;
    const v = toNumber(kind, f.value as string);
    if (Number.isNaN(v)) return null;
    const raise = (x: number, incl: boolean) => {
      if (x > lo || (x === lo && !incl)) [lo, loIncl] = [x, incl];
    };
    const lower = (x: number, incl: boolean) => {
      if (x < hi || (x === hi && !incl)) [hi, hiIncl] = [x, incl];
    };
    switch (f.operator) {
      case 'GT':
        raise(v, false);
        break;
      case 'GTE':
        raise(v, true);
        break;
      case 'LT':
        lower(v, false);
        break;
      case 'LTE':
        lower(v, true);
        break;
      case 'EQ':
        raise(v, true);
        lower(v, true);
        break;
      case 'BETWEEN': {
        const h = toNumber(kind, f.highValue as string);
        if (Number.isNaN(h)) return null;
        raise(v, true);
        lower(h, true);
        break;
      }
      default:
        return null;
    }
  }
  return { lo, loIncl, hi, hiIncl };
}

export class SearchEngine {
  private readonly cache = new Map<string, Continuation>();

  constructor(private readonly maxEntries = 64) {}

  clear(): void {
    this.cache.clear();
  }

  /** Runs one search page. Throws SearchError for a request HubSpot would reject with 400. */
  run(portal: PortalData, object: ObjectName, req: SearchRequest): SearchPage {
    const def = OBJECTS[object];
    const limit = req.limit === undefined || req.limit === null ? 10 : Number(req.limit);
    if (!Number.isInteger(limit) || limit < 0) throw new SearchError(`limit must be a non-negative integer`);
    if (limit > SEARCH_MAX_LIMIT) throw new SearchError(`limit must be less than or equal to ${SEARCH_MAX_LIMIT}`);
    const afterText = req.after === undefined || req.after === null || req.after === '' ? '0' : String(req.after);
    if (!/^\d+$/.test(afterText)) throw new SearchError(`after must be a numeric offset, got '${afterText}'`);
    const offset = Number(afterText);
    if (offset >= SEARCH_RESULT_CAP) {
      throw new SearchError(`Cannot page past ${SEARCH_RESULT_CAP} results. Narrow the query (for example by ${def.modifiedProp}) to read further.`);
    }
    const predicate = compileSearch(def, req);
    const sorts = parseSorts(def, req.sorts);
    const key = `${portal.tenant.key}|${object}|${portal.version(object)}|${JSON.stringify([req.filterGroups ?? [], req.sorts ?? [], req.query ?? ''])}`;
    let cont = this.cache.get(`${key}|${offset}`);
    if (cont) this.cache.delete(`${key}|${offset}`);
    else {
      cont = this.start(portal, object, def, req, predicate, sorts);
      for (let i = 0; i < offset && cont.next() !== undefined; i++);
    }
    const positions: number[] = [];
    const cap = Math.min(limit, SEARCH_RESULT_CAP - offset);
    while (positions.length < cap) {
      const p = cont.next();
      if (p === undefined) break;
      positions.push(p);
    }
    const total = cont.total;
    const nextOffset = offset + positions.length;
    let nextAfter: string | undefined;
    if (positions.length > 0 && nextOffset < total) {
      nextAfter = String(nextOffset);
      this.cache.set(`${key}|${nextOffset}`, cont);
      if (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
    }
    return { total, positions, nextAfter };
  }

  private start(portal: PortalData, object: ObjectName, def: ObjectDef, req: SearchRequest, predicate: Predicate | null, sorts: SortKey[]): Continuation {
    const col = portal.cols[object];
    const idOrder = sorts.length === 0 || (sorts.length === 1 && sorts[0].name === 'hs_object_id' && !sorts[0].desc);
    if (idOrder) {
      const r = rangeOnly(def, req, 'hs_object_id');
      if (r) return this.idRange(portal, object, r);
    }
    if (sorts.length === 1 && sorts[0].name === def.modifiedProp && !sorts[0].desc) {
      const r = rangeOnly(def, req, def.modifiedProp);
      if (r) return this.modifiedRange(portal, object, r);
    }
    // General case: one scan, then sort the matches.
    const rows: { p: number; r: HubRecord }[] = [];
    for (const { position, record } of col.scan()) if (!predicate || predicate(record)) rows.push({ p: position, r: record });
    if (sorts.length) {
      const keyed = rows.map((row) => ({ p: row.p, k: sorts.map((s) => sortValue(s, row.r)) }));
      keyed.sort((a, b) => {
        for (let i = 0; i < sorts.length; i++) {
          const x = a.k[i];
          const y = b.k[i];
          if (x === y) continue;
          // Records without the property sort last (ascending) / first (descending), like HubSpot.
          const c = x === null ? 1 : y === null ? -1 : x < y ? -1 : 1;
          return sorts[i].desc ? -c : c;
        }
        return a.p - b.p;
      });
      return arrayContinuation(keyed.map((k) => k.p), col);
    }
    return arrayContinuation(rows.map((row) => row.p), col);
  }

  /** Records whose id lies in a range, in id (= position) order: a seek plus a short scan. */
  private idRange(portal: PortalData, object: ObjectName, r: { lo: number; loIncl: boolean; hi: number; hiIncl: boolean }): Continuation {
    const col = portal.cols[object];
    const base = Number(portal.idOf(object, 0));
    const from = Math.max(0, Number.isFinite(r.lo) ? Math.floor(r.lo - base) + (r.loIncl && Number.isInteger(r.lo) ? 0 : 1) : 0);
    const toExcl = Math.min(col.size, Number.isFinite(r.hi) ? Math.ceil(r.hi - base) + (r.hiIncl && Number.isInteger(r.hi) ? 1 : 0) : col.size);
    let deletedInRange = 0;
    for (const e of col.deletedBetween(-Infinity, Infinity)) if (e.position >= from && e.position < toExcl) deletedInRange++;
    const total = Math.max(0, toExcl - from - deletedInRange);
    const it = col.scan(from);
    return {
      total,
      next: () => {
        const n = it.next();
        if (n.done || n.value.position >= toExcl) return undefined;
        return n.value.position;
      },
    };
  }

  /** Records modified in a time range, oldest first: binary search over the seeded base. */
  private modifiedRange(portal: PortalData, object: ObjectName, r: { lo: number; loIncl: boolean; hi: number; hiIncl: boolean }): Continuation {
    const col = portal.cols[object];
    const n = portal.baseCount(object);
    const passesLo = (m: number) => (r.loIncl ? m >= r.lo : m > r.lo);
    const passesHi = (m: number) => (r.hiIncl ? m <= r.hi : m < r.hi);
    const firstWhere = (test: (m: number) => boolean) => {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (test(portal.baseRecord(object, mid).m)) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    const start = Number.isFinite(r.lo) ? firstWhere(passesLo) : 0;
    const end = Number.isFinite(r.hi) ? firstWhere((m) => !passesHi(m)) : n;
    // Base positions in [start, end) whose current version is elsewhere (changed) or deleted.
    const excluded = new Set<number>();
    let changedInRange = 0;
    for (const p of col.changedPositions()) {
      if (p < n && p >= start && p < end) excluded.add(p);
      const rec = col.get(p);
      if (rec && passesLo(rec.m) && passesHi(rec.m)) changedInRange++;
    }
    for (const e of col.deletedBetween(-Infinity, Infinity)) if (e.position < n && e.position >= start && e.position < end) excluded.add(e.position);
    const total = Math.max(0, end - start - excluded.size) + changedInRange;
    const it = col.modifiedSince(Number.isFinite(r.lo) ? r.lo : -Infinity, r.loIncl);
    return {
      total,
      next: () => {
        const x = it.next();
        if (x.done || !passesHi(x.value.record.m)) return undefined;
        return x.value.position;
      },
    };
  }
}

function arrayContinuation(positions: number[], col: { get(p: number): unknown }): Continuation {
  let i = 0;
  return {
    total: positions.length,
    next: () => {
      while (i < positions.length) {
        const p = positions[i++];
        if (col.get(p) !== undefined) return p;
      }
      return undefined;
    },
  };
}
