import { hash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { IdentitiesService, type RemoteKey, ResolvedIds } from '../crm/identities.service';
import { refsOf, remoteFieldsJson, serializeData } from '../crm/serializer';
import { PrismaService } from '../database/prisma.service';
import type { SqlQueryable } from '../database/driver';
import { EventBus } from '../events/event-bus';
import type { RemoteRecord } from '../integrations/contract';
import type { LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import type { ModelName } from '../models/spec';
import { recordEventName, type RecordEventKind } from './contract';

export interface WriteResult {
  /** Rows inserted. */
  added: number;
  /** Rows whose normalized content changed (modified_at moved), deletions excluded. */
  changed: number;
  /** Rows that became remote_was_deleted. */
  deleted: number;
  /** Rows physically written: inserted, content changed, deleted, or remote_data refreshed. */
  written: number;
}

export interface WriteOptions {
  /** Publish `<Model>.added|changed|deleted` for the rows whose content changed (default false). */
  emitEvents?: boolean;
}

/** A page ready for the store: serialized and hashed, ids resolved (outside any transaction). */
export interface PreparedPage {
  account: LinkedAccountRecord;
  model: ModelName;
  /** The records' own ids when cached (committed ones only); null: the upsert resolves or creates it. */
  ids: (string | null)[];
  remoteIds: string[];
  data: string[];
  remoteData: string[];
  remoteFields: string[];
  contentHash: string[];
  remoteDataHash: string[];
  remoteCreatedAt: (string | null)[];
  remoteUpdatedAt: (string | null)[];
  remoteWasDeleted: boolean[];
}

/** Events to publish once the transaction that wrote them has committed. */
export interface PendingEvents {
  account: LinkedAccountRecord;
  model: ModelName;
  items: { kind: RecordEventKind; record: Record<string, unknown> }[];
}

// One-shot: no Hash object per call (measured in bench:sync's writer breakdown).
const sha = (s: string) => hash('sha256', s, 'base64url');

const toIso = (v: unknown): string | null => (v == null ? null : v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());

/** Parses a vendor timestamp; null when absent or unparseable (never throws on odd vendor data). */
const vendorTime = (v: string | null): string | null => {
  if (!v) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
};

interface ReturnedRow {
  /** Null: the record's identity was not visible to the statement (see upsert). */
  id: string | null;
  remote_id: string;
  /** False for the unresolved rows (id null). */
  written: boolean;
  inserted: boolean;
  content_changed: boolean;
  became_deleted: boolean;
  became_restored: boolean;
  data: Record<string, unknown>;
  remote_was_deleted: boolean;
  created_at: Date | string;
  modified_at: Date | string;
}

/**
 * Writes vendor records into the store (crm_records): one statement per page, `modified_at` moved
 * only when the normalized content (data + remote_fields, or the deletion flag) changed, remote_data
 * kept current without moving it, and nothing written at all for unchanged rows. Used by the sync
 * engine (inside its page transaction) and by API writes (read-your-writes).
 */
@Injectable()
export class StoreWriter {
  constructor(
    private readonly prisma: PrismaService,
    private readonly identities: IdentitiesService,
    private readonly events: EventBus,
  ) {}

  /** Upserts one page of records of one model and publishes events when asked. */
  async writePage(account: LinkedAccountRecord, model: ModelName, records: RemoteRecord[], options: WriteOptions = {}): Promise<WriteResult> {
    if (!records.length) return { added: 0, changed: 0, deleted: 0, written: 0 };
    const prepared = await this.prepare(account, model, records);
    const { result, events, ids } = await this.apply(this.prisma.sql, prepared, options);
    // Committed (a statement outside a transaction): the ids may be cached now.
    if (ids) this.remember(account, model, ids);
    if (events) this.publish(events);
    return result;
  }

  /** Marks stored records remote_was_deleted (those already marked or unknown are left alone). */
  async markDeleted(account: LinkedAccountRecord, model: ModelName, remoteIds: string[], options: WriteOptions = {}): Promise<WriteResult> {
    const { result, events } = await this.markDeletedIn(this.prisma.sql, account, model, remoteIds, options);
    if (events) this.publish(events);
    return result;
  }

  /**
   * Serializes and hashes a page (outside any transaction). Ids of related records are resolved
   * through IdentitiesService (cached, so most pages make no query); the records' own ids are not
   * needed before the upsert, which resolves (and creates) them itself.
   */
  async prepare(account: LinkedAccountRecord, model: ModelName, records: RemoteRecord[]): Promise<PreparedPage> {
    // A page may repeat a record (vendor paging over moving data): the last copy wins, once.
    const unique = new Map<string, RemoteRecord>();
    for (const r of records) unique.set(r.remoteId, r);
    const list = [...unique.values()];
    const refs: RemoteKey[] = [];
    for (const r of list) refsOf(r, refs);
    const idMap = refs.length ? await this.identities.idsFor(account.id, refs) : new ResolvedIds();
    const page: PreparedPage = {
      account,
      model,
      ids: [],
      remoteIds: [],
      data: [],
      remoteData: [],
      remoteFields: [],
      contentHash: [],
      remoteDataHash: [],
      remoteCreatedAt: [],
      remoteUpdatedAt: [],
      remoteWasDeleted: [],
    };
    for (const r of list) {
      // Exactly what serializeRecord's wire form gives for these parts (same JSON, same hashes).
      const dataJson = JSON.stringify(serializeData(r, { ids: idMap }));
      const fieldsJson = remoteFieldsJson(r.remoteFields);
      const rawJson = JSON.stringify(r.remoteData ?? []);
      page.ids.push(this.identities.cached(account.id, model, r.remoteId) ?? null);
      page.remoteIds.push(r.remoteId);
      page.data.push(dataJson);
      page.remoteFields.push(fieldsJson);
      page.remoteData.push(rawJson);
      page.contentHash.push(sha(`${dataJson}\u0000${fieldsJson}`));
      page.remoteDataHash.push(sha(rawJson));
      page.remoteCreatedAt.push(vendorTime(r.remoteCreatedAt));
      page.remoteUpdatedAt.push(vendorTime(r.remoteUpdatedAt));
      page.remoteWasDeleted.push(r.remoteWasDeleted);
    }
    return page;
  }

  /**
   * The page's single upsert on `tx` (the engine passes its page transaction, so the checkpoint
   * commits with the rows). Events are returned, not published: publish after commit.
   */
  async apply(tx: SqlQueryable, page: PreparedPage, options: WriteOptions = {}): Promise<{ result: WriteResult; events?: PendingEvents; ids?: Map<string, string> }> {
    const result: WriteResult = { added: 0, changed: 0, deleted: 0, written: 0 };
    if (!page.remoteIds.length) return { result };
    const emit = options.emitEvents === true;
    const items: PendingEvents['items'] = [];
    const ids = new Map<string, string>();
    let rows = await this.upsert(tx, page, emit, null);
    // Identities another transaction created after this statement's snapshot was taken (READ
    // COMMITTED): ON CONFLICT skipped them and the snapshot cannot see them. A second statement,
    // with a new snapshot, sees them committed.
    const unresolved = rows.filter((r) => r.id === null).map((r) => r.remote_id);
    if (unresolved.length) rows = [...rows.filter((r) => r.id !== null), ...(await this.upsert(tx, page, emit, unresolved))];
    for (const row of rows) {
      if (row.id === null) throw new Error(`no identity for ${page.model} ${row.remote_id}`);
      ids.set(row.remote_id, row.id);
      if (!row.written) continue;
      result.written++;
      let kind: RecordEventKind | null = null;
      if (row.inserted) kind = 'added';
      else if (row.became_deleted) kind = 'deleted';
      // Content changes and restores (deleted -> present again) are both "changed".
      else if (row.content_changed || row.became_restored) kind = 'changed';
      if (kind === 'added') result.added++;
      else if (kind === 'deleted') result.deleted++;
      else if (kind === 'changed') result.changed++;
      if (emit && kind) items.push({ kind, record: wireRecord(row as ReturnedRow & { id: string }) });
    }
    return { result, events: emit && items.length ? { account: page.account, model: page.model, items } : undefined, ids };
  }

  /**
   * One statement: the records' identities (created when missing, in remote_id order so that
   * concurrent writers lock them in the same order), then the upsert. Answers one row per written
   * record and one row with a null id per record whose identity this snapshot could not see.
   * `only` limits the statement to those remote ids (the retry of unresolved ones).
   *
   * A stored row is not overwritten by an incoming copy with an older remote_updated_at: a sync
   * page read from the vendor before an API write but stored after it must not undo the write.
   * Equal times overwrite (vendors date in seconds or milliseconds, so a same-time copy may be the
   * newer one, and an equal copy writes nothing anyway); a missing time on either side overwrites
   * (nothing to compare); a change of the deletion flag always applies (vendors date a deletion by
   * its deletion time, and a restore may keep the older modification time).
   */
  private async upsert(tx: SqlQueryable, page: PreparedPage, emit: boolean, only: string[] | null): Promise<ReturnedRow[]> {
    const pick = only ? new Set(only) : null;
    const idx = pick ? page.remoteIds.flatMap((r, i) => (pick.has(r) ? [i] : [])) : null;
    const col = <T>(xs: T[]) => (idx ? idx.map((i) => xs[i]) : xs);
    // `old` versions are read by primary key in the outer query: every part of one statement sees
    // the snapshot taken before it, so that is the row as it was (only for rows not inserted).
    return tx.query<ReturnedRow>(
      `WITH input AS (
         SELECT * FROM unnest($3::text[], $4::jsonb[], $5::jsonb[], $6::jsonb[], $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[], $11::boolean[], $12::uuid[])
           AS t(remote_id, data, remote_data, remote_fields, content_hash, remote_data_hash, remote_created_at, remote_updated_at, remote_was_deleted, known_id)
       ),
       new_ids AS (
         INSERT INTO remote_identities (linked_account_id, model, remote_id)
         SELECT $1::uuid, $2, remote_id FROM input WHERE known_id IS NULL ORDER BY remote_id
         ON CONFLICT (linked_account_id, model, remote_id) DO NOTHING
         RETURNING id, remote_id
       ),
       resolved AS (
         SELECT COALESCE(i.known_id, n.id, (SELECT r.id FROM remote_identities r WHERE r.linked_account_id = $1::uuid AND r.model = $2 AND r.remote_id = i.remote_id)) AS id, i.*
         FROM input i LEFT JOIN new_ids n ON n.remote_id = i.remote_id
       ),
       up AS (
         INSERT INTO crm_records AS c (id, linked_account_id, model, remote_id, data, remote_data, remote_fields,
                                       content_hash, remote_data_hash, remote_created_at, remote_updated_at, remote_was_deleted)
         SELECT id, $1::uuid, $2, remote_id, data, remote_data, remote_fields, content_hash, remote_data_hash,
                remote_created_at, remote_updated_at, remote_was_deleted
         FROM resolved WHERE id IS NOT NULL ORDER BY remote_id
         ON CONFLICT (linked_account_id, model, remote_id) DO UPDATE SET
           data = EXCLUDED.data,
           remote_fields = EXCLUDED.remote_fields,
           content_hash = EXCLUDED.content_hash,
           remote_data = EXCLUDED.remote_data,
           remote_data_hash = EXCLUDED.remote_data_hash,
           remote_created_at = EXCLUDED.remote_created_at,
           remote_updated_at = EXCLUDED.remote_updated_at,
           remote_was_deleted = EXCLUDED.remote_was_deleted,
           modified_at = CASE
             WHEN c.content_hash IS DISTINCT FROM EXCLUDED.content_hash OR c.remote_was_deleted IS DISTINCT FROM EXCLUDED.remote_was_deleted
             THEN now() ELSE c.modified_at END
         WHERE (c.content_hash IS DISTINCT FROM EXCLUDED.content_hash
                OR c.remote_was_deleted IS DISTINCT FROM EXCLUDED.remote_was_deleted
                OR c.remote_data_hash IS DISTINCT FROM EXCLUDED.remote_data_hash
                OR c.remote_updated_at IS DISTINCT FROM EXCLUDED.remote_updated_at
                OR c.remote_created_at IS DISTINCT FROM EXCLUDED.remote_created_at)
           AND (c.remote_was_deleted IS DISTINCT FROM EXCLUDED.remote_was_deleted
                OR c.remote_updated_at IS NULL OR EXCLUDED.remote_updated_at IS NULL
                OR EXCLUDED.remote_updated_at >= c.remote_updated_at)
         RETURNING c.id, c.remote_id, (c.xmax = 0) AS inserted, c.content_hash, c.remote_was_deleted, c.created_at, c.modified_at
                   ${emit ? ', c.data' : ''}
       )
       SELECT up.id::text AS id, up.remote_id, true AS written, up.inserted,
              (NOT up.inserted AND old.content_hash IS DISTINCT FROM up.content_hash) AS content_changed,
              (NOT up.inserted AND NOT old.remote_was_deleted AND up.remote_was_deleted) AS became_deleted,
              (NOT up.inserted AND old.remote_was_deleted AND NOT up.remote_was_deleted) AS became_restored,
              up.remote_was_deleted, up.created_at, up.modified_at ${emit ? ', up.data' : ''}
       FROM up LEFT JOIN LATERAL (
         SELECT o.content_hash, o.remote_was_deleted FROM crm_records o WHERE o.id = up.id AND NOT up.inserted
       ) old ON true
       UNION ALL
       SELECT id::text, remote_id, false, false, false, false, false, false, NULL, NULL ${emit ? ', NULL' : ''}
       FROM resolved WHERE id IS NULL`,
      [
        page.account.id,
        page.model,
        col(page.remoteIds),
        col(page.data),
        col(page.remoteData),
        col(page.remoteFields),
        col(page.contentHash),
        col(page.remoteDataHash),
        col(page.remoteCreatedAt),
        col(page.remoteUpdatedAt),
        col(page.remoteWasDeleted),
        col(page.ids),
      ],
      // The same text for every page (events aside): parsed once per connection, and planned once
      // when PostgreSQL settles on a generic plan, instead of per page.
      { prepare: true },
    );
  }

  /** markDeleted on `tx`; events returned for publishing after commit. */
  async markDeletedIn(
    tx: SqlQueryable,
    account: LinkedAccountRecord,
    model: ModelName,
    remoteIds: string[],
    options: WriteOptions = {},
  ): Promise<{ result: WriteResult; events?: PendingEvents }> {
    if (!remoteIds.length) return { result: { added: 0, changed: 0, deleted: 0, written: 0 } };
    const emit = options.emitEvents === true;
    const rows = await tx.query<ReturnedRow & { id: string }>(
      `UPDATE crm_records SET remote_was_deleted = true, modified_at = now()
       WHERE linked_account_id = $1::uuid AND model = $2 AND remote_id = ANY($3::text[]) AND NOT remote_was_deleted
       RETURNING id::text AS id, remote_id, remote_was_deleted, created_at, modified_at ${emit ? ', data' : ''}`,
      [account.id, model, remoteIds],
    );
    const items = emit ? rows.map((row) => ({ kind: 'deleted' as const, record: wireRecord(row) })) : [];
    return {
      result: { added: 0, changed: 0, deleted: rows.length, written: rows.length },
      events: items.length ? { account, model, items } : undefined,
    };
  }

  /** Caches the ids apply returned, once its transaction has committed (never before: a rollback would leave ids that do not exist). */
  remember(account: LinkedAccountRecord, model: ModelName, ids: Map<string, string>): void {
    this.identities.remember(account.id, model, ids);
  }

  /** Publishes events returned by apply / markDeletedIn (call after the transaction committed). */
  publish(events: PendingEvents): void {
    for (const item of events.items) {
      this.events.publish({
        event: recordEventName(events.model, item.kind),
        organizationId: events.account.organizationId,
        linkedAccountId: events.account.id,
        data: item.record,
      });
    }
  }
}

/** A stored row in wire form (as the REST API returns it without remote_data / remote_fields). */
export function wireRecord(row: Pick<ReturnedRow, 'remote_id' | 'data' | 'remote_was_deleted' | 'created_at' | 'modified_at'> & { id: string }): Record<string, unknown> {
  const data = typeof row.data === 'string' ? (JSON.parse(row.data) as Record<string, unknown>) : row.data;
  return {
    id: row.id,
    remote_id: row.remote_id,
    created_at: toIso(row.created_at),
    modified_at: toIso(row.modified_at),
    ...data,
    remote_was_deleted: row.remote_was_deleted,
    field_mappings: null,
  };
}
