import { parseSfDateTime } from './records';

/**
 * The date window of /sobjects/X/updated and /sobjects/X/deleted: seconds are ignored (start and
 * end are truncated to the minute), end must follow start, start may not be older than the window
 * (15 days for deleted, 30 for updated), and coverage stops at "now" (an end in the future is
 * clamped to the current instant, not to the minute, so a change is visible as soon as it is made).
 */

export interface ReplicationWindow {
  start: number;
  end: number;
  earliestDateAvailable: number;
}

export type WindowResult = ReplicationWindow | { errorCode: string; message: string };

const MINUTE = 60_000;
const DAY = 86_400_000;

export function replicationWindow(startText: string | undefined, endText: string | undefined, now: number, maxDays: number): WindowResult {
  if (!startText || !endText) return { errorCode: 'MISSING_ARGUMENT', message: `${!startText ? 'start' : 'end'} parameter is required` };
  const s = parseSfDateTime(startText);
  const e = parseSfDateTime(endText);
  if (Number.isNaN(s)) return { errorCode: 'INVALID_REPLICATION_DATE', message: `Invalid start date: ${startText}` };
  if (Number.isNaN(e)) return { errorCode: 'INVALID_REPLICATION_DATE', message: `Invalid end date: ${endText}` };
  const start = Math.floor(s / MINUTE) * MINUTE;
  let end = Math.floor(e / MINUTE) * MINUTE;
  const earliest = Math.floor((now - maxDays * DAY) / MINUTE) * MINUTE;
  if (end <= start) return { errorCode: 'INVALID_REPLICATION_DATE', message: 'endDate must chronologically follow startDate' };
  if (start < earliest) return { errorCode: 'INVALID_REPLICATION_DATE', message: `startDate cannot be more than ${maxDays} days ago` };
  // Exclusive end: one past now, so a change made in this very millisecond is covered.
  if (end > now) end = now + 1;
  return { start, end, earliestDateAvailable: earliest };
}
