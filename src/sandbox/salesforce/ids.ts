/**
 * Salesforce record ids: 15 case-sensitive characters (3-char key prefix, 2-char pod, 1 reserved
 * char, 9-char number) plus the 3-char case-insensitive checksum suffix of the 18-char form.
 *
 * The emulator encodes a collection position as 9 base-62 digits in ASCII order (0-9 < A-Z < a-z),
 * so for a fixed key prefix + pod + segment char, string order of ids equals position order:
 * `WHERE Id > '<id>' ORDER BY Id` is a position range. The reserved character holds the segment
 * (Task uses segments 0/1/2 for Task/Call/Email subtypes, other objects only 0).
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const DIGITS = 9;
const MAX_POSITION = 62 ** DIGITS - 1;
const ID_CHARS = /^[0-9A-Za-z]+$/;

const decodeTable = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE62.length; i++) decodeTable[BASE62.charCodeAt(i)] = i;

export function base62(n: number, width = DIGITS): string {
  if (!Number.isInteger(n) || n < 0 || n > MAX_POSITION) throw new RangeError(`position out of range: ${n}`);
  let s = '';
  for (let i = 0; i < width; i++) {
    s = BASE62[n % 62] + s;
    n = Math.floor(n / 62);
  }
  return s;
}

export function decodeBase62(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const d = decodeTable[s.charCodeAt(i)] ?? -1;
    if (d < 0) return -1;
    n = n * 62 + d;
  }
  return n;
}

/** The 3-character suffix that turns a 15-character id into its 18-character form. */
export function checksumSuffix(id15: string): string {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    out += SUFFIX[bits];
  }
  return out;
}

export function to18(id15: string): string {
  return id15 + checksumSuffix(id15);
}

/** Normalizes a 15- or 18-character id to 18 characters; null when it is not a well-formed id. */
export function normalizeId(id: string): string | null {
  if (typeof id !== 'string' || !ID_CHARS.test(id)) return null;
  if (id.length === 15) return to18(id);
  if (id.length === 18) {
    const id15 = id.slice(0, 15);
    return checksumSuffix(id15) === id.slice(15).toUpperCase() ? id15 + id.slice(15).toUpperCase() : null;
  }
  return null;
}

/** The 6-character head shared by every id of one object segment in one org. */
export function segmentHead(keyPrefix: string, pod: string, segment: number): string {
  return `${keyPrefix}${pod}${BASE62[segment]}`;
}

const headBits = new Map<string, number>();
const digits = new Int32Array(DIGITS);

function isUpperDigit(d: number): boolean {
  return d >= 10 && d < 36;
}

/** The 18-character id of `position` under a 6-character head (hot path: no intermediate strings). */
export function encodeId(head: string, position: number): string {
  if (!Number.isInteger(position) || position < 0 || position > MAX_POSITION) throw new RangeError(`position out of range: ${position}`);
  let hb = headBits.get(head);
  if (hb === undefined) {
    const sfx = checksumSuffix(head + '000000000');
    // bits of chunk 0 (chars 0-4) and bit 0 of chunk 1 (char 5)
    hb = SUFFIX.indexOf(sfx[0]) | ((SUFFIX.indexOf(sfx[1]) & 1) << 5);
    headBits.set(head, hb);
  }
  let n = position;
  for (let i = DIGITS - 1; i >= 0; i--) {
    const q = Math.floor(n / 62);
    digits[i] = n - q * 62;
    n = q;
  }
  // chunk 1 = head[5] + digits 0..3, chunk 2 = digits 4..8
  let b1 = (hb >> 5) & 1;
  for (let i = 0; i < 4; i++) if (isUpperDigit(digits[i])) b1 |= 1 << (i + 1);
  let b2 = 0;
  for (let i = 0; i < 5; i++) if (isUpperDigit(digits[i + 4])) b2 |= 1 << i;
  const c = (i: number) => BASE62.charCodeAt(digits[i]);
  return (
    head +
    String.fromCharCode(c(0), c(1), c(2), c(3), c(4), c(5), c(6), c(7), c(8), SUFFIX.charCodeAt(hb & 31), SUFFIX.charCodeAt(b1), SUFFIX.charCodeAt(b2))
  );
}

/** Splits a normalized 18-character id into its head and position. */
export function decodeId(id18: string): { head: string; position: number } | null {
  const head = id18.slice(0, 6);
  const position = decodeBase62(id18.slice(6, 15));
  return position < 0 ? null : { head, position };
}
