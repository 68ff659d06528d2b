import { expect, it } from 'vitest';
import { SAMPLE_INSTANTS_MS } from '../testing';
import { isoUtc } from './api';

/** Zoho datetimes (+00:00 offsets, whole seconds) take a shortcut for UTC: same answers as parsing. */
it('datetime fast path agrees with the parse path', () => {
  for (const ms of SAMPLE_INSTANTS_MS) {
    const d = new Date(ms).toISOString();
    expect(isoUtc(d.replace(/\.\d{3}Z$/, '+00:00'))).toBe(new Date(Math.floor(ms / 1000) * 1000).toISOString());
  }
  expect(isoUtc('2024-01-01T10:00:00+05:30')).toBe('2024-01-01T04:30:00.000Z');
  // Invalid values around the shortcut still take the parse path.
  expect(isoUtc('2024-13-01T10:00:00+00:00')).toBe(null);
  expect(isoUtc('2024-01-01T24:00:00+00:00')).toBe('2024-01-01T24:00:00.000Z');
});
