/**
 * A SOQL subset: SELECT <fields | COUNT() | FIELDS(ALL|STANDARD|CUSTOM)> FROM <object>
 * [WHERE <condition>] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n].
 * Conditions: =, !=, <>, <, <=, >, >=, LIKE, IN (...), NOT IN (...), AND, OR, NOT, parentheses;
 * literals: 'strings', numbers, true/false, null, unquoted ISO datetimes and dates, and the date
 * literals TODAY, YESTERDAY, TOMORROW, LAST_N_DAYS:n, NEXT_N_DAYS:n.
 * Errors are thrown as SoqlError with Salesforce's error code and message layout.
 */

export class SoqlError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

/** Salesforce's layout: the query, a caret under the offending column, row/column, the reason. */
export function soqlError(errorCode: string, soql: string, pos: number, reason: string): SoqlError {
  const before = soql.slice(0, pos);
  const row = before.split('\n').length;
  const col = pos - (before.lastIndexOf('\n') + 1) + 1;
  const line = soql.split('\n')[row - 1] ?? '';
  return new SoqlError(errorCode, `\n${line}\n${' '.repeat(Math.max(0, col - 1))}^\nERROR at Row:${row}:Column:${col}\n${reason}`);
}

type TokType = 'ident' | 'string' | 'number' | 'datetime' | 'date' | 'op' | 'punct' | 'eof';

interface Token {
  type: TokType;
  text: string;
  /** Decoded value for strings. */
  value?: string;
  pos: number;
}

const DATETIME_RE = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})/y;
const DATE_RE = /\d{4}-\d{2}-\d{2}(?![\dT])/y;
const NUMBER_RE = /[+-]?(\d+(\.\d*)?|\.\d+)/y;
const IDENT_RE = /[A-Za-z_][A-Za-z0-9_.]*(:\d+)?/y;

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const sticky = (re: RegExp) => {
    re.lastIndex = i;
    const m = re.exec(s);
    return m ? m[0] : null;
  };
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === "'") {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= s.length) throw soqlError('MALFORMED_QUERY', s, i, 'line 1:' + i + ' mismatched character \'<EOF>\' expecting \'\'\'');
        const ch = s[j];
        if (ch === '\\') {
          const n = s[j + 1];
          const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', "'": "'", '"': '"', '\\': '\\', _: '\\_', '%': '\\%' };
          if (n === 'u') {
            v += String.fromCharCode(parseInt(s.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          if (n === undefined || !(n in map)) throw soqlError('MALFORMED_QUERY', s, j, `Invalid string literal '${s.slice(i, j + 2)}'. Illegal character sequence '\\${n ?? ''}' in string literal.`);
          v += map[n];
          j += 2;
          continue;
        }
        if (ch === "'") break;
        v += ch;
        j++;
      }
      out.push({ type: 'string', text: s.slice(i, j + 1), value: v, pos: i });
      i = j + 1;
      continue;
    }
    let m: string | null;
    if ((m = sticky(DATETIME_RE))) {
      out.push({ type: 'datetime', text: m, pos: i });
      i += m.length;
      continue;
    }
    if ((m = sticky(DATE_RE))) {
      out.push({ type: 'date', text: m, pos: i });
      i += m.length;
      continue;
    }
    if (/[\d.]/.test(c) || ((c === '-' || c === '+') && /[\d.]/.test(s[i + 1] ?? ''))) {
      if ((m = sticky(NUMBER_RE))) {
        out.push({ type: 'number', text: m, pos: i });
        i += m.length;
        continue;
      }
    }
    if ((m = sticky(IDENT_RE))) {
      out.push({ type: 'ident', text: m, pos: i });
      i += m.length;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      out.push({ type: 'op', text: two === '<>' ? '!=' : two, pos: i });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      out.push({ type: 'op', text: c, pos: i });
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ type: 'punct', text: c, pos: i });
      i++;
      continue;
    }
    throw soqlError('MALFORMED_QUERY', s, i, `unexpected token: '${c}'`);
  }
  out.push({ type: 'eof', text: '<EOF>', pos: s.length });
  return out;
}

export type LiteralType = 'string' | 'number' | 'boolean' | 'null' | 'datetime' | 'date' | 'dateLiteral';

export interface Literal {
  type: LiteralType;
  /** string value / number / boolean / datetime or date text / date literal name (upper case). */
  value: string | number | boolean | null;
  /** For LAST_N_DAYS:n style literals. */
  n?: number;
  pos: number;
  text: string;
}

export interface FieldRef {
  name: string;
  pos: number;
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'cmp'; field: FieldRef; op: CompareOp; value: Literal }
  | { kind: 'in'; field: FieldRef; not: boolean; values: Literal[] }
  | { kind: 'like'; field: FieldRef; pattern: Literal };

export interface OrderItem {
  field: FieldRef;
  desc: boolean;
  nullsLast: boolean;
}

export interface SoqlQuery {
  soql: string;
  /** Plain field names; empty with count or fieldsMacro. */
  fields: FieldRef[];
  count: boolean;
  fieldsMacro?: { kind: 'ALL' | 'STANDARD' | 'CUSTOM'; pos: number };
  object: FieldRef;
  where?: Condition;
  orderBy: OrderItem[];
  limit?: number;
  offset?: number;
  limitPos?: number;
}

const DATE_LITERALS = new Set(['TODAY', 'YESTERDAY', 'TOMORROW', 'LAST_WEEK', 'THIS_WEEK', 'NEXT_WEEK', 'LAST_MONTH', 'THIS_MONTH', 'NEXT_MONTH', 'LAST_90_DAYS', 'NEXT_90_DAYS', 'THIS_YEAR', 'LAST_YEAR', 'NEXT_YEAR']);
const DATE_LITERALS_N = new Set(['LAST_N_DAYS', 'NEXT_N_DAYS']);
const RESERVED = new Set(['SELECT', 'FROM', 'WHERE', 'ORDER', 'BY', 'LIMIT', 'OFFSET', 'AND', 'OR', 'NOT', 'IN', 'LIKE', 'ASC', 'DESC', 'NULLS', 'FIRST', 'LAST', 'GROUP', 'HAVING']);

class Parser {
  private i = 0;
  constructor(
    private readonly soql: string,
    private readonly toks: Token[],
  ) {}

  private get t(): Token {
    return this.toks[this.i];
  }

  private fail(tok = this.t, reason?: string): never {
    throw soqlError('MALFORMED_QUERY', this.soql, tok.pos, reason ?? `unexpected token: ${tok.type === 'eof' ? '<EOF>' : `'${tok.text}'`}`);
  }

  private isKw(kw: string, tok = this.t): boolean {
    return tok.type === 'ident' && tok.text.toUpperCase() === kw;
  }

  private expectKw(kw: string): Token {
    if (!this.isKw(kw)) this.fail();
    return this.toks[this.i++];
  }

  private expectPunct(p: string): void {
    if (this.t.type !== 'punct' || this.t.text !== p) this.fail();
    this.i++;
  }

  private fieldName(): FieldRef {
    const tok = this.t;
    if (tok.type !== 'ident' || RESERVED.has(tok.text.toUpperCase())) this.fail();
    this.i++;
    return { name: tok.text, pos: tok.pos };
  }

  parse(): SoqlQuery {
    this.expectKw('SELECT');
    const q: SoqlQuery = { soql: this.soql, fields: [], count: false, object: { name: '', pos: 0 }, orderBy: [] };
    const next = this.toks[this.i + 1];
    if (this.isKw('COUNT') && next.type === 'punct' && next.text === '(') {
      this.i += 2;
      this.expectPunct(')');
      q.count = true;
    } else if (this.isKw('FIELDS') && next.type === 'punct' && next.text === '(') {
      const pos = this.t.pos;
      this.i += 2;
      const kind = this.t.text.toUpperCase();
      if (this.t.type !== 'ident' || (kind !== 'ALL' && kind !== 'STANDARD' && kind !== 'CUSTOM')) this.fail();
      this.i++;
      this.expectPunct(')');
      q.fieldsMacro = { kind: kind as 'ALL' | 'STANDARD' | 'CUSTOM', pos };
    } else {
      for (;;) {
        const tok = this.t;
        const after = this.toks[this.i + 1];
        if (tok.type === 'ident' && after.type === 'punct' && after.text === '(') this.fail(tok, `Aggregate functions other than COUNT() are not supported by this sandbox: '${tok.text}'`);
        if (tok.type === 'punct' && tok.text === '(') this.fail(tok, 'Nested (child relationship) queries are not supported by this sandbox');
        q.fields.push(this.fieldName());
        if (this.t.type === 'punct' && this.t.text === ',') {
          this.i++;
          continue;
        }
        break;
      }
    }
    this.expectKw('FROM');
    q.object = this.fieldName();
    if (this.isKw('WHERE')) {
      this.i++;
      q.where = this.orExpr();
    }
    if (this.isKw('ORDER')) {
      this.i++;
      this.expectKw('BY');
      for (;;) {
        const field = this.fieldName();
        let desc = false;
        if (this.isKw('ASC')) this.i++;
        else if (this.isKw('DESC')) {
          desc = true;
          this.i++;
        }
        let nullsLast = desc;
        if (this.isKw('NULLS')) {
          this.i++;
          if (this.isKw('FIRST')) nullsLast = false;
          else if (this.isKw('LAST')) nullsLast = true;
          else this.fail();
          this.i++;
        }
        q.orderBy.push({ field, desc, nullsLast });
        if (this.t.type === 'punct' && this.t.text === ',') {
          this.i++;
          continue;
        }
        break;
      }
    }
    if (this.isKw('LIMIT')) {
      q.limitPos = this.t.pos;
      this.i++;
      q.limit = this.nonNegativeInt();
    }
    if (this.isKw('OFFSET')) {
      this.i++;
      const pos = this.t.pos;
      q.offset = this.nonNegativeInt();
      if (q.offset > 2000) throw soqlError('NUMBER_OUTSIDE_VALID_RANGE', this.soql, pos, 'Maximum SOQL offset allowed is 2000');
    }
    if (this.t.type !== 'eof') this.fail();
    return q;
  }

  private nonNegativeInt(): number {
    const tok = this.t;
    if (tok.type !== 'number' || !/^\d+$/.test(tok.text)) this.fail();
    this.i++;
    return Number(tok.text);
  }

  private orExpr(): Condition {
    const items = [this.andExpr()];
    while (this.isKw('OR')) {
      this.i++;
      items.push(this.andExpr());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  private andExpr(): Condition {
    const items = [this.notExpr()];
    while (this.isKw('AND')) {
      this.i++;
      items.push(this.notExpr());
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  private notExpr(): Condition {
    if (this.isKw('NOT')) {
      this.i++;
      return { kind: 'not', item: this.notExpr() };
    }
    if (this.t.type === 'punct' && this.t.text === '(') {
      this.i++;
      const c = this.orExpr();
      this.expectPunct(')');
      return c;
    }
    return this.comparison();
  }

  private comparison(): Condition {
    const field = this.fieldName();
    const tok = this.t;
    if (tok.type === 'op') {
      this.i++;
      return { kind: 'cmp', field, op: tok.text as CompareOp, value: this.literal() };
    }
    if (this.isKw('LIKE')) {
      this.i++;
      return { kind: 'like', field, pattern: this.literal() };
    }
    let not = false;
    if (this.isKw('NOT') && this.isKw('IN', this.toks[this.i + 1])) {
      not = true;
      this.i++;
    }
    if (this.isKw('IN')) {
      this.i++;
      this.expectPunct('(');
      if (this.isKw('SELECT')) this.fail(this.t, 'Semi-join sub-selects are not supported by this sandbox');
      const values = [this.literal()];
      while (this.t.type === 'punct' && this.t.text === ',') {
        this.i++;
        values.push(this.literal());
      }
      this.expectPunct(')');
      return { kind: 'in', field, not, values };
    }
    return this.fail();
  }

  private literal(): Literal {
    const tok = this.t;
    this.i++;
    switch (tok.type) {
      case 'string':
        return { type: 'string', value: tok.value ?? '', pos: tok.pos, text: tok.text };
      case 'number':
        return { type: 'number', value: Number(tok.text), pos: tok.pos, text: tok.text };
      case 'datetime':
        return { type: 'datetime', value: tok.text, pos: tok.pos, text: tok.text };
      case 'date':
        return { type: 'date', value: tok.text, pos: tok.pos, text: tok.text };
      case 'ident': {
        const up = tok.text.toUpperCase();
        if (up === 'TRUE' || up === 'FALSE') return { type: 'boolean', value: up === 'TRUE', pos: tok.pos, text: tok.text };
        if (up === 'NULL') return { type: 'null', value: null, pos: tok.pos, text: tok.text };
        if (DATE_LITERALS.has(up)) return { type: 'dateLiteral', value: up, pos: tok.pos, text: tok.text };
        const m = /^([A-Z_0-9]+):(\d+)$/.exec(up);
        if (m && DATE_LITERALS_N.has(m[1])) return { type: 'dateLiteral', value: m[1], n: Number(m[2]), pos: tok.pos, text: tok.text };
        break;
      }
    }
    this.i--;
    return this.fail();
  }
}

export function parseSoql(soql: string): SoqlQuery {
  if (typeof soql !== 'string' || soql.trim() === '') throw new SoqlError('MALFORMED_QUERY', 'A query string has to be specified');
  return new Parser(soql, lex(soql)).parse();
}
