import { Inject, Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { PrismaService } from '../database/prisma.service';
import { ApiError } from '../errors/api-error';
import { CURSOR_CODEC, type CursorCodec } from '../http/cursor';
import { adapterFor } from '../integrations/registry';
import { type LinkedAccountRecord, LinkedAccountsService } from '../linked-accounts/linked-accounts.service';
import type { ModelName } from '../models/spec';
import { SYNC_TRIGGER, type SyncRequest, type SyncTrigger } from '../sync/contract';
import { parseUuid } from './list-query';

export type SyncStatusValue = 'SYNCING' | 'DONE' | 'FAILED' | 'DISABLED' | 'PAUSED' | 'PARTIALLY_SYNCED';

export interface SyncStatusEntry {
  model_name: string;
  model_id: string;
  last_sync_start: string | null;
  next_sync_start: string | null;
  last_sync_result: string | null;
  last_sync_finished: string | null;
  status: SyncStatusValue | string;
  is_initial_sync: boolean;
}

interface StateRow {
  model: string;
  status: string;
  is_initial_sync: boolean;
  last_sync_start: string | null;
  last_sync_finished: string | null;
  next_sync_start: string | null;
  last_sync_result: string | null;
}

export interface AccountSettings {
  id: string;
  read_mode: 'stored' | 'live';
  sync_frequency_minutes: number;
}

const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * GET /sync-status, POST /sync-status/resync and the account's read-mode setting. One entry per
 * model of the account's vendor, from sync_states; models never synced report PAUSED with
 * is_initial_sync true; a live-mode account stores nothing, so its models report DISABLED.
 */
@Injectable()
export class SyncStatusService {
  private readonly logger = new Logger('SyncStatus');

  constructor(
    private readonly prisma: PrismaService,
    private readonly moduleRef: ModuleRef,
    @Inject(CURSOR_CODEC) private readonly cursors: CursorCodec,
  ) {}

  models(account: LinkedAccountRecord): readonly ModelName[] {
    return adapterFor(account.integration)?.models ?? [];
  }

  async statuses(account: LinkedAccountRecord): Promise<SyncStatusEntry[]> {
    const rows = await this.prisma.sql.query<StateRow>(
      `SELECT model, status, is_initial_sync, last_sync_result,
              to_char(last_sync_start AT TIME ZONE 'UTC', ${ISO_MS}) AS last_sync_start,
              to_char(last_sync_finished AT TIME ZONE 'UTC', ${ISO_MS}) AS last_sync_finished,
              to_char(COALESCE(next_sync_start, last_sync_start + make_interval(mins => $2::int)) AT TIME ZONE 'UTC', ${ISO_MS}) AS next_sync_start
       FROM sync_states WHERE linked_account_id = $1::uuid`,
      [account.id, account.syncFrequencyMinutes],
    );
    const byModel = new Map(rows.map((r) => [r.model, r]));
    const live = account.readMode === 'live';
    return this.models(account).map((model) => {
      const r = byModel.get(model);
      return {
        model_name: model,
        model_id: `crm.${model}`,
        last_sync_start: r?.last_sync_start ?? null,
        next_sync_start: live ? null : (r?.next_sync_start ?? null),
        // Merge reports the outcome in its status vocabulary (LastSyncResultEnum): a success is DONE.
        last_sync_result: r?.last_sync_result === 'SUCCESS' ? 'DONE' : (r?.last_sync_result ?? null),
        last_sync_finished: r?.last_sync_finished ?? null,
        status: live ? 'DISABLED' : (r?.status ?? 'PAUSED'),
        is_initial_sync: r?.is_initial_sync ?? true,
      };
    });
  }

  /** A page of statuses (a handful of models: offset paging under a signed cursor). */
  async page(account: LinkedAccountRecord, query: { cursor?: string; page_size?: number }) {
    const all = await this.statuses(account);
    const size = query.page_size ?? 100;
    const scope = { account: account.id, model: 'sync-status', filters: '' };
    const offset = query.cursor ? this.cursors.decode<{ o: number }>(scope, query.cursor).o : 0;
    if (!Number.isInteger(offset) || offset < 0) throw ApiError.invalidField('/query/cursor', 'invalid cursor (malformed)');
    return {
      next: offset + size < all.length ? this.cursors.encode(scope, { o: offset + size }) : null,
      previous: offset > 0 ? this.cursors.encode(scope, { o: Math.max(0, offset - size) }) : null,
      results: all.slice(offset, offset + size),
    };
  }

  /** Queues a full sync of every model (Merge's force resync); answers the statuses. */
  async resync(account: LinkedAccountRecord): Promise<SyncStatusEntry[]> {
    if (account.readMode === 'live') {
      throw ApiError.conflict('This linked account reads live (read_mode live) and stores nothing, so there is nothing to resync. Set read_mode to stored first.', 'READ_MODE_LIVE');
    }
    await this.request({ linkedAccountId: account.id, kind: 'full', reason: 'resync' }, true);
    return this.statuses(account);
  }

  /** Extension: read mode and sync frequency of one of the organization's linked accounts. */
  async updateSettings(organizationId: string, id: string, body: { read_mode?: 'stored' | 'live'; sync_frequency_minutes?: number }): Promise<AccountSettings> {
    const uuid = parseUuid(id, '/path/id');
    const account = await this.prisma.linkedAccount.findUnique({ where: { id: uuid } });
    if (!account || account.organizationId !== organizationId) throw ApiError.notFound('No linked account with this id.');
    const data: { readMode?: string; syncFrequencyMinutes?: number } = {};
    if (body.read_mode !== undefined) data.readMode = body.read_mode;
    if (body.sync_frequency_minutes !== undefined) data.syncFrequencyMinutes = body.sync_frequency_minutes;
    const updated = Object.keys(data).length ? await this.prisma.linkedAccount.update({ where: { id: uuid }, data }) : account;
    // Requests after this one must see the new read mode (account-token lookups are cached for seconds).
    this.moduleRef.get(LinkedAccountsService, { strict: false }).invalidate(uuid);
    if (account.readMode !== 'live' && updated.readMode === 'live') {
      // Live-mode accounts store nothing: drop the copy and the sync bookkeeping.
      await this.prisma.sql.transaction(async (tx) => {
        await tx.execute('DELETE FROM crm_records WHERE linked_account_id = $1::uuid', [uuid]);
        await tx.execute('DELETE FROM sync_states WHERE linked_account_id = $1::uuid', [uuid]);
      });
    } else if (account.readMode === 'live' && updated.readMode === 'stored') {
      // Reads stay live until this initial sync completes (model by model).
      await this.request({ linkedAccountId: uuid, kind: 'full', reason: 'manual' }, false);
    }
    return { id: updated.id, read_mode: updated.readMode === 'live' ? 'live' : 'stored', sync_frequency_minutes: updated.syncFrequencyMinutes };
  }

  private async request(req: SyncRequest, required: boolean): Promise<void> {
    let trigger: SyncTrigger | undefined;
    try {
      trigger = this.moduleRef.get<SyncTrigger>(SYNC_TRIGGER, { strict: false });
    } catch {
      trigger = undefined;
    }
    if (!trigger) {
      if (required) throw new ApiError(503, 'SYNC_UNAVAILABLE', 'The sync scheduler is not running on this server.');
      this.logger.warn(`no sync scheduler: ${req.reason} sync of ${req.linkedAccountId} not queued`);
      return;
    }
    await trigger.request(req);
  }
}
