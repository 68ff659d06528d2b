import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/event-bus';
import { adapterFor } from '../../src/integrations/registry';
import { SYNC_TRIGGER, type SyncTrigger } from '../../src/sync/contract';
import { SyncScheduler } from '../../src/sync/scheduler';
import { linkSandboxAccount } from '../support/linked-account';
import { startTestApp, type TestApp } from '../support/test-app';

const CONTACTS = 150;

/** Polls until `check` resolves truthy (no timing assertions: only eventual outcomes). */
async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sync scheduler (in-process queue)', () => {
  let t: TestApp;
  let orgId: string;
  let scheduler: SyncScheduler;
  let trigger: SyncTrigger;

  const runs = (accountId: string, model?: string) =>
    t.db.prisma.sql.query<{ model: string; outcome: string | null; kind: string }>(
      `SELECT model, outcome, kind FROM sync_runs WHERE linked_account_id = $1::uuid ${model ? 'AND model = $2' : ''} ORDER BY started_at`,
      model ? [accountId, model] : [accountId],
    );
  const states = (accountId: string) =>
    t.db.prisma.sql.query<{ model: string; status: string; next_sync_start: Date | null; lease_owner: string | null }>(
      `SELECT model, status, next_sync_start, lease_owner FROM sync_states WHERE linked_account_id = $1::uuid ORDER BY model`,
      [accountId],
    );
  const allDone = async (accountId: string, vendor: 'hubspot' | 'salesforce' | 'zoho') => {
    const rows = await states(accountId);
    return rows.length === adapterFor(vendor)!.models.length && rows.every((r) => r.status === 'DONE') ? rows : undefined;
  };
  /** A sandbox account switched to stored mode, announced as linked (what the hosted Link flow publishes). */
  async function linkStored(vendor: 'hubspot' | 'salesforce' | 'zoho', tenantKey?: string): Promise<string> {
    const { linkedAccountId } = await linkSandboxAccount(t, orgId, vendor, tenantKey);
    await t.db.prisma.linkedAccount.update({ where: { id: linkedAccountId }, data: { readMode: 'stored' } });
    t.app.get(EventBus).publish({ event: 'LinkedAccount.linked', organizationId: orgId, linkedAccountId, data: { linked_account_id: linkedAccountId } });
    return linkedAccountId;
  }

  beforeAll(async () => {
    // A tick every hour: the tests call tick() themselves.
    t = await startTestApp({ SANDBOX_CONTACTS: String(CONTACTS), SYNC_TICK_SECONDS: '3600', SYNC_RETRY_BASE_MS: '50', SYNC_SCHEDULE: 'on' });
    orgId = (await t.createOrganization()).organizationId;
    scheduler = t.app.get(SyncScheduler);
    trigger = t.app.get<SyncTrigger>(SYNC_TRIGGER);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('runs a full sync of every model when a stored-mode account is linked, and records the next sync time', async () => {
    const id = await linkStored('hubspot');
    const done = await eventually(() => allDone(id, 'hubspot'), 'the first sync');
    const now = Date.now();
    for (const s of done) expect(s.next_sync_start!.getTime()).toBeGreaterThan(now);
    const history = await runs(id);
    expect(history.every((r) => r.kind === 'full' && r.outcome === 'done')).toBe(true);
    // One run per model: the link event did not also make the tick start a first sync.
    await scheduler.tick();
    expect((await runs(id)).length).toBe(adapterFor('hubspot')!.models.length);
    const [{ n }] = await t.db.prisma.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM crm_records WHERE linked_account_id = $1::uuid AND model = 'Contact'`, [id]);
    expect(n).toBe(CONTACTS);
  }, 180_000);

  it('never syncs a live-mode account', async () => {
    const { linkedAccountId } = await linkSandboxAccount(t, orgId, 'zoho');
    t.app.get(EventBus).publish({ event: 'LinkedAccount.linked', organizationId: orgId, linkedAccountId, data: {} });
    await trigger.request({ linkedAccountId, reason: 'webhook', models: ['Contact'] });
    await scheduler.tick();
    // Prove the queue moved past these requests: a stored account's request queued after them completes.
    const probe = await linkStored('salesforce');
    await eventually(() => allDone(probe, 'salesforce'), 'the probe account sync');
    expect(await runs(linkedAccountId)).toEqual([]);
    expect(await states(linkedAccountId)).toEqual([]);
  }, 180_000);

  it('coalesces a burst of webhook requests for one model into one run', async () => {
    const id = await linkStored('zoho');
    await eventually(() => allDone(id, 'zoho'), 'the first sync');
    const before = (await runs(id, 'Contact')).length;
    for (let i = 0; i < 8; i++) await trigger.request({ linkedAccountId: id, models: ['Contact'], reason: 'webhook', delayMs: 300 });
    await eventually(async () => (await runs(id, 'Contact')).length > before && (await runs(id, 'Contact')).every((r) => r.outcome), 'the webhook run');
    // Another request after the run finished runs again (dedupe only holds while waiting).
    await trigger.request({ linkedAccountId: id, models: ['Contact'], reason: 'webhook' });
    await eventually(async () => (await runs(id, 'Contact')).filter((r) => r.outcome).length === before + 2, 'the second webhook run');
    const after = await runs(id, 'Contact');
    expect(after.length).toBe(before + 2);
    expect(after.slice(before).every((r) => r.kind === 'incremental' && r.outcome === 'done')).toBe(true);
  }, 180_000);

  it('the tick claims due pairs once, and a second tick right after finds nothing due', async () => {
    const id = await linkStored('hubspot');
    await eventually(() => allDone(id, 'hubspot'), 'the first sync');
    const before = (await runs(id)).length;
    await t.db.prisma.sql.execute(`UPDATE sync_states SET next_sync_start = now() - interval '1 minute' WHERE linked_account_id = $1::uuid AND model IN ('Contact', 'Account')`, [id]);
    await scheduler.tick();
    await scheduler.tick();
    await eventually(async () => {
      const r = await runs(id);
      return r.length === before + 2 && r.every((x) => x.outcome);
    }, 'two scheduled runs');
    const rows = await states(id);
    for (const s of rows) expect(s.next_sync_start!.getTime()).toBeGreaterThan(Date.now());
    const scheduled = (await runs(id)).slice(before);
    expect(scheduled.map((r) => r.model).sort()).toEqual(['Account', 'Contact']);
  }, 180_000);

  it('retries a model whose lease another process holds, once the lease is free', async () => {
    const id = await linkStored('salesforce');
    await eventually(() => allDone(id, 'salesforce'), 'the first sync');
    const before = (await runs(id, 'Contact')).length;
    await t.db.prisma.sql.execute(
      `UPDATE sync_states SET lease_owner = 'another-process', lease_expires_at = now() + interval '1 hour' WHERE linked_account_id = $1::uuid AND model = 'Contact'`,
      [id],
    );
    await trigger.request({ linkedAccountId: id, models: ['Contact'], reason: 'webhook' });
    // Skipped runs write no history; give the job a few retries, then free the lease.
    await new Promise((r) => setTimeout(r, 300));
    expect((await runs(id, 'Contact')).length).toBe(before);
    await t.db.prisma.sql.execute(`UPDATE sync_states SET lease_owner = NULL, lease_expires_at = NULL WHERE linked_account_id = $1::uuid AND model = 'Contact'`, [id]);
    await eventually(async () => (await runs(id, 'Contact')).filter((r) => r.outcome === 'done').length === before + 1, 'the retried run');
  }, 180_000);
});
