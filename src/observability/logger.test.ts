import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from './logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

describe('logger', () => {
  it('redacts credentials by path', () => {
    const { lines, logger } = capture();
    logger.info({ req: { headers: { authorization: 'Bearer sk_secret' } }, body: { access_token: 'at-secret', refresh_token: 'rt-secret' } }, 'x');
    logger.info({ headers: { 'x-account-token': 'acct-secret' } }, 'y');
    const out = lines.join('');
    for (const s of ['sk_secret', 'at-secret', 'rt-secret', 'acct-secret']) expect(out).not.toContain(s);
    expect(out).toContain('[REDACTED]');
  });

  it('masks secret query parameters in URLs', () => {
    expect(redactUrl('/oauth/callback?code=abc&state=xyz&x=1')).toBe('/oauth/callback?code=[REDACTED]&state=[REDACTED]&x=1');
    expect(redactUrl('/api/crm/v1/account-token/pt_1?public_token=p')).toBe('/api/crm/v1/account-token/[REDACTED]?public_token=[REDACTED]');
  });
});
