import { expect, it } from 'vitest';
import { SAMPLE_INSTANTS_MS } from '../testing';
import { iso } from './mappers/common';

/** HubSpot datetimes (ISO 8601 with Z) take a shortcut for UTC: same answers as parsing. */
it('datetime fast path agrees with the parse path', () => {
  for (const ms of SAMPLE_INSTANTS_MS) {
    const d = new Date(ms).toISOString();
    expect(iso(d)).toBe(d);
  }
  // Invalid values around the shortcut still take the parse path.
  expect(iso('2024-01-01T24:00:00.001Z')).toBe('2024-01-01T24:00:00.001Z');
  expect(iso('2024-01-01T23:00:00.001Z')).toBe('2024-01-01T23:00:00.001Z');
});
