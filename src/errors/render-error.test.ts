import { BadRequestException, NotFoundException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error';
import { describeForLog, renderError } from './render-error';

describe('renderError', () => {
  it('keeps ApiError as given', () => {
    const r = renderError(ApiError.invalidField('/query/page_size', 'must be an integer between 1 and 100'), 'req-1');
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      detail: 'page_size: must be an integer between 1 and 100',
      code: 'INVALID_PARAMETER',
      errors: [{ source: { pointer: '/query/page_size' }, detail: 'must be an integer between 1 and 100' }],
      request_id: 'req-1',
    });
  });

  it('maps Fastify body errors', () => {
    expect(renderError(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 })).body.code).toBe('MALFORMED_JSON');
    expect(renderError(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 })).status).toBe(413);
  });

  it('maps Fastify errors that Nest wrapped', () => {
    const wrapped = new BadRequestException('Body is not valid JSON', { cause: Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY' }) });
    expect(renderError(wrapped).body.code).toBe('MALFORMED_JSON');
  });

  it('maps Nest HTTP exceptions', () => {
    expect(renderError(new NotFoundException('Cannot GET /nope')).body).toMatchObject({ code: 'NOT_FOUND', detail: 'No route: GET /nope' });
    expect(renderError(new BadRequestException('bad')).body).toMatchObject({ code: 'INVALID_REQUEST', detail: 'bad' });
  });

  it('never leaks internals of unexpected errors', () => {
    const secret = new Error('duplicate key value violates unique constraint "api_keys_key_hash_key" SELECT * FROM api_keys');
    const r = renderError(secret, 'req-9');
    expect(r.status).toBe(500);
    expect(r.unexpected).toBe(true);
    expect(JSON.stringify(r.body)).not.toContain('SELECT');
    expect(r.body.detail).toContain('req-9');
  });

  it('logs only the first line of a message, cut short', () => {
    const d = describeForLog(new Error('line one\n    at secret (/app/x.js:1:1)'));
    expect(d.message).toBe('line one');
  });
});
