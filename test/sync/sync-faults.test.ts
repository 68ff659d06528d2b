import { describe, expect, it } from 'vitest';
import type { ModelName } from '../../src/models/spec';
import { SANDBOX_VENDORS } from '../../src/sandbox/registry';
import type { SyncRunResult } from '../../src/sync/contract';
import { SyncEngine } from '../../src/sync/sync.engine';
import { dataPart, linkStandalone, liveRecords, storedRecords } from '../../src/sync/testing';
import { syncHarness } from '../support/sync-harness';

/**
 * A flaky vendor: 10% of calls fail (429, 500, 503, dropped connections) and every access token
 * expires in the middle of the sync. Runs are repeated the way the scheduler would (a failed run
 * resumes from its checkpoint) until every model is done; the store must then equal the vendor.
 */


describe.each(SANDBOX_VENDORS)('sync against a flaky %s emulator', (vendor) => {
  const h = syncHarness(vendor, { seed: 21, contacts: 500 });

  const control = (path: string, method: string, body?: unknown) =>
    fetch(`${h.emu.url}/__sandbox${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });

  it('ends equal to the emulator, nothing lost, nothing duplicated', async () => {
    const account = await linkStandalone(h.ctx, vendor, h.emu.url);
    const engine = h.ctx.get(SyncEngine);
    engine.pageSize = 50; // many pages, so faults and the token expiry land mid-walk
    let checks = 0;
    // Checked at every page boundary: the 5th boundary expires every token the emulator issued.
    const signal = {
      get aborted() {
        if (++checks === 5) void control('/tokens/expire', 'POST');
        return false;
      },
    } as AbortSignal;
    const faults = await control('/faults', 'PUT', { errorRates: { 429: 0.025, 500: 0.025, 503: 0.025 }, dropRate: 0.025 });
    expect(faults.status).toBe(200);
    let results: SyncRunResult[];
    let rounds = 0;
    try {
      let pending: ModelName[] | undefined;
      do {
        rounds++;
        results = await engine.syncAccount(account.id, { models: pending, signal });
        pending = results.filter((r) => r.outcome !== 'done').map((r) => r.model);
      } while (pending.length && rounds < 15);
      // The faults really happened (DELETE resets these counters).
      const injected = ((await (await control('', 'GET')).json()) as { injected: { errors: number; drops: number } }).injected;
      expect(injected.errors + injected.drops).toBeGreaterThan(0);
    } finally {
      engine.pageSize = undefined;
      await control('/faults', 'DELETE');
    }
    expect(results.filter((r) => r.outcome !== 'done')).toEqual([]);
    expect(checks).toBeGreaterThan(5);

    for (const model of ['Contact', 'Account', 'Opportunity', 'Engagement'] as ModelName[]) {
      const live = await liveRecords(h.ctx, account, model);
      const rows = await storedRecords(h.db.prisma, account.id, model);
      expect(rows.length, model).toBe(live.length);
      expect(new Set(rows.map((r) => r.remote_id)).size, `${model} duplicates`).toBe(rows.length);
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const rec of live) expect(byId.get(rec.id as string)?.data, `${model} ${String(rec.remote_id)}`).toEqual(dataPart(rec));
    }
  }, 600_000);
});
