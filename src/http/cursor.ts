import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../errors/api-error';

/**
 * Opaque, URL-safe, tamper-evident pagination cursors: base64url(JSON) + "." + HMAC tag. A cursor
 * is bound to its scope (linked account, model, filters), so a forged, altered or foreign cursor
 * is a 400 and never reads someone else's data. The same cursors serve REST and GraphQL.
 */

export interface CursorScope {
  /** linked account id */
  account: string;
  model: string;
  /** Fingerprint of the filters the list was started with. */
  filters: string;
}

export class CursorCodec {
  constructor(private readonly secret: Buffer) {}

  encode<T>(scope: CursorScope, payload: T): string {
    const body = Buffer.from(JSON.stringify({ v: 1, a: scope.account, m: scope.model, f: scope.filters, p: payload })).toString('base64url');
    return `${body}.${this.tag(body)}`;
  }

  /** The payload of a cursor made for this scope; a 400 naming `cursor` otherwise. */
  decode<T>(scope: CursorScope, cursor: string, pointer = '/query/cursor'): T {
    const invalid = (why: string) => ApiError.invalidField(pointer, `invalid cursor (${why}); use a "next" or "previous" value from a list response unchanged`);
    if (cursor.length > 8192) throw invalid('too long');
    const dot = cursor.lastIndexOf('.');
    if (dot <= 0) throw invalid('malformed');
    const body = cursor.slice(0, dot);
    const tag = Buffer.from(cursor.slice(dot + 1));
    const expected = Buffer.from(this.tag(body));
    if (tag.length !== expected.length || !timingSafeEqual(tag, expected)) throw invalid('signature mismatch');
    let parsed: { v: number; a: string; m: string; f: string; p: T };
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw invalid('malformed');
    }
    if (parsed.v !== 1) throw invalid('unknown version');
    if (parsed.a !== scope.account || parsed.m !== scope.model) throw invalid('made for another list');
    if (parsed.f !== scope.filters) throw invalid('the filters changed since this cursor was made');
    return parsed.p;
  }

  private tag(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url').slice(0, 32);
  }
}

export const CURSOR_CODEC = Symbol('CURSOR_CODEC');
