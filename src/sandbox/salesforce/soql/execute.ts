import type { SfField } from '../schema';
import type { Row, SObjectStore } from '../store';
import type { SfRecord } from '../records';
import type { CompiledQuery } from './compile';

/**
 * Runs a compiled query over one object store. Id-ordered and SystemModstamp-ordered shapes
 * stream from position ranges / modifiedSince() and stop after OFFSET + LIMIT rows, so keyset
 * paging costs O(page); other orders collect the matches and sort them.
 */

export interface QueryRun {
  totalSize: number;
  /** Remaining rows (after OFFSET), in order. */
  rows: Iterator<Row>;
  /** Re-creates the row stream from the first row (for nextRecordsUrl jumps). */
  restart(): Iterator<Row>;
}

function* filtered(source: Iterable<Row>, c: CompiledQuery, includeDeleted: boolean): Generator<Row> {
  const p = c.predicate;
  const his = c.order === 'modstamp' ? [c.modHi, includeDeleted ? undefined : c.lmdHi] : [];
  for (const row of source) {
    for (const hi of his) if (hi && (hi.inclusive ? row.rec._m > hi.ms : row.rec._m >= hi.ms)) return;
    if (p === null || p(row.rec)) yield row;
  }
}

function source(store: SObjectStore, c: CompiledQuery, includeDeleted: boolean): Iterable<Row> {
  if (c.order === 'modstamp') {
    const lo = c.modLo;
    return store.modifiedSince(lo ? lo.ms : -Infinity, lo ? lo.inclusive : true, includeDeleted);
  }
  const lo = c.idLo ? { id: c.idLo.value, inclusive: c.idLo.inclusive } : undefined;
  const hi = c.idHi ? { id: c.idHi.value, inclusive: c.idHi.inclusive } : undefined;
  return store.idRange(lo, hi, includeDeleted);
}

function* skip(it: Iterator<Row>, n: number): Generator<Row> {
  for (let i = 0; i < n; i++) if (it.next().done) return;
  for (;;) {
    const r = it.next();
    if (r.done) return;
    yield r.value;
  }
}

export function runQuery(store: SObjectStore, c: CompiledQuery, includeDeleted: boolean): QueryRun {
  // With deleted rows, LastModifiedDate order is not modification-time order.
  if (c.order === 'modstamp' && c.modField === 'LastModifiedDate' && includeDeleted) c = { ...c, order: 'sort' };
  const q = c.query;
  const offset = q.offset ?? 0;
  const limit = q.limit;
  if (c.order === 'sort') {
    const all: Row[] = [...filtered(source(store, c, includeDeleted), c, includeDeleted)];
    const cmp = c.comparator as (a: SfRecord, b: SfRecord) => number;
    all.sort((a, b) => cmp(a.rec, b.rec));
    const rows = all.slice(offset, limit === undefined ? undefined : offset + limit);
    return { totalSize: rows.length, rows: rows[Symbol.iterator](), restart: () => rows[Symbol.iterator]() };
  }
  if (limit !== undefined) {
    const rows: Row[] = [];
    if (limit > 0) {
      for (const r of skip(filtered(source(store, c, includeDeleted), c, includeDeleted)[Symbol.iterator](), offset)) {
        rows.push(r);
        if (rows.length >= limit) break;
      }
    }
    return { totalSize: rows.length, rows: rows[Symbol.iterator](), restart: () => rows[Symbol.iterator]() };
  }
  const fresh = () => skip(filtered(source(store, c, includeDeleted), c, includeDeleted)[Symbol.iterator](), offset);
  let total: number;
  if (c.predicate === null && c.order === 'id' && !c.idLo && !c.idHi) {
    total = Math.max(0, (includeDeleted ? store.totalCount : store.liveCount) - offset);
  } else {
    total = 0;
    for (const _ of fresh()) total++;
  }
  return { totalSize: total, rows: fresh(), restart: fresh };
}

/** Counts matches (SELECT COUNT()). */
export function countQuery(store: SObjectStore, c: CompiledQuery, includeDeleted: boolean): number {
  const run = runQuery(store, { ...c, order: c.order === 'sort' ? 'id' : c.order }, includeDeleted);
  return run.totalSize;
}

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function jsonValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

/**
 * One record as Salesforce renders it: attributes first, then the fields in the given order.
 * Records are immutable (updates replace them), so the last rendering is memoized on the record
 * under a key of (version, field list).
 */
export function renderRecord(objectName: string, version: string, fields: readonly SfField[], rec: SfRecord, key?: string): string {
  if (key !== undefined && rec._jk === key) return rec._j as string;
  let s = `{"attributes":{"type":"${objectName}","url":"/services/data/v${version}/sobjects/${objectName}/${rec.Id as string}"}`;
  for (const f of fields) s += ',' + f.jsonKey + jsonValue(rec[f.name]);
  s += '}';
  if (key !== undefined) {
    rec._jk = key;
    rec._j = s;
    rec._jb = undefined;
  }
  return s;
}

/** renderRecord as UTF-8 bytes, memoized the same way (pages are sent as one Buffer). */
export function renderRecordBytes(objectName: string, version: string, fields: readonly SfField[], rec: SfRecord, key: string): Buffer {
  if (rec._jk === key && rec._jb !== undefined) return rec._jb;
  const bytes = Buffer.from(renderRecord(objectName, version, fields, rec, key));
  rec._jb = bytes;
  return bytes;
}

/** The memo key of a field list for renderRecord. */
export function renderKey(version: string, fields: readonly SfField[]): string {
  let k = version;
  for (const f of fields) k += ',' + f.name;
  return k;
}
