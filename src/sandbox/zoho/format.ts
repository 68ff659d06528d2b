/** Zoho's wire formats for dates and times. */

const DAY_MS = 86_400_000;
const dayCache = new Map<number, string>();

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/**
 * "2024-01-01T10:00:00+00:00": Zoho renders datetimes to the second with the org's offset (UTC here).
 * Hot path of every list page: the date part is cached per day, the time part is arithmetic.
 */
export function zohoDateTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let date = dayCache.get(day);
  if (date === undefined) {
    date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dayCache.size > 4096) dayCache.clear();
    dayCache.set(day, date);
  }
  const secs = Math.floor((ms - day * DAY_MS) / 1000);
  return `${date}T${two(Math.floor(secs / 3600))}:${two(Math.floor(secs / 60) % 60)}:${two(secs % 60)}+00:00`;
}

/** Parses an ISO 8601 datetime (with offset or Z); NaN when invalid. */
export function parseDateTime(value: unknown): number {
  if (typeof value !== 'string') return NaN;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value)) return NaN;
  return Date.parse(value);
}

export function isDate(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));
}
