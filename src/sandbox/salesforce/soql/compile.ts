import { normalizeId } from '../ids';
import { parseSfDateTime, sfDate, sfDateTime, type SfRecord } from '../records';
import { findObject, type SfField, type SfObject } from '../schema';
import { soqlError, type CompareOp, type Condition, type FieldRef, type Literal, type SoqlQuery } from './parser';

/**
 * Resolves a parsed query against the object schema (INVALID_TYPE / INVALID_FIELD errors worded
 * as Salesforce words them) and compiles it into a predicate, a comparator and the bounds the
 * planner uses to turn Id and SystemModstamp filters into position ranges.
 */

export type Predicate = (r: SfRecord) => boolean;

export interface Bound {
  value: string;
  inclusive: boolean;
}

export interface CompiledQuery {
  query: SoqlQuery;
  object: SfObject;
  fields: SfField[];
  predicate: Predicate | null;
  comparator: ((a: SfRecord, b: SfRecord) => number) | null;
  /** How the rows must be ordered: by id, by SystemModstamp then id, or by sorting. */
  order: 'id' | 'modstamp' | 'sort';
  idLo?: Bound;
  idHi?: Bound;
  /** The field of a 'modstamp' order: LastModifiedDate equals SystemModstamp on live rows only. */
  modField?: 'SystemModstamp' | 'LastModifiedDate';
  /** Lower bound of the modification time (SystemModstamp or LastModifiedDate), epoch ms. */
  modLo?: { ms: number; inclusive: boolean };
  /** SystemModstamp upper bound, epoch ms. */
  modHi?: { ms: number; inclusive: boolean };
  /** LastModifiedDate upper bound (usable to stop early only without deleted rows). */
  lmdHi?: { ms: number; inclusive: boolean };
}

const STRINGISH = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'combobox']);
const NUMERIC = new Set(['int', 'double', 'currency', 'percent']);
const TYPE_WORD: Record<string, string> = { int: 'int', double: 'double', currency: 'currency', percent: 'percent', boolean: 'boolean', date: 'date', datetime: 'dateTime' };

function resolveField(q: SoqlQuery, object: SfObject, ref: FieldRef): SfField {
  const f = object.byLower.get(ref.name.toLowerCase());
  if (f) return f;
  if (ref.name.includes('.')) {
    throw soqlError('INVALID_FIELD', q.soql, ref.pos, `Didn't understand relationship '${ref.name.split('.')[0]}' in field path. This sandbox does not support relationship fields in SOQL; query the related object by its Id instead.`);
  }
  throw soqlError(
    'INVALID_FIELD',
    q.soql,
    ref.pos,
    `No such column '${ref.name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

/** [start, end) of a relative date literal, epoch ms (UTC days). */
function dateLiteralRange(lit: Literal, now: number): [number, number] {
  const day = 86_400_000;
  const today = Math.floor(now / day) * day;
  const n = lit.n ?? 0;
  const d = new Date(today);
  const monthStart = (offset: number) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1);
  const yearStart = (offset: number) => Date.UTC(d.getUTCFullYear() + offset, 0, 1);
  const weekStart = today - d.getUTCDay() * day;
  switch (lit.value) {
    case 'TODAY':
      return [today, today + day];
    case 'YESTERDAY':
      return [today - day, today];
    case 'TOMORROW':
      return [today + day, today + 2 * day];
    case 'LAST_N_DAYS':
      return [today - n * day, today + day];
    case 'NEXT_N_DAYS':
      return [today + day, today + (n + 1) * day];
    case 'LAST_90_DAYS':
      return [today - 90 * day, today + day];
    case 'NEXT_90_DAYS':
      return [today + day, today + 91 * day];
    case 'THIS_WEEK':
      return [weekStart, weekStart + 7 * day];
    case 'LAST_WEEK':
      return [weekStart - 7 * day, weekStart];
    case 'NEXT_WEEK':
      return [weekStart + 7 * day, weekStart + 14 * day];
    case 'THIS_MONTH':
      return [monthStart(0), monthStart(1)];
    case 'LAST_MONTH':
      return [monthStart(-1), monthStart(0)];
    case 'NEXT_MONTH':
      return [monthStart(1), monthStart(2)];
    case 'THIS_YEAR':
      return [yearStart(0), yearStart(1)];
    case 'LAST_YEAR':
      return [yearStart(-1), yearStart(0)];
    default:
      return [yearStart(1), yearStart(2)];
  }
}

function typeError(q: SoqlQuery, f: SfField, lit: Literal): never {
  const word = TYPE_WORD[f.type];
  if (word) {
    const quoted = lit.type === 'string' ? ' and should not be enclosed in quotes' : '';
    throw soqlError('INVALID_FIELD', q.soql, lit.pos, `value of filter criterion for field '${f.name}' must be of type ${word}${quoted}`);
  }
  throw soqlError('MALFORMED_QUERY', q.soql, lit.pos, `value of filter criterion for field '${f.name}' must be of type ${f.type === 'reference' || f.type === 'id' ? 'id' : 'string'} and should be enclosed in quotes`);
}

type Value = string | number | boolean | null;

/** Converts a literal to the field's wire representation; ranges for date literals. */
function coerce(q: SoqlQuery, f: SfField, lit: Literal, now: number): Value | { range: [string, string] } {
  if (lit.type === 'null') return null;
  if (f.type === 'id' || f.type === 'reference') {
    if (lit.type !== 'string') typeError(q, f, lit);
    const id = normalizeId(lit.value as string);
    if (!id) throw soqlError('INVALID_QUERY_FILTER_OPERATOR', q.soql, lit.pos, `invalid ID field: ${lit.value}`);
    return id;
  }
  if (STRINGISH.has(f.type)) {
    if (lit.type !== 'string') typeError(q, f, lit);
    return lit.value as string;
  }
  if (NUMERIC.has(f.type)) {
    if (lit.type !== 'number') typeError(q, f, lit);
    return lit.value as number;
  }
  if (f.type === 'boolean') {
    if (lit.type !== 'boolean') typeError(q, f, lit);
    return lit.value as boolean;
  }
  if (f.type === 'datetime') {
    if (lit.type === 'dateLiteral') {
      const [a, b] = dateLiteralRange(lit, now);
      return { range: [sfDateTime(a), sfDateTime(b)] };
    }
    if (lit.type !== 'datetime') typeError(q, f, lit);
    const ms = parseSfDateTime(lit.value as string);
    if (Number.isNaN(ms)) throw soqlError('MALFORMED_QUERY', q.soql, lit.pos, `line 1:${lit.pos} no viable alternative at character '${lit.text}'`);
    return sfDateTime(ms);
  }
  if (f.type === 'date') {
    if (lit.type === 'dateLiteral') {
      const [a, b] = dateLiteralRange(lit, now);
      return { range: [sfDate(a), sfDate(b)] };
    }
    if (lit.type !== 'date') typeError(q, f, lit);
    return lit.value as string;
  }
  return typeError(q, f, lit);
}

function lower(v: unknown): unknown {
  return typeof v === 'string' ? v.toLowerCase() : v;
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return 0;
}

function compileCmp(q: SoqlQuery, f: SfField, op: CompareOp, lit: Literal, now: number): Predicate {
  const name = f.name;
  const v = coerce(q, f, lit, now);
  if (v === null) {
    if (op === '=') return (r) => r[name] === null || r[name] === undefined;
    if (op === '!=') return (r) => r[name] !== null && r[name] !== undefined;
    return () => false;
  }
  if (typeof v === 'object') {
    const [start, end] = v.range;
    switch (op) {
      case '=':
        return (r) => typeof r[name] === 'string' && (r[name] as string) >= start && (r[name] as string) < end;
      case '!=':
        return (r) => !(typeof r[name] === 'string' && (r[name] as string) >= start && (r[name] as string) < end);
      case '<':
        return (r) => typeof r[name] === 'string' && (r[name] as string) < start;
      case '<=':
        return (r) => typeof r[name] === 'string' && (r[name] as string) < end;
      case '>':
        return (r) => typeof r[name] === 'string' && (r[name] as string) >= end;
      default:
        return (r) => typeof r[name] === 'string' && (r[name] as string) >= start;
    }
  }
  const ci = STRINGISH.has(f.type);
  const target = ci ? lower(v) : v;
  const get = ci ? (r: SfRecord) => lower(r[name]) : (r: SfRecord) => r[name];
  switch (op) {
    case '=':
      return (r) => get(r) === target;
    case '!=':
      return (r) => get(r) !== target;
    case '<':
      return (r) => r[name] != null && compareValues(get(r), target) < 0;
    case '<=':
      return (r) => r[name] != null && compareValues(get(r), target) <= 0;
    case '>':
      return (r) => r[name] != null && compareValues(get(r), target) > 0;
    default:
      return (r) => r[name] != null && compareValues(get(r), target) >= 0;
  }
}

function likeRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
      re += '\\' + pattern[++i];
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

function compileCondition(q: SoqlQuery, object: SfObject, c: Condition, now: number): Predicate {
  switch (c.kind) {
    case 'and': {
      const ps = c.items.map((x) => compileCondition(q, object, x, now));
      return (r) => ps.every((p) => p(r));
    }
    case 'or': {
      const ps = c.items.map((x) => compileCondition(q, object, x, now));
      return (r) => ps.some((p) => p(r));
    }
    case 'not': {
      const p = compileCondition(q, object, c.item, now);
      return (r) => !p(r);
    }
    case 'cmp':
      return compileCmp(q, resolveField(q, object, c.field), c.op, c.value, now);
    case 'like': {
      const f = resolveField(q, object, c.field);
      if (!STRINGISH.has(f.type) && f.type !== 'id' && f.type !== 'reference') {
        throw soqlError('INVALID_FIELD', q.soql, c.field.pos, `invalid operator on field '${f.name}' of type ${TYPE_WORD[f.type] ?? f.type}: LIKE`);
      }
      if (c.pattern.type !== 'string') typeError(q, f, c.pattern);
      const re = likeRegex(c.pattern.value as string);
      return (r) => typeof r[f.name] === 'string' && re.test(r[f.name] as string);
    }
    case 'in': {
      const f = resolveField(q, object, c.field);
      const ci = STRINGISH.has(f.type);
      const set = new Set<unknown>();
      for (const lit of c.values) {
        const v = coerce(q, f, lit, now);
        if (v !== null && typeof v === 'object') throw soqlError('MALFORMED_QUERY', q.soql, lit.pos, `unexpected token: '${lit.text}'`);
        set.add(ci ? lower(v) : v);
      }
      const name = f.name;
      const has = ci ? (r: SfRecord) => set.has(lower(r[name]) ?? null) : (r: SfRecord) => set.has(r[name] ?? null);
      return c.not ? (r) => !has(r) : has;
    }
  }
}

function conjuncts(c: Condition | undefined): Condition[] {
  if (!c) return [];
  return c.kind === 'and' ? c.items : [c];
}

export function compileQuery(q: SoqlQuery, now = Date.now()): CompiledQuery {
  const object = findObject(q.object.name);
  if (!object || q.object.name.includes('.')) {
    throw soqlError(
      'INVALID_TYPE',
      q.soql,
      q.object.pos,
      `sObject type '${q.object.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  let fields: SfField[];
  if (q.fieldsMacro) {
    if (q.fieldsMacro.kind !== 'STANDARD' && (q.limit === undefined || q.limit > 200)) {
      throw soqlError('MALFORMED_QUERY', q.soql, q.fieldsMacro.pos, 'The SOQL FIELDS function must have a LIMIT of at most 200');
    }
    fields = object.fields.filter((f) => (q.fieldsMacro?.kind === 'CUSTOM' ? f.custom : q.fieldsMacro?.kind === 'STANDARD' ? !f.custom : true));
  } else {
    const seen = new Set<string>();
    fields = [];
    for (const ref of q.fields) {
      const f = resolveField(q, object, ref);
      if (seen.has(f.name)) throw soqlError('INVALID_FIELD', q.soql, ref.pos, `duplicate field selected: ${f.name}`);
      seen.add(f.name);
      fields.push(f);
    }
  }
  const predicate = q.where ? compileCondition(q, object, q.where, now) : null;
  const orderFields = q.orderBy.map((o) => ({ f: resolveField(q, object, o.field), desc: o.desc, nullsLast: o.nullsLast }));

  // Order plan.
  let order: CompiledQuery['order'] = 'sort';
  const ob = orderFields;
  const asc = (i: number, name: string) => ob[i] && ob[i].f.name === name && !ob[i].desc;
  if (ob.length === 0 || (ob.length === 1 && asc(0, 'Id'))) order = 'id';
  let modField: CompiledQuery['modField'];
  for (const m of ['SystemModstamp', 'LastModifiedDate'] as const) {
    if ((ob.length === 1 && asc(0, m)) || (ob.length === 2 && asc(0, m) && asc(1, 'Id'))) {
      order = 'modstamp';
      modField = m;
    }
  }

  const compiled: CompiledQuery = { query: q, object, fields, predicate, comparator: null, order, modField };
  // Bounds from top-level AND conjuncts (the predicate still checks everything).
  for (const c of conjuncts(q.where)) {
    if (c.kind !== 'cmp' || c.value.type === 'null' || c.value.type === 'dateLiteral') continue;
    const f = object.byLower.get(c.field.name.toLowerCase());
    if (!f) continue;
    if (f.name === 'Id') {
      const id = normalizeId(String(c.value.value));
      if (!id) continue;
      if (c.op === '>' || c.op === '>=' || c.op === '=') {
        const b = { value: id, inclusive: c.op !== '>' };
        if (!compiled.idLo || b.value > compiled.idLo.value || (b.value === compiled.idLo.value && !b.inclusive)) compiled.idLo = b;
      }
      if (c.op === '<' || c.op === '<=' || c.op === '=') {
        const b = { value: id, inclusive: c.op !== '<' };
        if (!compiled.idHi || b.value < compiled.idHi.value || (b.value === compiled.idHi.value && !b.inclusive)) compiled.idHi = b;
      }
    } else if ((f.name === 'SystemModstamp' || f.name === 'LastModifiedDate') && c.value.type === 'datetime') {
      // Every row's modification time is >= both fields, so either gives a safe lower bound.
      const ms = parseSfDateTime(c.value.value as string);
      if (c.op === '>' || c.op === '>=' || c.op === '=') {
        const b = { ms, inclusive: c.op !== '>' };
        if (!compiled.modLo || ms > compiled.modLo.ms || (ms === compiled.modLo.ms && !b.inclusive)) compiled.modLo = b;
      }
      if (c.op === '<' || c.op === '<=' || c.op === '=') {
        const b = { ms, inclusive: c.op !== '<' };
        const key = f.name === 'SystemModstamp' ? 'modHi' : 'lmdHi';
        const cur = compiled[key];
        if (!cur || ms < cur.ms || (ms === cur.ms && !b.inclusive)) compiled[key] = b;
      }
    }
  }
  {
    compiled.comparator = (a, b) => {
      for (const o of orderFields) {
        let x = a[o.f.name];
        let y = b[o.f.name];
        const xn = x === null || x === undefined;
        const yn = y === null || y === undefined;
        if (xn || yn) {
          if (xn && yn) continue;
          return xn === o.nullsLast ? 1 : -1;
        }
        if (STRINGISH.has(o.f.type)) {
          x = (x as string).toLowerCase();
          y = (y as string).toLowerCase();
        }
        const c = compareValues(x, y);
        if (c !== 0) return o.desc ? -c : c;
      }
      const ia = a.Id as string;
      const ib = b.Id as string;
      return ia < ib ? -1 : ia > ib ? 1 : 0;
    };
  }
  return compiled;
}
