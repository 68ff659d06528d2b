import { describe, expect, it } from 'vitest';
import { isPrivateAddress, publicOnlyLookup, resolvesToPrivate } from './target-guard';

describe('webhook target guard', () => {
  it('classifies addresses', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
    for (const ip of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(ip), ip).toBe(false);
    }
  });

  it('refuses loopback names and addresses at set time and at connect time', async () => {
    expect(await resolvesToPrivate(new URL('http://127.0.0.1:8080/x'))).toBe(true);
    expect(await resolvesToPrivate(new URL('http://[::1]/x'))).toBe(true);
    expect(await resolvesToPrivate(new URL('http://localhost/x'))).toBe(true);
    expect(await resolvesToPrivate(new URL('https://93.184.215.14/x'))).toBe(false);
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => publicOnlyLookup('localhost', {}, (e) => resolve(e)));
    expect(err?.code).toBe('EPRIVATETARGET');
  });
});
