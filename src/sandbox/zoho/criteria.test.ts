import { describe, expect, it } from 'vitest';
import { CriteriaError, matches, parseCriteria, validateCriteria, type CriteriaSchema, type ValueKind } from './criteria';

const KINDS: Record<string, ValueKind> = { Last_Name: 'string', First_Name: 'string', Email: 'string', Loyalty_Score: 'number', Modified_Time: 'datetime', Account_Name: 'lookup', 'Account_Name.id': 'string', Closing_Date: 'date' };
const schema: CriteriaSchema = { kindOf: (f) => KINDS[f] };

describe('Zoho search criteria', () => {
  it('parses a single condition, with or without outer parentheses', () => {
    expect(parseCriteria('(Last_Name:equals:Burns)')).toEqual({ kind: 'cond', field: 'Last_Name', operator: 'equals', values: ['Burns'] });
    expect(parseCriteria('Last_Name:equals:Burns')).toEqual({ kind: 'cond', field: 'Last_Name', operator: 'equals', values: ['Burns'] });
  });

  it('parses and/or groups with escapes, in and between lists, and datetime values with colons', () => {
    const node = parseCriteria('((Last_Name:equals:Burns\\,B)and(First_Name:in:Ada,Grace)or(Modified_Time:between:2024-01-01T00:00:00+00:00,2024-02-01T00:00:00+00:00))');
    expect(node).toEqual({
      kind: 'group', op: 'or', items: [
        { kind: 'group', op: 'and', items: [
          { kind: 'cond', field: 'Last_Name', operator: 'equals', values: ['Burns,B'] },
          { kind: 'cond', field: 'First_Name', operator: 'in', values: ['Ada', 'Grace'] },
        ] },
        { kind: 'cond', field: 'Modified_Time', operator: 'between', values: ['2024-01-01T00:00:00+00:00', '2024-02-01T00:00:00+00:00'] },
      ],
    });
    expect(parseCriteria('(Company:equals:Acme \\(US\\))')).toEqual({ kind: 'cond', field: 'Company', operator: 'equals', values: ['Acme (US)'] });
  });

  it('rejects malformed criteria, unknown operators and more than 10 conditions', () => {
    expect(() => parseCriteria('(Last_Name:equals:Burns')).toThrow(CriteriaError);
    expect(() => parseCriteria('(Last_Name:like:Burns)')).toThrow(/unsupported operator/);
    expect(() => parseCriteria('(Last_Name)')).toThrow(CriteriaError);
    expect(() => parseCriteria('((A:equals:1)xor(B:equals:2))')).toThrow(CriteriaError);
    expect(() => parseCriteria('(Loyalty_Score:between:1)')).toThrow(/two values/);
    const eleven = `(${Array.from({ length: 11 }, (_, i) => `(Last_Name:equals:x${i})`).join('or')})`;
    expect(() => parseCriteria(eleven)).toThrow(/more than 10/);
  });

  it('validates fields and operators against the module schema', () => {
    expect(() => validateCriteria(parseCriteria('(Nope:equals:1)'), schema)).toThrow(/invalid field/);
    expect(() => validateCriteria(parseCriteria('(Last_Name:greater_than:A)'), schema)).toThrow(/not supported/);
    expect(() => validateCriteria(parseCriteria('(Loyalty_Score:equals:abc)'), schema)).toThrow(/invalid value/);
    expect(() => validateCriteria(parseCriteria('(Modified_Time:greater_than:yesterday)'), schema)).toThrow(/invalid datetime/);
    expect(() => validateCriteria(parseCriteria('((Loyalty_Score:greater_equal:10)and(Account_Name.id:equals:1))'), schema)).not.toThrow();
  });

  it('evaluates every operator', () => {
    const rec: Record<string, unknown> = {
      Last_Name: 'Lovelace', First_Name: 'Ada', Loyalty_Score: 42, Modified_Time: Date.parse('2024-03-01T10:00:00Z'),
      Account_Name: { name: 'Acme Labs', id: '3652397002000000001' }, 'Account_Name.id': '3652397002000000001', Closing_Date: '2024-05-01',
    };
    const m = (c: string) => matches(parseCriteria(c), (f) => rec[f], schema);
    expect(m('(Last_Name:equals:lovelace)')).toBe(true); // case-insensitive
    expect(m('(Last_Name:not_equal:Turing)')).toBe(true);
    expect(m('(Last_Name:starts_with:Love)')).toBe(true);
    expect(m('(First_Name:in:Grace,Ada)')).toBe(true);
    expect(m('(Loyalty_Score:greater_than:41)')).toBe(true);
    expect(m('(Loyalty_Score:greater_equal:42)')).toBe(true);
    expect(m('(Loyalty_Score:less_than:42)')).toBe(false);
    expect(m('(Loyalty_Score:less_equal:42)')).toBe(true);
    expect(m('(Loyalty_Score:between:40,50)')).toBe(true);
    expect(m('(Modified_Time:greater_than:2024-03-01T09:59:59+00:00)')).toBe(true);
    expect(m('(Modified_Time:greater_than:2024-03-01T12:00:01+02:00)')).toBe(false);
    expect(m('(Closing_Date:less_than:2024-06-01)')).toBe(true);
    expect(m('(Account_Name:equals:Acme Labs)')).toBe(true);
    expect(m('(Account_Name:equals:3652397002000000001)')).toBe(true);
    expect(m('(Account_Name:not_equal:Acme Labs)')).toBe(false);
    expect(m('((Last_Name:equals:Turing)or(First_Name:equals:Ada))')).toBe(true);
    expect(m('((Last_Name:equals:Turing)and(First_Name:equals:Ada))')).toBe(false);
  });
});
