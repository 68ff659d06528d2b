import { describe, expect, it } from 'vitest';
import { validateAgainstSchema } from './schema-validator';

const root = {
  components: {
    schemas: {
      Item: { type: 'object', properties: { id: { type: 'string', format: 'uuid' }, n: { type: ['integer', 'null'], minimum: 1 } }, required: ['id'] },
      Page: { type: 'object', properties: { next: { anyOf: [{ type: 'string' }, { type: 'null' }] }, results: { type: 'array', items: { $ref: '#/components/schemas/Item' } } }, required: ['next', 'results'] },
    },
  },
};
const page = { $ref: '#/components/schemas/Page' };
const check = (schema: any, value: unknown) => validateAgainstSchema(schema, value, root);

describe('schema validator', () => {
  it('accepts a valid value', () => {
    expect(check(page, { next: null, results: [{ id: '0f3c7a52-8d1e-4b6f-9a27-5e4d3c2b1a90', n: null }, { id: '6b1e9d2c-4f3a-4e8b-b5c7-2d9a8f1e0c34', n: 3 }] })).toEqual([]);
  });

  it('reports each violation with its path', () => {
    const issues = check(page, { next: 5, results: [{ n: 0 }, { id: 'nope', n: 1.5 }] });
    expect(issues.map((i) => i.path)).toEqual(['$.next', '$.results[0]', '$.results[0].n', '$.results[1].id', '$.results[1].n']);
    expect(issues[1].message).toContain('missing required property "id"');
    expect(issues[3].message).toContain('not a valid uuid');
  });

  it('checks enums, consts, formats, lengths, additionalProperties and oneOf', () => {
    expect(check({ enum: ['A', null] }, null)).toEqual([]);
    expect(check({ enum: ['A'] }, 'B')).toHaveLength(1);
    expect(check({ const: true }, false)).toHaveLength(1);
    expect(check({ type: 'string', format: 'date-time' }, '2026-03-11T09:41:37Z')).toEqual([]);
    expect(check({ type: 'string', format: 'date-time' }, '2026-03-11')).toHaveLength(1);
    expect(check({ type: 'string', maxLength: 2 }, 'abc')).toHaveLength(1);
    expect(check({ type: 'object', additionalProperties: false, properties: { a: {} } }, { a: 1, b: 2 })[0].message).toContain('"b"');
    expect(check({ type: 'object', additionalProperties: { type: 'integer' } }, { a: 1, b: 'x' })).toHaveLength(1);
    expect(check({ oneOf: [{ type: 'number' }, { type: 'integer' }] }, 1)).toHaveLength(1);
    expect(check({ type: 'number' }, 2)).toEqual([]);
    expect(check({ type: 'integer' }, 2.5)).toHaveLength(1);
  });

  it('refuses keywords it does not implement instead of ignoring them', () => {
    expect(() => check({ type: 'string', nullable: true }, 'x')).toThrow(/unsupported schema keyword "nullable"/);
    expect(() => check({ $ref: 'https://example.com/s.json' }, 'x')).toThrow(/only local/);
    expect(() => check({ $ref: '#/components/schemas/Missing' }, 'x')).toThrow(/unresolvable/);
  });
});
