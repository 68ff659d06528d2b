import { describe, expect, it } from 'vitest';
import { toJsonSchema2020, upgradeToOpenApi31 } from './openapi31';

describe('OpenAPI 3.0 -> 3.1 schema conversion', () => {
  it('turns nullable scalars into type lists and keeps enums accepting null', () => {
    expect(toJsonSchema2020({ type: 'string', nullable: true })).toEqual({ type: ['string', 'null'] });
    expect(toJsonSchema2020({ type: 'string', enum: ['A', 'B'], nullable: true })).toEqual({ type: ['string', 'null'], enum: ['A', 'B', null] });
    expect(toJsonSchema2020({ type: 'integer', nullable: false })).toEqual({ type: 'integer' });
  });

  it('wraps nullable references in anyOf with null, annotations outside', () => {
    expect(toJsonSchema2020({ allOf: [{ $ref: '#/components/schemas/A' }], nullable: true, description: 'd' })).toEqual({
      description: 'd',
      anyOf: [{ $ref: '#/components/schemas/A' }, { type: 'null' }],
    });
    expect(toJsonSchema2020({ anyOf: [{ type: 'string' }, { type: 'integer' }], nullable: true })).toEqual({ anyOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] });
  });

  it('converts boolean exclusive bounds and schema examples, recursively', () => {
    const out = toJsonSchema2020({
      type: 'object',
      properties: {
        n: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: false, example: 3 },
        list: { type: 'array', items: { type: 'string', nullable: true, example: 'x' } },
      },
    });
    expect(out.properties.n).toEqual({ type: 'number', exclusiveMinimum: 0, maximum: 10, examples: [3] });
    expect(out.properties.list.items).toEqual({ type: ['string', 'null'], examples: ['x'] });
  });

  it('rewrites every schema of a document: components, parameters, bodies, responses, headers', () => {
    const s = () => ({ type: 'string', nullable: true, example: 'v' });
    const doc: any = {
      openapi: '3.0.0',
      components: { schemas: { A: s() } },
      paths: {
        '/x': {
          post: {
            parameters: [{ name: 'q', in: 'query', schema: s() }],
            requestBody: { content: { 'application/json': { schema: s() } } },
            responses: { '200': { description: 'ok', headers: { H: { schema: s() } }, content: { 'application/json': { schema: s() } } } },
          },
        },
      },
    };
    upgradeToOpenApi31(doc);
    expect(doc.openapi).toBe('3.1.0');
    const text = JSON.stringify(doc);
    expect(text).not.toContain('nullable');
    expect(text).not.toContain('"example"');
    expect(text.match(/"type":\["string","null"\]/g)).toHaveLength(5);
  });
});
