import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../src/database/testing';
import { MetricsService } from '../../src/observability/metrics';
import { startStandalone, type RunningEmulator } from '../../src/sandbox/common/standalone';
import { createEmulator } from '../../src/sandbox/registry';
import { SyncEngine } from '../../src/sync/sync.engine';
import { linkStandalone, startSyncContext, storedRecords } from '../../src/sync/testing';

/** Rate-limit budgets: the sync reads HubSpot's budget headers and waits for the window instead of spending 429s. */
describe('sync under a HubSpot ten-second budget', () => {
  let db: TestDatabase;
  let emu: RunningEmulator;
  let ctx: INestApplicationContext;

  beforeAll(async () => {
    db = await createTestDatabase();
    emu = await startStandalone(createEmulator('hubspot', { seed: 4, contacts: 200 }));
    ctx = await startSyncContext(db.prisma, [emu]);
  }, 120_000);
  afterAll(async () => {
    await ctx?.close();
    await emu?.close();
    await db?.close();
  });

  it('syncs every page without a single 429', async () => {
    const account = await linkStandalone(ctx, 'hubspot', emu.url);
    // A tiny window so that one model's walk (10+ calls) spends it several times.
    const res = await fetch(`${emu.url}/__sandbox/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ budgets: { tenSecondly: { limit: 3, windowMs: 2_000 } } }),
    });
    expect(res.status).toBe(200);
    const engine = ctx.get(SyncEngine);
    engine.pageSize = 20;
    try {
      const [r] = await engine.syncAccount(account.id, { models: ['Contact'] });
      expect(r).toMatchObject({ outcome: 'done', seen: 200 });
    } finally {
      engine.pageSize = undefined;
    }
    expect((await storedRecords(db.prisma, account.id, 'Contact')).length).toBe(200);
    const counts = (await ctx.get(MetricsService).vendorRequests.get()).values.filter((v) => v.labels.vendor === 'hubspot');
    const ok = counts.filter((v) => Number(v.labels.status) < 300).reduce((n, v) => n + v.value, 0);
    const limited = counts.filter((v) => v.labels.status === '429').reduce((n, v) => n + v.value, 0);
    expect(ok).toBeGreaterThan(10); // the budget was spent and renewed several times
    expect(limited).toBe(0);
  }, 120_000);
});
