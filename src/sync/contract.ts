import type { ModelName } from '../models/spec';

/**
 * The sync engine's seams. The engine (src/sync/) keeps the stored copy in crm_records equal to the
 * vendor; schedulers, vendor webhooks, the resync route and linking ask for syncs through
 * SyncTrigger; the engine runs one (account, model) pair at a time per lease.
 */

export type SyncKind = 'full' | 'incremental';
export type SyncReason = 'link' | 'schedule' | 'webhook' | 'resync' | 'write' | 'manual';

export interface SyncRequest {
  linkedAccountId: string;
  /** Models to sync; all models of the account's vendor when absent (in dependency order). */
  models?: ModelName[];
  /** full re-reads everything (and detects deletions by absence); incremental starts at the high-water mark. */
  kind?: SyncKind;
  reason: SyncReason;
  /** Run no earlier than this many milliseconds from now (webhook debouncing). */
  delayMs?: number;
}

/** Asks for syncs; implemented by the scheduler on top of the JobQueue (src/queue). */
export interface SyncTrigger {
  request(req: SyncRequest): Promise<void>;
}
export const SYNC_TRIGGER = Symbol('SYNC_TRIGGER');

export interface SyncRunResult {
  linkedAccountId: string;
  model: ModelName;
  kind: SyncKind;
  /** 'skipped' when another process holds the lease of this pair (the caller does not retry at once). */
  outcome: 'done' | 'failed' | 'skipped' | 'aborted';
  /** Records read from the vendor / written to the store (inserted or changed, deletions included). */
  seen: number;
  written: number;
  added: number;
  changed: number;
  deleted: number;
  error?: string;
}

/** Runs one (account, model) sync under a lease; implemented by the engine (src/sync/sync.engine.ts). */
export interface SyncRunner {
  run(linkedAccountId: string, model: ModelName, options: { kind?: SyncKind; signal?: AbortSignal }): Promise<SyncRunResult>;
}
export const SYNC_RUNNER = Symbol('SYNC_RUNNER');

/**
 * Events the engine publishes on the EventBus (src/events) for outgoing webhooks:
 * - `<Model>.added` / `<Model>.changed` / `<Model>.deleted` with `data` = the record in wire form
 *   (as the REST API returns it without remote_data), for incremental runs and API writes (not for
 *   a linked account's initial sync, which would flood receivers);
 * - `LinkedAccount.sync_completed` with `data` = { sync_status: [...per model, sync-status shape] }
 *   once a requested batch of models has finished.
 */
export type RecordEventKind = 'added' | 'changed' | 'deleted';
export const recordEventName = (model: ModelName, kind: RecordEventKind) => `${model}.${kind}`;
