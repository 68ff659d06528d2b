import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error';
import { filterFingerprint, parseListQuery } from './list-query';

function pointerOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    return (err as ApiError).errors[0].source?.pointer;
  }
  throw new Error('expected a 400');
}

describe('parseListQuery', () => {
  it('defaults and parses every common filter', () => {
    const q = parseListQuery('Contact', { modified_after: '2024-01-01T00:00:00Z', include_remote_data: 'true', expand: 'account,owner', unknown: 'x' });
    expect(q.pageSize).toBe(100);
    expect(q.modifiedAfter?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(q.includeRemoteData).toBe(true);
    expect(q.expand).toEqual(['account', 'owner']);
  });

  it('parses model filters', () => {
    const id = '3f2b8f7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
    const q = parseListQuery('Opportunity', { account_id: id, status: 'WON', remote_created_after: '2024-02-01' });
    expect(q.relations).toEqual({ account: id });
    expect(q.enums).toEqual({ status: 'WON' });
    expect(q.datetimes.remote_created_at.gt?.toISOString()).toBe('2024-02-01T00:00:00.000Z');
  });

  it('names the bad parameter', () => {
    expect(pointerOf(() => parseListQuery('Contact', { page_size: '0' }))).toBe('/query/page_size');
    expect(pointerOf(() => parseListQuery('Contact', { page_size: '101' }))).toBe('/query/page_size');
    expect(pointerOf(() => parseListQuery('Contact', { page_size: 'ten' }))).toBe('/query/page_size');
    expect(pointerOf(() => parseListQuery('Contact', { created_after: 'yesterday' }))).toBe('/query/created_after');
    expect(pointerOf(() => parseListQuery('Contact', { account_id: 'nope' }))).toBe('/query/account_id');
    expect(pointerOf(() => parseListQuery('Opportunity', { status: 'MAYBE' }))).toBe('/query/status');
    expect(pointerOf(() => parseListQuery('Contact', { expand: 'stage' }))).toBe('/query/expand');
    expect(pointerOf(() => parseListQuery('Contact', { include_deleted_data: 'perhaps' }))).toBe('/query/include_deleted_data');
  });

  it('fingerprints filters but not paging or output options', () => {
    const a = parseListQuery('Contact', { modified_after: '2024-01-01T00:00:00Z', page_size: '5' });
    const b = parseListQuery('Contact', { modified_after: '2024-01-01T00:00:00Z', page_size: '50', include_remote_data: 'true' });
    const c = parseListQuery('Contact', { modified_after: '2024-01-02T00:00:00Z' });
    expect(filterFingerprint(a)).toBe(filterFingerprint(b));
    expect(filterFingerprint(a)).not.toBe(filterFingerprint(c));
  });
});
