import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { SqlQueryable } from '../database/driver';
import { EventBus } from '../events/event-bus';
import { type CrmAdapter, type ListPage, type RemoteRecord, type VendorPageState, VendorError } from '../integrations/contract';
import { adapterFor } from '../integrations/registry';
import { VendorConnections } from '../linked-accounts/connections';
import { IssuesService } from '../linked-accounts/issues.service';
import type { LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import { MODEL_NAMES, type ModelName, relationFields } from '../models/spec';
import type { SyncKind, SyncRunner, SyncRunResult } from './contract';
import { type PreparedPage, StoreWriter, type WriteResult } from './store-writer';

/** The open run of a pair, saved with every stored page: a restarted process resumes from it. */
interface Checkpoint {
  /** Vendor paging state of the next page (null: first page). */
  state: VendorPageState | null;
  /** Incremental runs: lower bound of the vendor modified time (ISO). */
  since: string | null;
  /** When the run first started (ISO): caps the next high-water mark so nothing modified meanwhile is skipped. */
  startedAt: string;
  /** Full resyncs over a non-empty store record seen ids (sync_seen) to detect deletions by absence. */
  trackSeen: boolean;
  /** The walk reached the vendor's last page (a crash before the run closed resumes at the close). */
  walked?: boolean;
  seen: number;
  written: number;
  added: number;
  changed: number;
  deleted: number;
}

interface StateRow {
  status: string;
  is_initial_sync: boolean;
  run_kind: string | null;
  checkpoint: Checkpoint | string | null;
  high_water_mark: Date | string | null;
  run_high_water_mark: Date | string | null;
}

export interface SyncEngineOptions {
  /** Lease length; renewed with every page and by a timer while a page is in flight. */
  leaseMs: number;
  /** Incremental runs re-read this much before the high-water mark (same-second updates, clock skew). */
  overlapMs: number;
}

/** Models of a vendor in dependency order: targets of relations first (User, Stage, Account, ...). */
export function syncOrder(models: readonly ModelName[]): ModelName[] {
  const wanted = new Set(models);
  const out: ModelName[] = [];
  const state = new Map<ModelName, 'visiting' | 'done'>();
  const visit = (m: ModelName) => {
    if (state.get(m)) return; // done, or a cycle (e.g. Lead <-> Contact): first come stays first
    state.set(m, 'visiting');
    for (const rel of relationFields(m)) if (rel.target !== m && wanted.has(rel.target)) visit(rel.target);
    state.set(m, 'done');
    out.push(m);
  };
  for (const m of MODEL_NAMES) if (wanted.has(m)) visit(m);
  return out;
}

/** Vendor errors that will not go away by retrying: they become linked-account issues. */
function isPermanent(err: unknown): err is VendorError {
  return err instanceof VendorError && ['auth', 'validation', 'not_found', 'other'].includes(err.kind) && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;
}

const message = (err: unknown) => (err instanceof VendorError ? err.vendorMessage || err.message : err instanceof Error ? err.message : String(err));

class LeaseLost extends Error {}

/** The account was switched to read_mode live (or deleted) while its sync ran. */
class NotStored extends Error {}

/**
 * Each page's transaction first locks the account row (FOR SHARE) and stops unless it still reads
 * stored: the switch to live (an UPDATE of that row, then deleting the copy) waits for a page in
 * flight to commit, so no page is written after the copy was dropped. Taken first: account deletion
 * locks the account row before the rows that cascade from it.
 */
async function assertStored(tx: SqlQueryable, accountId: string): Promise<void> {
  const rows = await tx.query<{ read_mode: string }>(`SELECT read_mode FROM linked_accounts WHERE id = $1::uuid FOR SHARE`, [accountId]);
  if (rows[0]?.read_mode !== 'stored') throw new NotStored('the linked account no longer reads stored (read_mode live): sync stopped');
}

const toDate = (v: Date | string | null): Date | null => (v == null ? null : v instanceof Date ? v : new Date(v));

/**
 * Keeps crm_records equal to the vendor, one (linked account, model) pair at a time under a lease
 * on its sync_states row. Each page is upserted and its checkpoint saved in one transaction, so a
 * killed process resumes at the page after the last one stored: nothing lost, nothing duplicated.
 */
@Injectable()
export class SyncEngine implements SyncRunner {
  private readonly logger = new Logger('SyncEngine');
  /** Identifies this process in leases and sync_runs. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  options: SyncEngineOptions = { leaseMs: 5 * 60_000, overlapMs: 60_000 };
  /** Page size override (tests and benchmarks); the adapter's largest page otherwise. */
  pageSize?: number;

  constructor(
    private readonly prisma: PrismaService,
    private readonly connections: VendorConnections,
    private readonly writer: StoreWriter,
    private readonly issues: IssuesService,
    private readonly events: EventBus,
  ) {}

  private get sql() {
    return this.prisma.sql;
  }

  async run(linkedAccountId: string, model: ModelName, options: { kind?: SyncKind; signal?: AbortSignal } = {}): Promise<SyncRunResult> {
    const base = { linkedAccountId, model, seen: 0, written: 0, added: 0, changed: 0, deleted: 0 };
    const account = await this.prisma.linkedAccount.findUnique({ where: { id: linkedAccountId } });
    const adapter = account ? adapterFor(account.integration) : undefined;
    if (!account || !adapter || !adapter.models.includes(model)) {
      return { ...base, kind: options.kind ?? 'incremental', outcome: 'failed', error: account ? `${model} is not available for this integration` : 'no such linked account' };
    }
    // Live accounts store nothing (switching to live dropped their sync rows: none is created again).
    if (account.readMode !== 'stored') return { ...base, kind: options.kind ?? 'incremental', outcome: 'skipped', error: 'the linked account reads live' };
    await this.sql.execute(
      `INSERT INTO sync_states (linked_account_id, model) SELECT $1::uuid, $2 WHERE EXISTS (SELECT 1 FROM linked_accounts WHERE id = $1::uuid AND read_mode = 'stored') ON CONFLICT DO NOTHING`,
      [linkedAccountId, model],
    );
    const acquired = await this.sql.query<StateRow>(
      `UPDATE sync_states SET lease_owner = $3, lease_expires_at = now() + ($4::int * interval '1 millisecond'), status = 'SYNCING',
              last_sync_start = now(), updated_at = now()
       WHERE linked_account_id = $1::uuid AND model = $2 AND (lease_owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at < now())
       RETURNING status, is_initial_sync, run_kind, checkpoint, high_water_mark, run_high_water_mark`,
      [linkedAccountId, model, this.owner, this.options.leaseMs],
    );
    if (!acquired.length) return { ...base, kind: options.kind ?? 'incremental', outcome: 'skipped' };
    const row = acquired[0];
    const open = typeof row.checkpoint === 'string' ? (JSON.parse(row.checkpoint) as Checkpoint) : row.checkpoint;
    // An open run of the same kind is resumed; a request for another kind starts afresh.
    const openKind = row.run_kind?.toLowerCase() as SyncKind | undefined;
    const resume = open && openKind && (!options.kind || options.kind === openKind) ? open : null;
    const kind: SyncKind = resume && openKind ? openKind : (options.kind ?? (row.is_initial_sync || !row.high_water_mark ? 'full' : 'incremental'));
    const initial = row.is_initial_sync;
    const runRows = await this.sql.query<{ id: string }>(
      `INSERT INTO sync_runs (linked_account_id, model, kind, owner) VALUES ($1::uuid, $2, $3, $4) RETURNING id::text AS id`,
      [linkedAccountId, model, kind, this.owner],
    );
    const runId = runRows[0].id;
    const renew = setInterval(() => {
      this.sql
        .execute(`UPDATE sync_states SET lease_expires_at = now() + ($4::int * interval '1 millisecond') WHERE linked_account_id = $1::uuid AND model = $2 AND lease_owner = $3`, [
          linkedAccountId,
          model,
          this.owner,
          this.options.leaseMs,
        ])
        .catch(() => undefined);
    }, Math.max(1_000, Math.floor(this.options.leaseMs / 3)));
    renew.unref();
    let cp: Checkpoint | null = resume;
    try {
      if (!cp) cp = await this.openRun(account, model, kind, row);
      const outcome = await this.pages(account, adapter, model, kind, cp, initial, options.signal);
      if (outcome === 'aborted') {
        await this.finish(account, model, runId, cp, 'aborted');
        return { ...base, ...this.counts(cp), kind, outcome: 'aborted' };
      }
      if (kind === 'full' && cp.trackSeen) {
        const gone = await this.markUnseen(account, model, !initial);
        cp.deleted += gone.deleted;
        cp.written += gone.written;
      }
      await this.finish(account, model, runId, cp, 'done');
      await this.issues.resolve(linkedAccountId, issueKind(model)).catch(() => undefined);
      return { ...base, ...this.counts(cp), kind, outcome: 'done' };
    } catch (err) {
      if (err instanceof NotStored) {
        // Nothing of the run is kept; the rows are gone or go with the switch (a switch back starts afresh).
        await this.finish(account, model, runId, cp, 'aborted', err.message).catch(() => undefined);
        return { ...base, ...(cp ? this.counts(cp) : {}), kind, outcome: 'aborted', error: err.message };
      }
      const error = message(err);
      if (!(err instanceof LeaseLost)) this.logger.warn(`sync ${account.integration} ${model} of ${linkedAccountId} failed: ${error}`);
      if (isPermanent(err)) {
        await this.issues
          .open({
            organizationId: account.organizationId,
            linkedAccountId,
            kind: issueKind(model),
            description: `Syncing ${model} failed: ${error}`,
            details: [`${err.vendor} ${err.status} ${err.vendorCode}: ${err.vendorMessage}`],
          })
          .catch(() => undefined);
      }
      await this.finish(account, model, runId, cp, 'failed', error).catch(() => undefined);
      return { ...base, ...(cp ? this.counts(cp) : {}), kind, outcome: 'failed', error };
    } finally {
      clearInterval(renew);
    }
  }

  /**
   * Runs every model of the account (or the given ones) in dependency order; one model failing
   * never stops the others. Publishes LinkedAccount.sync_completed at the end.
   */
  async syncAccount(linkedAccountId: string, options: { models?: ModelName[]; kind?: SyncKind; signal?: AbortSignal } = {}): Promise<SyncRunResult[]> {
    const account = await this.prisma.linkedAccount.findUnique({ where: { id: linkedAccountId } });
    const adapter = account ? adapterFor(account.integration) : undefined;
    if (!account || !adapter) return [];
    const models = syncOrder((options.models ?? adapter.models).filter((m) => adapter.models.includes(m)));
    const results: SyncRunResult[] = [];
    for (const model of models) {
      if (options.signal?.aborted) break;
      try {
        results.push(await this.run(linkedAccountId, model, { kind: options.kind, signal: options.signal }));
      } catch (err) {
        results.push({ linkedAccountId, model, kind: options.kind ?? 'incremental', outcome: 'failed', seen: 0, written: 0, added: 0, changed: 0, deleted: 0, error: message(err) });
      }
    }
    await this.publishCompleted(account, models);
    return results;
  }

  /** sync-status rows of an account's models (the shape GET /sync-status returns). */
  async syncStatus(account: LinkedAccountRecord, models: ModelName[]): Promise<Record<string, unknown>[]> {
    const rows = await this.sql.query<{
      model: string;
      status: string;
      is_initial_sync: boolean;
      last_sync_start: Date | string | null;
      last_sync_finished: Date | string | null;
      next_sync_start: Date | string | null;
      last_sync_result: string | null;
    }>(
      `SELECT model, status, is_initial_sync, last_sync_start, last_sync_finished, next_sync_start, last_sync_result
       FROM sync_states WHERE linked_account_id = $1::uuid AND model = ANY($2::text[])`,
      [account.id, models],
    );
    const iso = (v: Date | string | null) => toDate(v)?.toISOString() ?? null;
    return rows.map((r) => ({
      model_name: r.model,
      model_id: `crm.${r.model}`,
      last_sync_start: iso(r.last_sync_start),
      next_sync_start: iso(r.next_sync_start),
      last_sync_result: r.last_sync_result,
      last_sync_finished: iso(r.last_sync_finished),
      status: r.status,
      is_initial_sync: r.is_initial_sync,
    }));
  }

  private async publishCompleted(account: LinkedAccountRecord, models: ModelName[]) {
    const status = await this.syncStatus(account, models);
    this.events.publish({ event: 'LinkedAccount.sync_completed', organizationId: account.organizationId, linkedAccountId: account.id, data: { sync_status: status } });
  }

  private counts(cp: Checkpoint) {
    return { seen: cp.seen, written: cp.written, added: cp.added, changed: cp.changed, deleted: cp.deleted };
  }

  /** Opens a new run: its checkpoint, and for a full resync over stored rows, an empty seen set. */
  private async openRun(account: LinkedAccountRecord, model: ModelName, kind: SyncKind, row: StateRow): Promise<Checkpoint> {
    const hwm = toDate(row.high_water_mark);
    let trackSeen = false;
    if (kind === 'full') {
      const any = await this.sql.query(`SELECT 1 FROM crm_records WHERE linked_account_id = $1::uuid AND model = $2 LIMIT 1`, [account.id, model]);
      trackSeen = any.length > 0;
    }
    const startedAt = new Date().toISOString();
    const cp: Checkpoint = {
      state: null,
      since: kind === 'incremental' && hwm ? new Date(hwm.getTime() - this.options.overlapMs).toISOString() : null,
      startedAt,
      trackSeen,
      seen: 0,
      written: 0,
      added: 0,
      changed: 0,
      deleted: 0,
    };
    await this.sql.transaction(async (tx) => {
      await assertStored(tx, account.id);
      await tx.execute(`DELETE FROM sync_seen WHERE linked_account_id = $1::uuid AND model = $2`, [account.id, model]);
      await this.saveCheckpoint(tx, account.id, model, kind, cp, null, true);
    });
    return cp;
  }

  private async saveCheckpoint(tx: SqlQueryable, accountId: string, model: ModelName, kind: SyncKind, cp: Checkpoint, pageHwm: string | null, reset = false) {
    const n = await tx.execute(
      `UPDATE sync_states SET checkpoint = $4::jsonb, run_kind = $5,
              run_high_water_mark = ${reset ? '$6::timestamptz' : 'GREATEST(run_high_water_mark, $6::timestamptz)'},
              lease_expires_at = now() + ($7::int * interval '1 millisecond'), updated_at = now()
       WHERE linked_account_id = $1::uuid AND model = $2 AND lease_owner = $3`,
      [accountId, model, this.owner, JSON.stringify(cp), kind.toUpperCase(), reset ? null : pageHwm, this.options.leaseMs],
    );
    if (n !== 1) throw new LeaseLost('the lease of this sync was taken over by another process');
  }

  /** Pages to exhaustion; each page and its checkpoint commit together. */
  private async pages(
    account: LinkedAccountRecord,
    adapter: CrmAdapter,
    model: ModelName,
    kind: SyncKind,
    cp: Checkpoint,
    initial: boolean,
    signal?: AbortSignal,
  ): Promise<'done' | 'aborted'> {
    // Nobody waits on a sync: it rides out short vendor rate limits (429s without a long hint).
    const conn = this.connections.forAccount(account, { background: true });
    const pageSize = Math.min(this.pageSize ?? adapter.syncPageSize ?? 100, adapter.syncPageSize ?? 100);
    // The first full sync of an account would flood receivers: record events only afterwards.
    const emitEvents = !initial;
    const filters = { includeDeleted: true, ...(cp.since ? { modifiedAfter: new Date(cp.since) } : {}) };
    const fetchPage = (state: VendorPageState | null) => {
      const p = adapter.list(conn, model, { pageSize, state, filters });
      p.catch(() => undefined); // awaited below; a prefetch dropped by an abort must not be unhandled
      return p;
    };
    if (cp.walked) return 'done';
    let pending = fetchPage(cp.state);
    for (;;) {
      if (signal?.aborted) return 'aborted';
      // The next vendor page is fetched while this one is stored (the vendor and the database work
      // in parallel); the checkpoint still only moves once this page is committed.
      const { nextState, prepared, pageHwm, count } = await this.preparePage(account, model, pending, (state) => (pending = fetchPage(state)));
      const next: Checkpoint = { ...cp, state: nextState, walked: !nextState, seen: cp.seen + count };
      const { result, events, ids } = await this.sql.transaction(async (tx) => {
        await assertStored(tx, account.id);
        const applied = await this.writer.apply(tx, prepared, { emitEvents });
        if (cp.trackSeen && prepared.remoteIds.length) {
          await tx.execute(
            `INSERT INTO sync_seen (linked_account_id, model, remote_id) SELECT $1::uuid, $2, r FROM unnest($3::text[]) AS r ON CONFLICT DO NOTHING`,
            [account.id, model, prepared.remoteIds],
          );
        }
        addCounts(next, applied.result);
        await this.saveCheckpoint(tx, account.id, model, kind, next, pageHwm);
        return applied;
      });
      void result;
      Object.assign(cp, next);
      // Committed: the page's ids may be cached (later pages and models refer to these records).
      if (ids) this.writer.remember(account, model, ids);
      if (events) this.writer.publish(events);
      if (!nextState) return 'done';
    }
  }

  /**
   * Awaits a vendor page, starts the next fetch and prepares the page's rows. Only the prepared
   * strings leave this frame: the parsed page (Salesforce: 2,000 records with every field) is
   * garbage before the upsert runs, while the prefetched page is being parsed.
   */
  private async preparePage(
    account: LinkedAccountRecord,
    model: ModelName,
    pending: Promise<ListPage>,
    prefetch: (state: VendorPageState) => void,
  ): Promise<{ nextState: VendorPageState | null; prepared: PreparedPage; pageHwm: string | null; count: number }> {
    const page = await pending;
    if (page.nextState) prefetch(page.nextState);
    const prepared = await this.writer.prepare(account, model, page.records);
    return { nextState: page.nextState, prepared, pageHwm: maxUpdated(page.records), count: page.records.length };
  }

  /** Full resync: stored records the run did not see are gone at the vendor. */
  private async markUnseen(account: LinkedAccountRecord, model: ModelName, emitEvents: boolean): Promise<WriteResult> {
    const { result, events } = await this.sql.transaction(async (tx) => {
      await assertStored(tx, account.id);
      // sync_seen was just filled: its statistics are stale, and a planner that believes it tiny
      // picks a nested-loop anti join, quadratic in the record count. Hash or merge it is.
      await tx.exec('SET LOCAL enable_nestloop = off');
      const missing = await tx.query<{ remote_id: string }>(
        `SELECT c.remote_id FROM crm_records c
         WHERE c.linked_account_id = $1::uuid AND c.model = $2 AND NOT c.remote_was_deleted
           AND NOT EXISTS (SELECT 1 FROM sync_seen s WHERE s.linked_account_id = c.linked_account_id AND s.model = c.model AND s.remote_id = c.remote_id)`,
        [account.id, model],
      );
      const marked = await this.writer.markDeletedIn(
        tx,
        account,
        model,
        missing.map((m) => m.remote_id),
        { emitEvents },
      );
      await tx.execute(`DELETE FROM sync_seen WHERE linked_account_id = $1::uuid AND model = $2`, [account.id, model]);
      return marked;
    });
    // Published once committed: receivers may read the store at once.
    if (events) this.writer.publish(events);
    return result;
  }

  /** Closes the run: high-water mark, status, counters, lease released, history row. */
  private async finish(account: LinkedAccountRecord, model: ModelName, runId: string, cp: Checkpoint | null, outcome: 'done' | 'failed' | 'aborted', error?: string) {
    const done = outcome === 'done';
    await this.sql.transaction(async (tx) => {
      if (done) {
        // The next incremental starts at min(newest vendor time seen, run start): records modified
        // while the run walked past them are read again next time (unchanged ones write nothing).
        await tx.execute(
          `UPDATE sync_states SET status = 'DONE', is_initial_sync = false, checkpoint = NULL,
                  -- No vendor time seen: keep the old mark (none after a full run over records without
                  -- timestamps, e.g. synthetic engagement types, so their next run is full again).
                  high_water_mark = CASE WHEN run_high_water_mark IS NULL THEN high_water_mark
                                         ELSE LEAST(run_high_water_mark, $4::timestamptz) END,
                  run_high_water_mark = NULL, last_sync_finished = now(), last_sync_result = 'SUCCESS', last_error = NULL,
                  last_run_written = $5, last_run_seen = $6,
                  next_sync_start = now() + ($7::int * interval '1 minute'),
                  lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
           WHERE linked_account_id = $1::uuid AND model = $2 AND lease_owner = $3`,
          [account.id, model, this.owner, cp?.startedAt ?? new Date().toISOString(), cp?.written ?? 0, cp?.seen ?? 0, account.syncFrequencyMinutes],
        );
      } else {
        // The checkpoint stays: the next run resumes where this one stopped.
        await tx.execute(
          `UPDATE sync_states SET status = $4, last_sync_finished = now(), last_sync_result = $5, last_error = $6,
                  last_run_written = $7, last_run_seen = $8, next_sync_start = now() + ($9::int * interval '1 minute'),
                  lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
           WHERE linked_account_id = $1::uuid AND model = $2 AND lease_owner = $3`,
          [
            account.id,
            model,
            this.owner,
            outcome === 'failed' ? 'FAILED' : 'PARTIALLY_SYNCED',
            outcome === 'failed' ? 'FAILED' : null,
            error ?? null,
            cp?.written ?? 0,
            cp?.seen ?? 0,
            account.syncFrequencyMinutes,
          ],
        );
      }
      await tx.execute(`UPDATE sync_runs SET finished_at = now(), outcome = $2, seen = $3, written = $4, error = $5 WHERE id = $1::uuid`, [
        runId,
        outcome,
        cp?.seen ?? 0,
        cp?.written ?? 0,
        error ?? null,
      ]);
    });
  }
}

function addCounts(cp: Checkpoint, r: WriteResult) {
  cp.written += r.written;
  cp.added += r.added;
  cp.changed += r.changed;
  cp.deleted += r.deleted;
}

function maxUpdated(records: RemoteRecord[]): string | null {
  let max = -Infinity;
  for (const r of records) {
    const t = r.remoteUpdatedAt ? Date.parse(r.remoteUpdatedAt) : NaN;
    if (!Number.isNaN(t) && t > max) max = t;
  }
  return max === -Infinity ? null : new Date(max).toISOString();
}

/** One ongoing issue per (account, model) so a success of one model does not resolve another's. */
export const issueKind = (model: ModelName) => `SYNC_FAILED_${model.toUpperCase()}`;
