import { describe, expect, it } from 'vitest';
import type { HubRecord } from './records';
import { OBJECTS } from './schema';
import { compileFilter, compileSearch, SEARCH_RESULT_CAP, SearchEngine, SearchError, type Filter, type SearchRequest } from './search';
import { PortalData, TENANTS } from './store';

const contacts = OBJECTS.contacts;
const rec = (p: Record<string, string | null>): HubRecord => ({ p, c: 0, m: 0, a: {} });
const ada = rec({ firstname: 'Ada', lastname: 'Lovelace', email: 'ada.lovelace@acme.example', loyalty_score: '42', lastmodifieddate: '2024-05-01T10:00:00.000Z', jobtitle: null, hs_object_id: '100000000005' });
const test = (f: Partial<Filter>) => compileFilter(contacts, { propertyName: 'firstname', operator: 'EQ', ...f } as Filter)(ada);

describe('search filter evaluation', () => {
  it('EQ / NEQ are case-insensitive on strings and numeric on numbers and dates', () => {
    expect(test({ value: 'ada' })).toBe(true);
    expect(test({ value: 'Grace' })).toBe(false);
    expect(test({ operator: 'NEQ', value: 'Grace' })).toBe(true);
    expect(test({ propertyName: 'loyalty_score', value: '42.0' })).toBe(true);
    expect(test({ propertyName: 'lastmodifieddate', value: String(Date.parse('2024-05-01T10:00:00Z')) })).toBe(true);
    expect(test({ propertyName: 'hs_lastmodifieddate', value: '2024-05-01T10:00:00.000Z' })).toBe(true);
    // NEQ matches records without the property.
    expect(test({ propertyName: 'jobtitle', operator: 'NEQ', value: 'CEO' })).toBe(true);
  });

  it('range operators compare numbers and times, never match missing values', () => {
    expect(test({ propertyName: 'loyalty_score', operator: 'GT', value: '41' })).toBe(true);
    expect(test({ propertyName: 'loyalty_score', operator: 'GT', value: '42' })).toBe(false);
    expect(test({ propertyName: 'loyalty_score', operator: 'GTE', value: '42' })).toBe(true);
    expect(test({ propertyName: 'loyalty_score', operator: 'LT', value: '100' })).toBe(true);
    expect(test({ propertyName: 'loyalty_score', operator: 'LTE', value: '41' })).toBe(false);
    expect(test({ propertyName: 'lastmodifieddate', operator: 'BETWEEN', value: '2024-05-01', highValue: String(Date.parse('2024-05-02')) })).toBe(true);
    expect(test({ propertyName: 'lastmodifieddate', operator: 'BETWEEN', value: '2024-05-02', highValue: '2024-05-03' })).toBe(false);
    expect(test({ propertyName: 'jobtitle', operator: 'GT', value: 'A' })).toBe(false);
    expect(test({ propertyName: 'hs_object_id', operator: 'GT', value: '100000000004' })).toBe(true);
  });

  it('IN / NOT_IN / HAS_PROPERTY / NOT_HAS_PROPERTY / CONTAINS_TOKEN', () => {
    expect(test({ operator: 'IN', values: ['grace', 'ada'] })).toBe(true);
    expect(test({ operator: 'NOT_IN', values: ['grace', 'ada'] })).toBe(false);
    expect(test({ propertyName: 'loyalty_score', operator: 'IN', values: [41, 42] })).toBe(true);
    expect(test({ propertyName: 'jobtitle', operator: 'HAS_PROPERTY' })).toBe(false);
    expect(test({ propertyName: 'jobtitle', operator: 'NOT_HAS_PROPERTY' })).toBe(true);
    expect(test({ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: 'acme' })).toBe(true);
    expect(test({ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@acme.example' })).toBe(true);
    expect(test({ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: 'globex' })).toBe(false);
    expect(test({ propertyName: 'email', operator: 'NOT_CONTAINS_TOKEN', value: 'globex' })).toBe(true);
  });

  it('groups are ORed, filters ANDed; malformed requests are SearchErrors', () => {
    const p = compileSearch(contacts, {
      filterGroups: [
        { filters: [{ propertyName: 'firstname', operator: 'EQ', value: 'Grace' }] },
        { filters: [{ propertyName: 'lastname', operator: 'EQ', value: 'lovelace' }, { propertyName: 'loyalty_score', operator: 'GTE', value: '40' }] },
      ],
    });
    expect(p?.(ada)).toBe(true);
    expect(() => compileFilter(contacts, { propertyName: 'x', operator: 'LIKE' as never })).toThrow(SearchError);
    expect(() => compileFilter(contacts, { propertyName: 'loyalty_score', operator: 'GT', value: 'abc' })).toThrow(SearchError);
    expect(() => compileSearch(contacts, { filterGroups: Array.from({ length: 6 }, () => ({ filters: [] })) })).toThrow(/filter groups/);
  });
});

describe('search engine', () => {
  const portal = () => new PortalData(TENANTS[0], 3, 12_000);
  const byModified = (value: number, extra: Partial<SearchRequest> = {}): SearchRequest => ({
    filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(value) }] }],
    sorts: ['lastmodifieddate'],
    limit: 200,
    ...extra,
  });

  it('the modified-time fast path agrees with a full scan (total, order, membership), with changes', () => {
    const data = portal();
    const col = data.cols.contacts;
    const since = Date.UTC(2025, 1, 1);
    // Change some records: one old one becomes recent, one recent one is deleted, one is created.
    const old = col.get(5) as HubRecord;
    const t5 = Date.now() - 1000;
    col.update(5, { ...old, m: t5, p: { ...old.p, lastmodifieddate: new Date(t5).toISOString() } });
    col.remove(11_900);
    col.create(() => ({ p: { lastmodifieddate: new Date().toISOString() }, c: Date.now(), m: Date.now(), a: {} }));
    data.touched('contacts');
    const engine = new SearchEngine();
    const seen: number[] = [];
    let after: string | undefined = '0';
    let total = -1;
    let pages = 0;
    while (after !== undefined && seen.length < SEARCH_RESULT_CAP) {
      const page = engine.run(data, 'contacts', byModified(since, { after }));
      total = page.total;
      seen.push(...page.positions);
      after = page.nextAfter;
      pages++;
    }
    const expected = [...col.scan()].filter((r) => r.record.m >= since).sort((a, b) => a.record.m - b.record.m || a.position - b.position);
    expect(total).toBe(expected.length);
    expect(seen.slice(0, 500)).toEqual(expected.slice(0, 500).map((r) => r.position));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(5);
    expect(seen).not.toContain(11_900);
    expect(pages).toBeGreaterThan(1);
    // A generic (scanning) query with the same filter returns the same total.
    const generic = engine.run(data, 'contacts', byModified(since, { sorts: [{ propertyName: 'lastmodifieddate', direction: 'DESCENDING' }] }));
    expect(generic.total).toBe(expected.length);
    expect(generic.positions[0]).toBe(expected[expected.length - 1].position);
  });

  it('caps paging at 10,000 results: the last page stops at 10,000 and after=10000 is refused', () => {
    const data = portal();
    const engine = new SearchEngine();
    const last = engine.run(data, 'contacts', { limit: 200, after: '9900' });
    expect(last.total).toBe(12_000);
    expect(last.positions).toHaveLength(100);
    expect(last.positions[0]).toBe(9900);
    expect(last.nextAfter).toBe('10000');
    expect(() => engine.run(data, 'contacts', { limit: 10, after: '10000' })).toThrow(SearchError);
    expect(() => engine.run(data, 'contacts', { limit: 201 })).toThrow(/200/);
  });

  it('hs_object_id ranges seek by position', () => {
    const data = portal();
    const engine = new SearchEngine();
    const from = data.idOf('contacts', 10_000);
    const page = engine.run(data, 'contacts', { filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'GT', value: from }] }], sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }], limit: 3 });
    expect(page.positions).toEqual([10_001, 10_002, 10_003]);
    expect(page.total).toBe(12_000 - 10_001);
  });

  it('paging through a scanning query continues from a cached cursor and returns every match once', () => {
    const data = portal();
    const engine = new SearchEngine();
    const req: SearchRequest = { filterGroups: [{ filters: [{ propertyName: 'loyalty_score', operator: 'GTE', value: '90' }] }], sorts: [{ propertyName: 'loyalty_score', direction: 'DESCENDING' }], limit: 200 };
    const all: number[] = [];
    let after: string | undefined;
    let total: number;
    do {
      const page = engine.run(data, 'contacts', { ...req, after });
      all.push(...page.positions);
      total = page.total;
      after = page.nextAfter;
    } while (after);
    expect(all).toHaveLength(total);
    expect(new Set(all).size).toBe(total);
    const scores = all.map((p) => Number(data.cols.contacts.get(p)?.p.loyalty_score));
    expect(scores.every((s) => s >= 90)).toBe(true);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });
});
