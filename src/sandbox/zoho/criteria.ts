import { parseDateTime } from './format';

/**
 * Zoho search criteria: `((Last_Name:equals:Burns\,B)and(First_Name:starts_with:M))`.
 * A condition is `(field:operator:value)`; groups combine with `and` / `or`; `\(`, `\)` and `\,`
 * escape those characters in values (a plain comma separates `in` / `between` values).
 * At most 10 conditions, as Zoho allows.
 */

export const OPERATORS = ['equals', 'not_equal', 'starts_with', 'in', 'greater_than', 'greater_equal', 'less_than', 'less_equal', 'between'] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Condition {
  kind: 'cond';
  field: string;
  operator: Operator;
  values: string[];
}
export interface Group {
  kind: 'group';
  op: 'and' | 'or';
  items: Node[];
}
export type Node = Condition | Group;

export class CriteriaError extends Error {}

export const MAX_CONDITIONS = 10;

export function parseCriteria(input: string): Node {
  let i = 0;
  let conditions = 0;
  const s = input.trim();
  const fail = (why: string): never => {
    throw new CriteriaError(`${why} at position ${i}`);
  };
  const expect = (c: string) => {
    if (s[i] !== c) fail(`expected '${c}'`);
    i++;
  };
  const parseCondition = (): Condition => {
    // raw text up to the unescaped ')'
    let raw = '';
    const parts: string[] = [];
    let escaped = false;
    while (i < s.length) {
      const c = s[i];
      if (escaped) {
        raw += c === ',' ? '\u0000' : c; // keep escaped commas apart from separators
        escaped = false;
      } else if (c === '\\') escaped = true;
      else if (c === ')') break;
      else if (c === '(') fail("unexpected '('");
      else raw += c;
      i++;
    }
    const first = raw.indexOf(':');
    const second = first < 0 ? -1 : raw.indexOf(':', first + 1);
    if (first < 0 || second < 0) fail('condition must be field:operator:value');
    const field = raw.slice(0, first).trim();
    const operator = raw.slice(first + 1, second).trim() as Operator;
    if (!field) fail('missing field');
    if (!OPERATORS.includes(operator)) throw new CriteriaError(`unsupported operator ${operator}`);
    const valueText = raw.slice(second + 1);
    if (operator === 'in' || operator === 'between') parts.push(...valueText.split(','));
    else parts.push(valueText);
    const values = parts.map((v) => v.split('\u0000').join(','));
    if (operator === 'between' && values.length !== 2) throw new CriteriaError('between needs two values');
    if (++conditions > MAX_CONDITIONS) throw new CriteriaError(`more than ${MAX_CONDITIONS} conditions`);
    return { kind: 'cond', field, operator, values };
  };
  const parseGroup = (): Node => {
    expect('(');
    let node: Node;
    if (s[i] === '(') {
      const items: Node[] = [parseGroup()];
      let op: 'and' | 'or' | undefined;
      const ors: Node[][] = [[items[0]]];
      for (;;) {
        const rest = s.slice(i, i + 3).toLowerCase();
        let next: 'and' | 'or' | undefined;
        if (rest.startsWith('and')) next = 'and';
        else if (rest.startsWith('or')) next = 'or';
        if (!next) break;
        i += next.length;
        op = op ?? next;
        const g = parseGroup();
        if (next === 'and') ors[ors.length - 1].push(g);
        else ors.push([g]);
      }
      // "and" binds tighter than "or"
      const ands: Node[] = ors.map((list) => (list.length === 1 ? list[0] : { kind: 'group', op: 'and', items: list }));
      node = ands.length === 1 ? ands[0] : { kind: 'group', op: 'or', items: ands };
    } else {
      node = parseCondition();
    }
    expect(')');
    return node;
  };
  if (!s.startsWith('(')) {
    // Zoho accepts a single condition without the outer parentheses too.
    const wrapped = parseCriteria(`(${s})`);
    return wrapped;
  }
  const node = parseGroup();
  if (i !== s.length) fail('unexpected trailing text');
  return node;
}

export type ValueKind = 'string' | 'number' | 'datetime' | 'date' | 'boolean' | 'lookup';

export interface CriteriaSchema {
  /** Kind of a field (or `Lookup.id` / `Lookup.name` path); undefined when unknown. */
  kindOf(field: string): ValueKind | undefined;
}

/** Checks fields and operators against a schema; throws CriteriaError naming the problem. */
export function validateCriteria(node: Node, schema: CriteriaSchema): void {
  if (node.kind === 'group') {
    for (const n of node.items) validateCriteria(n, schema);
    return;
  }
  const kind = schema.kindOf(node.field);
  if (!kind) throw new CriteriaError(`invalid field ${node.field}`);
  const ordered = ['greater_than', 'greater_equal', 'less_than', 'less_equal', 'between'].includes(node.operator);
  if (ordered && !(kind === 'number' || kind === 'datetime' || kind === 'date')) throw new CriteriaError(`operator ${node.operator} not supported for ${node.field}`);
  if (node.operator === 'starts_with' && kind !== 'string' && kind !== 'lookup') throw new CriteriaError(`operator starts_with not supported for ${node.field}`);
  for (const v of node.values) {
    if (kind === 'number' && Number.isNaN(Number(v))) throw new CriteriaError(`invalid value for ${node.field}`);
    if (kind === 'datetime' && Number.isNaN(parseDateTime(v.trim()))) throw new CriteriaError(`invalid datetime for ${node.field}`);
  }
}

function norm(kind: ValueKind, v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'number':
      return Number(v);
    case 'datetime':
      return typeof v === 'number' ? v : parseDateTime(String(v).trim());
    default:
      return String(v).toLowerCase();
  }
}

/** Evaluates a parsed criteria tree; `get` returns a field's value (lookups as {id,name}). */
export function matches(node: Node, get: (field: string) => unknown, schema: CriteriaSchema): boolean {
  if (node.kind === 'group') {
    return node.op === 'and' ? node.items.every((n) => matches(n, get, schema)) : node.items.some((n) => matches(n, get, schema));
  }
  const kind = schema.kindOf(node.field) ?? 'string';
  const raw = get(node.field);
  // A lookup compares by id or by name.
  const candidates: unknown[] =
    kind === 'lookup' && raw && typeof raw === 'object' ? [(raw as { id?: unknown }).id, (raw as { name?: unknown }).name] : [raw];
  const cmpKind: ValueKind = kind === 'lookup' ? 'string' : kind;
  const combine = node.operator === 'not_equal' ? candidates.every.bind(candidates) : candidates.some.bind(candidates);
  return combine((c) => {
    const a = norm(cmpKind, c);
    const vs = node.values.map((v) => norm(cmpKind, v));
    switch (node.operator) {
      case 'equals':
        return a !== null && a === vs[0];
      case 'not_equal':
        return a !== vs[0];
      case 'in':
        return a !== null && vs.includes(a);
      case 'starts_with':
        return typeof a === 'string' && typeof vs[0] === 'string' && a.startsWith(vs[0]);
      case 'greater_than':
        return a !== null && vs[0] !== null && a > vs[0];
      case 'greater_equal':
        return a !== null && vs[0] !== null && a >= vs[0];
      case 'less_than':
        return a !== null && vs[0] !== null && a < vs[0];
      case 'less_equal':
        return a !== null && vs[0] !== null && a <= vs[0];
      case 'between':
        return a !== null && vs[0] !== null && vs[1] !== null && a >= vs[0] && a <= vs[1];
    }
    return false;
  });
}
