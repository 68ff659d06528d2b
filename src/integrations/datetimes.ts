/**
 * The vendors' usual UTC timestamps are rewritten, not parsed (a live page converts hundreds of
 * them). Checking one with a regex plus Date.parse cost about 0.35 µs; this reads the digits
 * in place for about a tenth of that and answers exactly what
 * `/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?$/.test(head) && !Number.isNaN(Date.parse(head + 'Z'))`
 * answers for `head` = the first 19 (or 23 with `millis`) characters of `s` (V8's ISO rules: month
 * 1-12, day 1-31 whatever the month, hour 0-24 with 24 only as 24:00:00.000, minute and second 0-59).
 */

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
};

function two(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

export function isUtcDateTimeHead(s: string, millis: boolean): boolean {
  if (s.length < (millis ? 23 : 19)) return false;
  if (digit(s, 0) < 0 || digit(s, 1) < 0 || digit(s, 2) < 0 || digit(s, 3) < 0) return false;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return false; // - - T : :
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 24 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  let fractionZero = true;
  if (millis) {
    if (s.charCodeAt(19) !== 46) return false; // .
    const a = digit(s, 20);
    const b = digit(s, 21);
    const c = digit(s, 22);
    if (a < 0 || b < 0 || c < 0) return false;
    fractionZero = a + b + c === 0;
  }
  return hour < 24 || (minute === 0 && second === 0 && fractionZero);
}
