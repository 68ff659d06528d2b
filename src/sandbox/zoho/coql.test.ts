import { describe, expect, it } from 'vitest';
import { CoqlError, evalCoql, parseCoql } from './coql';
import type { CriteriaSchema, ValueKind } from './criteria';

const KINDS: Record<string, ValueKind> = { Last_Name: 'string', Email: 'string', Loyalty_Score: 'number', Modified_Time: 'datetime', Account_Name: 'lookup', Title: 'string' };
const schema: CriteriaSchema = { kindOf: (f) => KINDS[f] };

describe('COQL subset', () => {
  it('parses select, where, order by and the limit forms', () => {
    const q = parseCoql("select Last_Name, Email from Contacts where (Modified_Time > '2024-01-01T00:00:00+00:00' and Loyalty_Score >= 10) or Last_Name like 'Lo%' order by Modified_Time desc limit 5, 200");
    expect(q.fields).toEqual(['Last_Name', 'Email']);
    expect(q.module).toBe('Contacts');
    expect(q.orderBy).toEqual({ field: 'Modified_Time', order: 'desc' });
    expect([q.offset, q.limit]).toEqual([5, 200]);
    expect(q.where).toEqual({
      kind: 'or', items: [
        { kind: 'and', items: [
          { kind: 'cmp', field: 'Modified_Time', op: '>', values: ['2024-01-01T00:00:00+00:00'] },
          { kind: 'cmp', field: 'Loyalty_Score', op: '>=', values: [10] },
        ] },
        { kind: 'cmp', field: 'Last_Name', op: 'like', values: ['Lo%'] },
      ],
    });
    expect(parseCoql('select id from Deals limit 10 offset 20')).toMatchObject({ offset: 20, limit: 10 });
    expect(parseCoql("SELECT Last_Name FROM Leads WHERE Title is not null and Email not in ('a', 'b\\'c')").where).toEqual({
      kind: 'and', items: [{ kind: 'cmp', field: 'Title', op: 'is not null', values: [] }, { kind: 'cmp', field: 'Email', op: 'not in', values: ['a', "b'c"] }],
    });
  });

  it('reports syntax errors and the 2,000 row limit', () => {
    expect(() => parseCoql('select from Contacts')).toThrow(CoqlError);
    expect(() => parseCoql("select Last_Name from Contacts where Last_Name = 'x")).toThrow(/unterminated/);
    expect(() => parseCoql('select Last_Name from Contacts where Last_Name ~ 1')).toThrow(CoqlError);
    expect(() => parseCoql('select Last_Name from Contacts limit 2001')).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
  });

  it('evaluates conditions', () => {
    const rec: Record<string, unknown> = { Last_Name: 'Lovelace', Email: null, Loyalty_Score: 42, Modified_Time: Date.parse('2024-03-01T00:00:00Z'), Account_Name: { id: '7', name: 'Acme' }, Title: 'CEO' };
    const ev = (where: string) => evalCoql(parseCoql(`select Last_Name from Contacts where ${where}`).where as never, (f) => rec[f], schema);
    expect(ev("Last_Name like 'love%'")).toBe(true);
    expect(ev("Last_Name not like '%x%'")).toBe(true);
    expect(ev('Email is null')).toBe(true);
    expect(ev('Loyalty_Score between 40 and 50')).toBe(true);
    expect(ev("Modified_Time >= '2024-03-01T00:00:00+00:00' and Title in ('CTO', 'CEO')")).toBe(true);
    expect(ev("Account_Name = '7'")).toBe(true);
    expect(ev("Title != 'CEO' or Loyalty_Score < 40")).toBe(false);
  });
});
