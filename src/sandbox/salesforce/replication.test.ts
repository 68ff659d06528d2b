import { describe, expect, it } from 'vitest';
import { replicationWindow } from './replication';

const NOW = Date.UTC(2026, 10, 21, 12, 30, 45, 500);

describe('replication window (/updated, /deleted)', () => {
  it('truncates start and end to the minute and clamps end to now', () => {
    const w = replicationWindow('2026-11-20T10:15:59+00:00', '2026-11-21T12:29:30Z', NOW, 15);
    expect(w).toEqual({ start: Date.UTC(2026, 10, 20, 10, 15), end: Date.UTC(2026, 10, 21, 12, 29), earliestDateAvailable: Date.UTC(2026, 10, 6, 12, 30) });
    const future = replicationWindow('2026-11-21T00:00:00Z', '2026-12-01T00:00:00Z', NOW, 15);
    expect('end' in future && future.end).toBe(NOW + 1); // exclusive end just past now
  });

  it('refuses a start older than the window, end before start, missing or bad dates', () => {
    expect(replicationWindow('2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', NOW, 15)).toMatchObject({ errorCode: 'INVALID_REPLICATION_DATE' });
    expect(replicationWindow('2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', NOW, 30)).not.toHaveProperty('errorCode');
    expect(replicationWindow('2026-11-21T10:00:00Z', '2026-11-21T10:00:30Z', NOW, 15)).toMatchObject({ errorCode: 'INVALID_REPLICATION_DATE' });
    expect(replicationWindow(undefined, '2026-11-21T10:00:00Z', NOW, 15)).toMatchObject({ errorCode: 'MISSING_ARGUMENT' });
    expect(replicationWindow('yesterday', '2026-11-21T10:00:00Z', NOW, 15)).toMatchObject({ errorCode: 'INVALID_REPLICATION_DATE' });
  });
});
