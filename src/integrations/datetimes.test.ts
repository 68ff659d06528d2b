import { expect, it } from 'vitest';
import { isUtcDateTimeHead } from './datetimes';

// The vendors' own conversions, which take a shortcut through isUtcDateTimeHead for their usual UTC
// forms, are tested in src/integrations/<vendor>/datetimes.test.ts over SAMPLE_INSTANTS_MS.

/** The digit check answers what the regex plus Date.parse answered, edge values included. */
it('isUtcDateTimeHead agrees with Date.parse', () => {
  const reference = (head: string, millis: boolean) => (millis ? /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/ : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/).test(head) && !Number.isNaN(Date.parse(`${head}Z`));
  const p2 = (n: number) => String(n).padStart(2, '0');
  const heads: string[] = [];
  for (const year of ['0000', '1999', '2023', '2024']) {
    for (let month = 0; month <= 13; month++) for (let day = 0; day <= 32; day++) heads.push(`${year}-${p2(month)}-${p2(day)}T12:30:45`);
  }
  for (let hour = 0; hour <= 25; hour++) for (const minute of [0, 1, 59, 60]) for (const second of [0, 1, 59, 60]) heads.push(`2024-02-29T${p2(hour)}:${p2(minute)}:${p2(second)}`);
  heads.push('2024-01-01 10:00:00', '2024/01/01T10:00:00', '2024-01-01T10:00', '2024-1-01T10:00:00', '+02024-01-01T10', 'x024-01-01T10:00:00', '2024-01-01T1a:00:00', '');
  const disagreements: string[] = [];
  for (const head of heads) {
    if (isUtcDateTimeHead(head, false) !== reference(head, false)) disagreements.push(head);
    for (const ms of ['.000', '.001', '.999', '.00a', ',000', '000']) if (isUtcDateTimeHead(head + ms, true) !== reference(head + ms, true)) disagreements.push(head + ms);
  }
  expect(disagreements).toEqual([]);
  expect(heads.filter((h) => isUtcDateTimeHead(h, false)).length).toBeGreaterThan(1000);
});
