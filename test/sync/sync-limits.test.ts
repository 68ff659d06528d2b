import { describe, expect, it } from 'vitest';
import type { SandboxVendor } from '../../src/sandbox/registry';
import { MetricsService } from '../../src/observability/metrics';
import { SyncEngine } from '../../src/sync/sync.engine';
import { linkStandalone, storedRecords } from '../../src/sync/testing';
import { type SyncHarness, syncHarness } from '../support/sync-harness';

/**
 * Links the harness's emulator, gives it `budgets` (PUT /__sandbox/settings), syncs its Contacts in
 * pages of 20 and checks every contact was stored; returns the vendor requests that succeeded and
 * those answered 429.
 */
async function syncContactsUnderBudget(h: SyncHarness, vendor: SandboxVendor, budgets: object, contacts: number): Promise<{ ok: number; limited: number }> {
  const account = await linkStandalone(h.ctx, vendor, h.emu.url);
  const res = await fetch(`${h.emu.url}/__sandbox/settings`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ budgets }),
  });
  expect(res.status).toBe(200);
  const engine = h.ctx.get(SyncEngine);
  engine.pageSize = 20;
  try {
    const [r] = await engine.syncAccount(account.id, { models: ['Contact'] });
    expect(r).toMatchObject({ outcome: 'done', seen: contacts });
  } finally {
    engine.pageSize = undefined;
  }
  expect((await storedRecords(h.db.prisma, account.id, 'Contact')).length).toBe(contacts);
  const counts = (await h.ctx.get(MetricsService).vendorRequests.get()).values.filter((v) => v.labels.vendor === vendor);
  return {
    ok: counts.filter((v) => Number(v.labels.status) < 300).reduce((n, v) => n + v.value, 0),
    limited: counts.filter((v) => v.labels.status === '429').reduce((n, v) => n + v.value, 0),
  };
}

/** Rate-limit budgets: the sync reads HubSpot's budget headers and waits for the window instead of spending 429s. */
describe('sync under a HubSpot ten-second budget', () => {
  const h = syncHarness('hubspot', { seed: 4, contacts: 200 });

  it('syncs every page without a single 429', async () => {
    // A tiny window so that one model's walk (10+ calls) spends it several times.
    const { ok, limited } = await syncContactsUnderBudget(h, 'hubspot', { tenSecondly: { limit: 3, windowMs: 2_000 } }, 200);
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
    // 5 credits per 5 s: an interactive caller (4 tries about a second apart) would give up before a window ends.
    const { ok, limited } = await syncContactsUnderBudget(h, 'zoho', { credits: { limit: 5, windowMs: 5_000 } }, 100);
    expect(ok).toBeGreaterThan(5); // more than one window's credits were needed
    expect(limited).toBeGreaterThan(0); // and the vendor did say no on the way
  }, 120_000);
});
