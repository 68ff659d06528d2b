/**
 * ISO 8601 UTC timestamps ("2024-01-01T10:00:00.000Z") without Date#toISOString, which costs
 * several microseconds per call on the target machines; list pages format thousands of them.
 */

const P2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const P3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const DAY = 86_400_000;
let lastDay = NaN;
let dayPrefix = '';

export function isoTime(ms: number): string {
  const day = Math.floor(ms / DAY);
  if (day !== lastDay) {
    if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return new Date(ms).toISOString();
    lastDay = day;
    dayPrefix = new Date(day * DAY).toISOString().slice(0, 11);
  }
  let r = Math.floor(ms) - day * DAY;
  const h = (r / 3_600_000) | 0;
  r -= h * 3_600_000;
  const m = (r / 60_000) | 0;
  r -= m * 60_000;
  const s = (r / 1000) | 0;
  return `${dayPrefix}${P2[h]}:${P2[m]}:${P2[s]}.${P3[r - s * 1000]}Z`;
}
