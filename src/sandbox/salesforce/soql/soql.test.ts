import { describe, expect, it } from 'vitest';
import { SalesforceRuntime } from '../runtime';
import { compileQuery } from './compile';
import { runQuery } from './execute';
import { parseSoql, SoqlError } from './parser';

const runtime = new SalesforceRuntime({ seed: 3, contacts: 2000 });
const org = runtime.org('sandbox-org-1');
const NOW = Date.UTC(2026, 10, 21, 12);

function rows(soql: string, queryAll = false) {
  const c = compileQuery(parseSoql(soql), NOW);
  const run = runQuery(org.stores[c.object.name], c, queryAll);
  const out = [];
  for (let r = run.rows.next(); !r.done; r = run.rows.next()) out.push(r.value.rec);
  return { total: run.totalSize, records: out, compiled: c };
}

function error(soql: string): SoqlError {
  try {
    compileQuery(parseSoql(soql), NOW);
  } catch (e) {
    if (e instanceof SoqlError) return e;
    throw e;
  }
  throw new Error(`no error for ${soql}`);
}

describe('SOQL parser', () => {
  it('parses fields, conditions with precedence, order, limit and offset', () => {
    const q = parseSoql("select Id, name FROM contact WHERE (LastName = 'O\\'Brien' OR Email LIKE '%@x.com') AND NOT IsDeleted = true ORDER BY Name DESC NULLS LAST, Id LIMIT 10 OFFSET 5");
    expect(q.fields.map((f) => f.name)).toEqual(['Id', 'name']);
    expect(q.object.name).toBe('contact');
    expect(q.where).toMatchObject({ kind: 'and', items: [{ kind: 'or' }, { kind: 'not' }] });
    expect((q.where as any).items[0].items[0].value.value).toBe("O'Brien");
    expect(q.orderBy).toEqual([
      { field: { name: 'Name', pos: expect.any(Number) }, desc: true, nullsLast: true },
      { field: { name: 'Id', pos: expect.any(Number) }, desc: false, nullsLast: false },
    ]);
    expect(q.limit).toBe(10);
    expect(q.offset).toBe(5);
    expect(parseSoql('SELECT COUNT() FROM Account').count).toBe(true);
    expect(parseSoql('SELECT Id FROM Task WHERE CreatedDate > 2024-01-01T00:00:00.000+0000 AND ActivityDate < 2025-01-01').where).toMatchObject({
      items: [{ value: { type: 'datetime' } }, { value: { type: 'date' } }],
    });
  });

  it('reports malformed queries with Salesforce layout', () => {
    const e = error('SELECT Id FROM Contact WHERE');
    expect(e.errorCode).toBe('MALFORMED_QUERY');
    expect(e.message).toBe('\nSELECT Id FROM Contact WHERE\n                            ^\nERROR at Row:1:Column:29\nunexpected token: <EOF>');
    expect(error('SELECT Id FROM Contact LIMIT x').errorCode).toBe('MALFORMED_QUERY');
    expect(error('SELECT Id FROM Contact WHERE Name = abc').errorCode).toBe('MALFORMED_QUERY');
    expect(error("SELECT Id FROM Contact WHERE Name = 'x").errorCode).toBe('MALFORMED_QUERY');
    expect(error('SELECT Id FROM Contact OFFSET 2001')).toMatchObject({ errorCode: 'NUMBER_OUTSIDE_VALID_RANGE' });
    expect(error('SELECT Id FROM Contact OFFSET 2001').message).toContain('Maximum SOQL offset allowed is 2000');
  });
});

describe('SOQL semantic errors', () => {
  it('INVALID_TYPE, INVALID_FIELD, literal types and ids', () => {
    expect(error('SELECT Id FROM Foo__c')).toMatchObject({ errorCode: 'INVALID_TYPE' });
    expect(error('SELECT Id FROM Foo__c').message).toContain("sObject type 'Foo__c' is not supported.");
    const f = error('SELECT Id, Tier FROM Account');
    expect(f.errorCode).toBe('INVALID_FIELD');
    expect(f.message).toContain("No such column 'Tier' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c'");
    expect(f.message).toContain('ERROR at Row:1:Column:12');
    expect(error("SELECT Id FROM Contact WHERE CreatedDate > '2024-01-01T00:00:00Z'").message).toContain(
      "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes",
    );
    expect(error('SELECT Id FROM Contact WHERE CreatedDate > 2024-01-01')).toMatchObject({ errorCode: 'INVALID_FIELD' });
    expect(error("SELECT Id FROM Contact WHERE Loyalty_Score__c > '5'")).toMatchObject({ errorCode: 'INVALID_FIELD' });
    expect(error("SELECT Id FROM Contact WHERE Id = 'nope'")).toMatchObject({ errorCode: 'INVALID_QUERY_FILTER_OPERATOR' });
    expect(error('SELECT Account.Name FROM Contact')).toMatchObject({ errorCode: 'INVALID_FIELD' });
    expect(error('SELECT FIELDS(ALL) FROM Contact')).toMatchObject({ errorCode: 'MALFORMED_QUERY' });
    expect(error('SELECT Id, id FROM Contact')).toMatchObject({ errorCode: 'INVALID_FIELD' });
  });
});

describe('SOQL evaluation', () => {
  it('filters with =, !=, IN, NOT IN, LIKE (case-insensitive), null, and OR', () => {
    const first = org.stores.Contact.segments[0].peek(0)!;
    expect(rows(`SELECT Id FROM Contact WHERE Email = '${String(first.Email).toUpperCase()}'`).records.map((r) => r.Id)).toEqual([first.Id]);
    const ids = [org.id('Contact', 5), org.id('Contact', 7).slice(0, 15)];
    expect(rows(`SELECT Id FROM Contact WHERE Id IN ('${ids[0]}', '${ids[1]}')`).records.map((r) => r.Id)).toEqual([org.id('Contact', 5), org.id('Contact', 7)]);
    const gold = rows("SELECT Id, Tier__c FROM Account WHERE Tier__c = 'gold'");
    expect(gold.total).toBeGreaterThan(0);
    expect(gold.records.every((r) => r.Tier__c === 'Gold')).toBe(true);
    const notGold = rows("SELECT Id FROM Account WHERE Tier__c NOT IN ('Gold')").total;
    expect(gold.total + notGold).toBe(org.stores.Account.liveCount);
    const like = rows("SELECT Id, Name FROM Account WHERE Name LIKE 'acme%'");
    expect(like.records.every((r) => String(r.Name).startsWith('Acme'))).toBe(true);
    expect(like.total).toBeGreaterThan(0);
    expect(rows('SELECT Id FROM Contact WHERE Description = null').total).toBe(2000);
    expect(rows('SELECT Id FROM Contact WHERE Description != null').total).toBe(0);
    const both = rows(`SELECT Id FROM Contact WHERE Id = '${org.id('Contact', 1)}' OR Id = '${org.id('Contact', 2)}'`);
    expect(both.total).toBe(2);
    expect(rows("SELECT Id FROM Task WHERE TaskSubtype = 'Call'").total).toBe(org.ds.counts.calls);
  });

  it('compares datetimes, dates and numbers; date literals', () => {
    const r = rows('SELECT Id, CreatedDate FROM Contact WHERE CreatedDate >= 2024-06-01T00:00:00Z AND CreatedDate < 2024-07-01T00:00:00+00:00');
    expect(r.total).toBeGreaterThan(0);
    expect(r.records.every((x) => String(x.CreatedDate) >= '2024-06-01T00:00:00.000+0000' && String(x.CreatedDate) < '2024-07-01')).toBe(true);
    const d = rows('SELECT Id, CloseDate FROM Opportunity WHERE CloseDate <= 2024-03-01');
    expect(d.records.every((x) => String(x.CloseDate) <= '2024-03-01')).toBe(true);
    const n = rows('SELECT Id FROM Contact WHERE Loyalty_Score__c > 90');
    expect(n.records.every((x) => (org.stores.Contact.find(x.Id as string)!.rec.Loyalty_Score__c as number) > 90)).toBe(true);
    expect(rows('SELECT Id FROM Contact WHERE CreatedDate = LAST_N_DAYS:30').total).toBe(0);
    expect(rows('SELECT Id FROM Contact WHERE CreatedDate < LAST_N_DAYS:30').total).toBe(2000);
  });

  it('orders by other fields with a sort, DESC and NULLS; OFFSET and LIMIT', () => {
    const r = rows('SELECT Id, Name FROM Account ORDER BY Name DESC LIMIT 5 OFFSET 2');
    expect(r.records).toHaveLength(5);
    const names = r.records.map((x) => String(x.Name).toLowerCase());
    expect([...names].sort().reverse()).toEqual(names);
    expect(r.compiled.order).toBe('sort');
  });

  it('plans Id > x ORDER BY Id LIMIT n and SystemModstamp ranges without scanning', () => {
    const k = rows(`SELECT Id FROM Contact WHERE Id > '${org.id('Contact', 1500)}' ORDER BY Id LIMIT 3`);
    expect(k.compiled.order).toBe('id');
    expect(k.compiled.idLo).toEqual({ value: org.id('Contact', 1500), inclusive: false });
    expect(k.records.map((r) => r.Id)).toEqual([1501, 1502, 1503].map((i) => org.id('Contact', i)));
    const since = org.stores.Contact.segments[0].peek(1000)!.SystemModstamp as string;
    const m = rows(`SELECT Id, SystemModstamp FROM Contact WHERE SystemModstamp > ${since} ORDER BY SystemModstamp, Id LIMIT 10`);
    expect(m.compiled.order).toBe('modstamp');
    expect(m.records).toHaveLength(10);
    expect(m.records.every((r) => String(r.SystemModstamp) > since)).toBe(true);
    // Counting would be a full scan: the planner must not evaluate the predicate on every row.
    let calls = 0;
    const c = compileQuery(parseSoql(`SELECT Id FROM Contact WHERE Id > '${org.id('Contact', 10)}' ORDER BY Id LIMIT 5`), NOW);
    const p = c.predicate!;
    c.predicate = (rec) => (calls++, p(rec));
    runQuery(org.stores.Contact, c, false);
    expect(calls).toBe(5);
  });

  it('plans LastModifiedDate like SystemModstamp for live rows, and sorts when deleted rows are included', () => {
    const rt = new SalesforceRuntime({ seed: 11, contacts: 300 });
    const o = rt.org('sandbox-org-1');
    const store = o.stores.Contact;
    const t0 = Date.now();
    o.update(store, store.find(o.id('Contact', 5))!, { Title: 'x' }, t0 + 1000);
    o.remove(store, store.find(o.id('Contact', 7))!, t0 + 2000);
    o.update(store, store.find(o.id('Contact', 9))!, { Title: 'y' }, t0 + 3000);
    const since = new Date(t0).toISOString();
    const c = compileQuery(parseSoql(`SELECT Id FROM Contact WHERE LastModifiedDate > ${since} ORDER BY LastModifiedDate, Id`), NOW);
    expect(c.order).toBe('modstamp');
    const ids = (all: boolean) => {
      const run = runQuery(store, c, all);
      const out = [];
      for (let r = run.rows.next(); !r.done; r = run.rows.next()) out.push(r.value.rec.Id);
      return out;
    };
    expect(ids(false)).toEqual([o.id('Contact', 5), o.id('Contact', 9)]);
    // Contact 7 kept its LastModifiedDate (before t0) when it was deleted: not matched.
    expect(ids(true)).toEqual([o.id('Contact', 5), o.id('Contact', 9)]);
    const byStamp = compileQuery(parseSoql(`SELECT Id FROM Contact WHERE SystemModstamp > ${since} ORDER BY SystemModstamp`), NOW);
    const run = runQuery(store, byStamp, true);
    expect(run.totalSize).toBe(3);
  });

  it('queryAll sees deleted rows with IsDeleted = true, query does not', () => {
    const rt = new SalesforceRuntime({ seed: 9, contacts: 50 });
    const o = rt.org('sandbox-org-1');
    const store = o.stores.Contact;
    o.remove(store, store.find(o.id('Contact', 3))!, Date.now());
    const c = compileQuery(parseSoql('SELECT Id, IsDeleted FROM Contact WHERE IsDeleted = true'), NOW);
    const count = (all: boolean) => runQuery(store, c, all).totalSize;
    expect(count(false)).toBe(0);
    expect(count(true)).toBe(1);
    expect(runQuery(store, compileQuery(parseSoql('SELECT Id FROM Contact'), NOW), false).totalSize).toBe(49);
    expect(runQuery(store, compileQuery(parseSoql('SELECT Id FROM Contact'), NOW), true).totalSize).toBe(50);
  });
});
