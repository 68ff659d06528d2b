import { expect, it } from 'vitest';
import { SAMPLE_INSTANTS_MS } from '../testing';
import { toIso } from './api';

/** Salesforce datetimes (+0000 offsets) take a shortcut for UTC: same answers as parsing. */
it('datetime fast path agrees with the parse path', () => {
  for (const ms of SAMPLE_INSTANTS_MS) {
    const d = new Date(ms).toISOString();
    expect(toIso(d.replace('Z', '+0000'))).toBe(d);
  }
  expect(toIso('2024-01-01T10:00:00.000+0530')).toBe('2024-01-01T04:30:00.000Z');
  // Invalid values around the shortcut still take the parse path.
  expect(toIso('2024-02-30T10:00:00.000+0000')).toBe('2024-02-30T10:00:00.000Z');
  expect(toIso('2024-01-01T24:00:01.000+0000')).toBe('2024-01-01T24:00:01.000+0000');
});
