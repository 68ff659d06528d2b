import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error';
import { CursorCodec } from './cursor';

describe('CursorCodec', () => {
  const codec = new CursorCodec(randomBytes(32));
  const scope = { account: 'acct-1', model: 'Contact', filters: 'f1' };

  it('round-trips and is URL-safe', () => {
    const c = codec.encode(scope, { s: { after: '100' }, b: [] });
    expect(c).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(codec.decode(scope, c)).toEqual({ s: { after: '100' }, b: [] });
  });

  it('rejects tampering, other scopes and garbage with a 400 naming cursor', () => {
    const c = codec.encode(scope, { s: { after: '100' } });
    const [body, tag] = c.split('.');
    const forged = Buffer.from(Buffer.from(body, 'base64url').toString().replace('100', '900')).toString('base64url') + '.' + tag;
    for (const bad of [forged, 'abc', '', 'x.y', c + 'x']) {
      try {
        codec.decode(scope, bad);
        throw new Error('accepted ' + bad);
      } catch (err) {
        expect(err).toBeInstanceOf(ApiError);
        expect((err as ApiError).status).toBe(400);
        expect((err as ApiError).errors[0].source?.pointer).toBe('/query/cursor');
      }
    }
    expect(() => codec.decode({ ...scope, account: 'acct-2' }, c)).toThrow(ApiError);
    expect(() => codec.decode({ ...scope, filters: 'f2' }, c)).toThrow(ApiError);
    expect(() => new CursorCodec(randomBytes(32)).decode(scope, c)).toThrow(ApiError);
  });
});
