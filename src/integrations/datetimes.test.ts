import { expect, it } from 'vitest';
import { toIso } from './salesforce/api';
import { isoUtc } from './zoho/api';
import { iso } from './hubspot/mappers/common';
/** The vendors' datetime conversions take a shortcut for their usual UTC forms: same answers as parsing. */
it('datetime fast paths agree with the parse path', () => {
  for (const ms of [0, 1, 86_399_999, 1_700_000_000_123, 1_709_164_800_000, 951_782_400_000]) {
    const d = new Date(ms).toISOString();
    expect(toIso(d.replace('Z', '+0000'))).toBe(d);
    expect(isoUtc(d.replace(/\.\d{3}Z$/, '+00:00'))).toBe(new Date(Math.floor(ms / 1000) * 1000).toISOString());
    expect(iso(d)).toBe(d);
  }
  expect(toIso('2024-01-01T10:00:00.000+0530')).toBe('2024-01-01T04:30:00.000Z');
  expect(isoUtc('2024-01-01T10:00:00+05:30')).toBe('2024-01-01T04:30:00.000Z');
});
