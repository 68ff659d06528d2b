import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { PrismaService } from '../database/prisma.service';
import { MODEL_NAMES, type ModelName, relationFields } from '../models/spec';

export interface RemoteKey {
  model: ModelName;
  remoteId: string;
}

const keyOf = (model: string, remoteId: string) => `${model}\u0000${remoteId}`;

/** Models some other model refers to (User, Account, Contact, ...): the only ids looked up as related ids. */
const REFERENCED = new Set<ModelName>(MODEL_NAMES.flatMap((m) => relationFields(m).map((r) => r.target)));

/**
 * Cached mappings (about 210 bytes each: key, UUID string, LRU slot; measured with lru-cache on
 * Node 20), so at most about 42 MB. Holds every referenced record of a 100,000-contact account
 * (150,050 users, accounts, contacts and deals by the emulator seed's counts). bench:sync, HubSpot,
 * 100,000 contacts: related-id lookups took 31.3 s with 50,000 entries (and own ids of every model
 * remembered), 1.7 s with this.
 */
export const IDENTITY_CACHE_ENTRIES = 200_000;

/**
 * Stable ids: each (linked account, model, vendor id) gets one UUID forever. Resolved in bulk
 * (one statement per page of records), never one query per row.
 */
@Injectable()
export class IdentitiesService {
  /**
   * Mappings never change once made, so they are cached in memory (account-scoped keys), bounded
   * by IDENTITY_CACHE_ENTRIES. Ids of models nothing refers to (Note, Task, Engagement, Lead) are
   * cached only when looked up, never by remember: a sync of their pages would otherwise push the
   * referenced ids out.
   */
  private readonly cache = new LRUCache<string, string>({ max: IDENTITY_CACHE_ENTRIES });

  constructor(private readonly prisma: PrismaService) {}

  /** Our UUIDs for vendor ids, creating the missing ones. Map key: model + "\0" + remoteId. */
  async idsFor(linkedAccountId: string, keys: RemoteKey[]): Promise<Map<string, string>> {
    const unique = new Map<string, RemoteKey>();
    const out = new Map<string, string>();
    for (const k of keys) {
      const key = keyOf(k.model, k.remoteId);
      const cached = this.cache.get(`${linkedAccountId}\u0000${key}`);
      if (cached) out.set(key, cached);
      else unique.set(key, k);
    }
    if (!unique.size) return out;
    // Most misses exist already (records of earlier pages or runs): a read, then an insert only
    // for the ids still missing.
    await this.read(linkedAccountId, [...unique.values()], out);
    const absent = [...unique.entries()].filter(([key]) => !out.has(key)).map(([, k]) => k);
    if (!absent.length) return out;
    await this.insertAndRead(linkedAccountId, absent, out);
    // A concurrent request may have inserted some of the same ids after this statement's snapshot
    // was taken (PostgreSQL READ COMMITTED): ON CONFLICT skips them and the SELECT cannot see
    // them yet. A second statement sees them committed.
    const missing = absent.filter((k) => !out.has(keyOf(k.model, k.remoteId)));
    if (missing.length) await this.insertAndRead(linkedAccountId, missing, out);
    return out;
  }

  private async read(linkedAccountId: string, keys: RemoteKey[], out: Map<string, string>): Promise<void> {
    const rows = await this.prisma.sql.query<{ id: string; model: string; remote_id: string }>(
      `SELECT r.id::text, r.model, r.remote_id
       FROM unnest($2::text[], $3::text[]) AS i(model, remote_id)
       JOIN remote_identities r ON r.linked_account_id = $1::uuid AND r.model = i.model AND r.remote_id = i.remote_id`,
      [linkedAccountId, keys.map((k) => k.model), keys.map((k) => k.remoteId)],
      { prepare: true },
    );
    this.collect(linkedAccountId, rows, out);
  }

  private async insertAndRead(linkedAccountId: string, keys: RemoteKey[], out: Map<string, string>): Promise<void> {
    const models = keys.map((k) => k.model);
    const remoteIds = keys.map((k) => k.remoteId);
    // Insert-if-missing and read back in one round trip (works on PostgreSQL and PGlite).
    const rows = await this.prisma.sql.query<{ id: string; model: string; remote_id: string }>(
      `WITH input AS (SELECT * FROM unnest($2::text[], $3::text[]) AS t(model, remote_id)),
            inserted AS (
              INSERT INTO remote_identities (linked_account_id, model, remote_id)
              -- A fixed order: concurrent writers (the store writer too) lock identities in the same order.
              SELECT $1::uuid, model, remote_id FROM input ORDER BY model, remote_id
              ON CONFLICT (linked_account_id, model, remote_id) DO NOTHING
              RETURNING id, model, remote_id)
       SELECT id::text, model, remote_id FROM inserted
       UNION ALL
       SELECT r.id::text, r.model, r.remote_id FROM remote_identities r JOIN input i ON i.model = r.model AND i.remote_id = r.remote_id
       WHERE r.linked_account_id = $1::uuid`,
      [linkedAccountId, models, remoteIds],
      { prepare: true },
    );
    this.collect(linkedAccountId, rows, out);
  }

  private collect(linkedAccountId: string, rows: { id: string; model: string; remote_id: string }[], out: Map<string, string>): void {
    for (const r of rows) {
      out.set(keyOf(r.model, r.remote_id), r.id);
      this.cache.set(`${linkedAccountId}\u0000${keyOf(r.model, r.remote_id)}`, r.id);
    }
  }

  /** The cached id, if any (no query). */
  cached(linkedAccountId: string, model: ModelName, remoteId: string): string | undefined {
    return this.cache.get(`${linkedAccountId}\u0000${keyOf(model, remoteId)}`);
  }

  /**
   * Caches ids of one model resolved elsewhere (the store writer's upsert); only committed ones.
   * Ids of models nothing refers to are not kept (see the cache).
   */
  remember(linkedAccountId: string, model: ModelName, ids: Map<string, string>): void {
    if (!REFERENCED.has(model)) return;
    for (const [remoteId, id] of ids) this.cache.set(`${linkedAccountId}\u0000${keyOf(model, remoteId)}`, id);
  }

  async idFor(linkedAccountId: string, model: ModelName, remoteId: string): Promise<string> {
    return (await this.idsFor(linkedAccountId, [{ model, remoteId }])).get(keyOf(model, remoteId)) as string;
  }

  /** The vendor id behind one of our UUIDs, or null when it is not this account's record of that model. */
  async remoteIdFor(linkedAccountId: string, model: ModelName, id: string): Promise<string | null> {
    const rows = await this.prisma.sql.query<{ remote_id: string }>(
      'SELECT remote_id FROM remote_identities WHERE id = $1::uuid AND linked_account_id = $2::uuid AND model = $3',
      [id, linkedAccountId, model],
    );
    return rows[0]?.remote_id ?? null;
  }

  /** Vendor ids behind several UUIDs of one model (unknown ones are absent). */
  async remoteIdsFor(linkedAccountId: string, model: ModelName, ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await this.prisma.sql.query<{ id: string; remote_id: string }>(
      'SELECT id::text, remote_id FROM remote_identities WHERE id = ANY($1::uuid[]) AND linked_account_id = $2::uuid AND model = $3',
      [ids, linkedAccountId, model],
    );
    return new Map(rows.map((r) => [r.id, r.remote_id]));
  }

  static key = keyOf;
}
