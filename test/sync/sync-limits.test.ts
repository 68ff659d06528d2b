import { describe, expect, it } from 'vitest';
import { MetricsService } from '../../src/observability/metrics';
import { SyncEngine } from '../../src/sync/sync.engine';
import { linkStandalone, storedRecords } from '../../src/sync/testing';
import { syncHarness } from '../support/sync-harness';

/** Rate-limit budgets: the sync reads HubSpot's budget headers and waits for the window instead of spending 429s. */
describe('sync under a HubSpot ten-second budget', () => {
  const h = syncHarness('hubspot', { seed: 4, contacts: 200 });

  it('syncs every page without a single 429', async () => {
    const account = await linkStandalone(h.ctx, 'hubspot', h.emu.url);
    // A tiny window so that one model's walk (10+ calls) spends it several times.
    const res = await fetch(`${h.emu.url}/__sandbox/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ budgets: { tenSecondly: { limit: 3, windowMs: 2_000 } } }),
    });
    expect(res.status).toBe(200);
    const engine = h.ctx.get(SyncEngine);
    engine.pageSize = 20;
    try {
      const [r] = await engine.syncAccount(account.id, { models: ['Contact'] });
      expect(r).toMatchObject({ outcome: 'done', seen: 200 });
    } finally {
      engine.pageSize = undefined;
    }
    expect((await storedRecords(h.db.prisma, account.id, 'Contact')).length).toBe(200);
    const counts = (await h.ctx.get(MetricsService).vendorRequests.get()).values.filter((v) => v.labels.vendor === 'hubspot');
    const ok = counts.filter((v) => Number(v.labels.status) < 300).reduce((n, v) => n + v.value, 0);
    const limited = counts.filter((v) => v.labels.status === '429').reduce((n, v) => n + v.value, 0);
    expect(ok).toBeGreaterThan(10); // the budget was spent and renewed several times
    expect(limited).toBe(0);
  }, 120_000);
});

/**
 * Zoho answers an exhausted credit window (and its concurrency limit) with a bare 429: no
 * Retry-After, no rate-limit headers. A sync has nobody waiting, so it rides the window out
 * (VendorHttpClient background patience) instead of failing after the usual few attempts.
 */
describe('sync under a Zoho credit window', () => {
  const h = syncHarness('zoho', { seed: 5, contacts: 100 });

  it('rides out 429s without hints and completes', async () => {
    const account = await linkStandalone(h.ctx, 'zoho', h.emu.url);
    // 5 credits per 5 s: an interactive caller (4 tries about a second apart) would give up before a window ends.
    const res = await fetch(`${h.emu.url}/__sandbox/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ budgets: { credits: { limit: 5, windowMs: 5_000 } } }),
    });
    expect(res.status).toBe(200);
    const engine = h.ctx.get(SyncEngine);
    engine.pageSize = 20;
    try {
      const [r] = await engine.syncAccount(account.id, { models: ['Contact'] });
      expect(r).toMatchObject({ outcome: 'done', seen: 100 });
    } finally {
      engine.pageSize = undefined;
    }
    expect((await storedRecords(h.db.prisma, account.id, 'Contact')).length).toBe(100);
    const counts = (await h.ctx.get(MetricsService).vendorRequests.get()).values.filter((v) => v.labels.vendor === 'zoho');
    const ok = counts.filter((v) => Number(v.labels.status) < 300).reduce((n, v) => n + v.value, 0);
    const limited = counts.filter((v) => v.labels.status === '429').reduce((n, v) => n + v.value, 0);
    expect(ok).toBeGreaterThan(5); // more than one window's credits were needed
    expect(limited).toBeGreaterThan(0); // and the vendor did say no on the way
  }, 120_000);
});
