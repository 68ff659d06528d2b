import type { Cursor, SortBy, SortOrder } from './listing';

/**
 * Opaque page tokens for listing past record 2,000 (and for any keyset paging): base64url JSON
 * bound to the tenant and module, carrying the sort, the filters and the cursor. Valid 24 hours.
 */
export interface PageTokenState {
  t: string;
  mod: string;
  s: SortBy;
  o: SortOrder;
  i?: number;
  cv?: string;
  c: Cursor;
  pg: number;
  x: number;
}

export const PAGE_TOKEN_TTL_MS = 24 * 3600 * 1000;

export function encodePageToken(state: PageTokenState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

export function decodePageToken(token: string): PageTokenState | undefined {
  try {
    const s = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageTokenState;
    if (!s || typeof s !== 'object' || typeof s.t !== 'string' || typeof s.mod !== 'string' || typeof s.pg !== 'number' || !s.c || typeof s.c.p !== 'number') return undefined;
    if (!['id', 'Created_Time', 'Modified_Time'].includes(s.s) || !['asc', 'desc'].includes(s.o)) return undefined;
    return s;
  } catch {
    return undefined;
  }
}
