import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

/**
 * Outgoing webhook targets are URLs chosen by organizations, and the delivery log shows whether
 * they answered: without a guard an organization could probe the server's private network.
 * With private targets denied (the production default), loopback, private, link-local (cloud
 * metadata), carrier-grade NAT and other non-public addresses are refused, both when the target
 * is set and at connect time (after DNS resolution, so a name re-pointed later is caught too).
 */

function v4Parts(ip: string): number[] {
  return ip.split('.').map(Number);
}

export function isPrivateAddress(ip: string): boolean {
  const kind = isIP(ip);
  if (kind === 4) {
    const [a, b] = v4Parts(ip) as [number, number, number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 192 && b === 0) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  if (kind === 6) {
    const lower = ip.toLowerCase();
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    if (mapped) return isPrivateAddress(mapped[1]!);
    if (lower === '::' || lower === '::1') return true;
    const first = parseInt(lower.split(':')[0] || '0', 16);
    return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
  }
  return false;
}

/** The host of a URL without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http(s).request that refuses non-public addresses. */
export function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad || list.length === 0) {
      return callback(Object.assign(new Error('the target resolves to a non-public address'), { code: 'EPRIVATETARGET' }), []);
    }
    if (options.all) return callback(null, list);
    return callback(null, list[0]!.address, list[0]!.family);
  });
}

/** Resolves a target's host and tells whether any address is non-public (for validation at set time). */
export async function resolvesToPrivate(url: URL): Promise<boolean> {
  const host = hostOf(url);
  if (isIP(host)) return isPrivateAddress(host);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return new Promise((resolve) => {
    dnsLookup(host, { all: true }, (err, addresses) => {
      // An unresolvable name is checked again at each attempt; it is not a private address.
      if (err) return resolve(false);
      resolve((addresses as LookupAddress[]).some((a) => isPrivateAddress(a.address)));
    });
  });
}
