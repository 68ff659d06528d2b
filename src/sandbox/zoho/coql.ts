import { matches, type CriteriaSchema, type Node as CriteriaNode, type Operator } from './criteria';

/**
 * A COQL subset (POST /crm/v8/coql): `select f1, f2 from Module [where cond] [order by f [asc|desc]]
 * [limit n | limit offset, n | limit n offset m]`. Conditions: = != > >= < <= like 'x%' / not like,
 * in (...) / not in (...), is null / is not null, between a and b; and/or with parentheses; values are
 * 'quoted strings' (\' escapes), numbers, true/false, null.
 */

export class CoqlError extends Error {
  constructor(
    message: string,
    readonly code: 'SYNTAX_ERROR' | 'INVALID_QUERY' | 'LIMIT_EXCEEDED',
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
}

export type CoqlNode =
  | { kind: 'cmp'; field: string; op: string; values: (string | number | boolean | null)[] }
  | { kind: 'and' | 'or'; items: CoqlNode[] };

export interface CoqlQuery {
  fields: string[];
  module: string;
  where?: CoqlNode;
  orderBy?: { field: string; order: 'asc' | 'desc' };
  offset: number;
  limit: number;
}

export const COQL_MAX_LIMIT = 2000;

type Tok = { t: 'word' | 'str' | 'num' | 'sym'; v: string; pos: number };

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let v = '';
      const start = i++;
      for (;;) {
        if (i >= q.length) throw new CoqlError('unterminated string', 'SYNTAX_ERROR', { column: start + 1 });
        if (q[i] === '\\' && i + 1 < q.length) {
          v += q[i + 1];
          i += 2;
        } else if (q[i] === "'") {
          i++;
          break;
        } else v += q[i++];
      }
      out.push({ t: 'str', v, pos: start });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(q[i + 1] ?? ''))) {
      const m = /^-?\d+(\.\d+)?/.exec(q.slice(i)) as RegExpExecArray;
      out.push({ t: 'num', v: m[0], pos: i });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$.]*/.exec(q.slice(i)) as RegExpExecArray;
      out.push({ t: 'word', v: m[0], pos: i });
      i += m[0].length;
    } else {
      const two = q.slice(i, i + 2);
      const sym = ['!=', '>=', '<=', '<>'].includes(two) ? two : c;
      if (!['=', '!=', '<>', '>', '>=', '<', '<=', '(', ')', ','].includes(sym)) throw new CoqlError(`unexpected character ${c}`, 'SYNTAX_ERROR', { column: i + 1 });
      out.push({ t: 'sym', v: sym, pos: i });
      i += sym.length;
    }
  }
  return out;
}

export function parseCoql(query: string): CoqlQuery {
  const toks = tokenize(query);
  let k = 0;
  const peek = () => toks[k];
  const kw = (w: string) => peek()?.t === 'word' && peek().v.toLowerCase() === w;
  const fail = (clause: string, msg = 'error occured while parsing the query'): never => {
    throw new CoqlError(msg, 'SYNTAX_ERROR', { clause, column: (peek()?.pos ?? query.length) + 1, line: 1 });
  };
  const expectKw = (w: string, clause: string) => {
    if (!kw(w)) fail(clause);
    k++;
  };
  expectKw('select', 'select');
  const fields: string[] = [];
  for (;;) {
    const t = peek();
    if (t?.t !== 'word' || t.v.toLowerCase() === 'from') fail('select');
    fields.push(t.v);
    k++;
    if (peek()?.v === ',') k++;
    else break;
  }
  expectKw('from', 'from');
  const mod = peek();
  if (mod?.t !== 'word') fail('from');
  k++;
  const value = (clause: string): string | number | boolean | null => {
    const t = peek();
    if (!t) return fail(clause);
    k++;
    if (t.t === 'str') return t.v;
    if (t.t === 'num') return Number(t.v);
    if (t.t === 'word' && ['true', 'false'].includes(t.v.toLowerCase())) return t.v.toLowerCase() === 'true';
    if (t.t === 'word' && t.v.toLowerCase() === 'null') return null;
    k--;
    return fail(clause);
  };
  const list = (): (string | number | boolean | null)[] => {
    if (peek()?.v !== '(') fail('where');
    k++;
    const vs = [value('where')];
    while (peek()?.v === ',') {
      k++;
      vs.push(value('where'));
    }
    if (peek()?.v !== ')') fail('where');
    k++;
    return vs;
  };
  const comparison = (): CoqlNode => {
    if (peek()?.v === '(') {
      k++;
      const inner = orExpr();
      if (peek()?.v !== ')') fail('where');
      k++;
      return inner;
    }
    const f = peek();
    if (f?.t !== 'word') return fail('where');
    k++;
    const t = peek();
    if (!t) return fail('where');
    if (t.t === 'sym' && ['=', '!=', '<>', '>', '>=', '<', '<='].includes(t.v)) {
      k++;
      return { kind: 'cmp', field: f.v, op: t.v === '<>' ? '!=' : t.v, values: [value('where')] };
    }
    const w = t.v.toLowerCase();
    if (w === 'not') {
      k++;
      if (kw('like')) { k++; return { kind: 'cmp', field: f.v, op: 'not like', values: [value('where')] }; }
      if (kw('in')) { k++; return { kind: 'cmp', field: f.v, op: 'not in', values: list() }; }
      return fail('where');
    }
    if (w === 'like') { k++; return { kind: 'cmp', field: f.v, op: 'like', values: [value('where')] }; }
    if (w === 'in') { k++; return { kind: 'cmp', field: f.v, op: 'in', values: list() }; }
    if (w === 'is') {
      k++;
      const not = kw('not');
      if (not) k++;
      expectKw('null', 'where');
      return { kind: 'cmp', field: f.v, op: not ? 'is not null' : 'is null', values: [] };
    }
    if (w === 'between') {
      k++;
      const a = value('where');
      expectKw('and', 'where');
      return { kind: 'cmp', field: f.v, op: 'between', values: [a, value('where')] };
    }
    return fail('where');
  };
  const andExpr = (): CoqlNode => {
    const items = [comparison()];
    while (kw('and')) {
      k++;
      items.push(comparison());
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  };
  const orExpr = (): CoqlNode => {
    const items = [andExpr()];
    while (kw('or')) {
      k++;
      items.push(andExpr());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  };
  const out: CoqlQuery = { fields, module: (mod as Tok).v, offset: 0, limit: 200 };
  if (kw('where')) {
    k++;
    out.where = orExpr();
  }
  if (kw('order')) {
    k++;
    expectKw('by', 'order by');
    const f = peek();
    if (f?.t !== 'word') fail('order by');
    k++;
    let order: 'asc' | 'desc' = 'asc';
    if (kw('asc') || kw('desc')) order = toks[k++].v.toLowerCase() as 'asc' | 'desc';
    out.orderBy = { field: (f as Tok).v, order };
  }
  if (kw('limit')) {
    k++;
    const a = value('limit');
    if (typeof a !== 'number') fail('limit');
    if (peek()?.v === ',') {
      k++;
      const b = value('limit');
      if (typeof b !== 'number') fail('limit');
      out.offset = a as number;
      out.limit = b as number;
    } else {
      out.limit = a as number;
      if (kw('offset')) {
        k++;
        const b = value('limit');
        if (typeof b !== 'number') fail('limit');
        out.offset = b as number;
      }
    }
    if (!Number.isInteger(out.limit) || !Number.isInteger(out.offset) || out.limit < 1 || out.offset < 0) fail('limit');
    if (out.limit > COQL_MAX_LIMIT) throw new CoqlError('limit exceeded', 'LIMIT_EXCEEDED', { clause: 'limit', limit: COQL_MAX_LIMIT });
  }
  if (k !== toks.length) fail('query');
  return out;
}

const OPS: Record<string, Operator> = { '=': 'equals', '!=': 'not_equal', '>': 'greater_than', '>=': 'greater_equal', '<': 'less_than', '<=': 'less_equal', in: 'in', between: 'between' };

/** Fields a where clause mentions (for validation). */
export function whereFields(node: CoqlNode, out: string[] = []): string[] {
  if (node.kind === 'cmp') out.push(node.field);
  else for (const n of node.items) whereFields(n, out);
  return out;
}

export function evalCoql(node: CoqlNode, get: (field: string) => unknown, schema: CriteriaSchema): boolean {
  if (node.kind !== 'cmp') return node.kind === 'and' ? node.items.every((n) => evalCoql(n, get, schema)) : node.items.some((n) => evalCoql(n, get, schema));
  const raw = get(node.field);
  const plain = raw && typeof raw === 'object' ? (raw as { id?: unknown }).id : raw;
  switch (node.op) {
    case 'is null':
      return plain === null || plain === undefined || plain === '';
    case 'is not null':
      return !(plain === null || plain === undefined || plain === '');
    case 'like':
    case 'not like': {
      const pattern = String(node.values[0] ?? '');
      const re = new RegExp(`^${pattern.split('%').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
      const hit = typeof raw === 'string' && re.test(raw);
      return node.op === 'like' ? hit : !hit;
    }
    case 'not in':
      return !matches({ kind: 'cond', field: node.field, operator: 'in', values: node.values.map(String) } as CriteriaNode, get, schema);
    default:
      return matches({ kind: 'cond', field: node.field, operator: OPS[node.op], values: node.values.map((v) => String(v)) } as CriteriaNode, get, schema);
  }
}
