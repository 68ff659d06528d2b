import { ApiError } from '../errors/api-error';
import { CursorCodec } from '../http/cursor';

/**
 * Opaque, URL-safe, tamper-evident (signed by the shared CursorCodec) keyset cursor over id for the organization-level
 * lists (linked accounts, issues): base64url(JSON) + "." + HMAC, bound to the list and organization.
 */
export interface KeysetPosition {
  /** created_at ISO */
  t: string;
  /** id */
  i: string;
  /** direction: n (after) | p (before) */
  d: 'n' | 'p';
}

export class KeysetCursor {
  private readonly codec: CursorCodec;

  constructor(secret: Buffer) {
    this.codec = new CursorCodec(secret);
  }

  encode(scope: string, pos: KeysetPosition): string {
    return this.codec.encode({ account: scope, model: 'keyset', filters: '' }, pos);
  }

  /** The shared codec checks signature and scope; this checks the position's shape. */
  decode(scope: string, cursor: string): KeysetPosition {
    const pos = this.codec.decode<KeysetPosition>({ account: scope, model: 'keyset', filters: '' }, cursor);
    if (!pos || typeof pos.t !== 'string' || typeof pos.i !== 'string' || (pos.d !== 'n' && pos.d !== 'p') || Number.isNaN(Date.parse(pos.t))) {
      throw ApiError.invalidField('/query/cursor', 'not a cursor of this list');
    }
    return pos;
  }
}

/** Keyset page over rows ordered by id (a stable order; timestamps have more precision in the database than in JS). `fetch(where, order, take)` does the query. */
export async function keysetPage<T extends { id: string; createdAt: Date }>(
  cursors: KeysetCursor,
  scope: string,
  cursor: string | undefined,
  pageSize: number,
  fetch: (where: object, order: 'asc' | 'desc', take: number) => Promise<T[]>,
): Promise<{ rows: T[]; next: string | null; previous: string | null }> {
  const pos = cursor ? cursors.decode(scope, cursor) : null;
  if (!pos || pos.d === 'n') {
    const where = pos ? { id: { gt: pos.i } } : {};
    const rows = await fetch(where, 'asc', pageSize + 1);
    const more = rows.length > pageSize;
    const page = rows.slice(0, pageSize);
    const last = page[page.length - 1];
    const first = page[0];
    return {
      rows: page,
      next: more && last ? cursors.encode(scope, { t: last.createdAt.toISOString(), i: last.id, d: 'n' }) : null,
      previous: pos && first ? cursors.encode(scope, { t: first.createdAt.toISOString(), i: first.id, d: 'p' }) : null,
    };
  }
  const where = { id: { lt: pos.i } };
  const rows = await fetch(where, 'desc', pageSize + 1);
  const more = rows.length > pageSize;
  const page = rows.slice(0, pageSize).reverse();
  const first = page[0];
  const last = page[page.length - 1];
  return {
    rows: page,
    next: last ? cursors.encode(scope, { t: last.createdAt.toISOString(), i: last.id, d: 'n' }) : null,
    previous: more && first ? cursors.encode(scope, { t: first.createdAt.toISOString(), i: first.id, d: 'p' }) : null,
  };
}
