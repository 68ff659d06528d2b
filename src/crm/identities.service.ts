import { Injectable } from '@nestjs/common';
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
 * Most cached mappings across all accounts. bench:sync, HubSpot, 100,000 contacts: related-id
 * lookups took 31.3 s with 50,000 entries (and own ids of every model remembered), 1.7 s with this,
 * which holds every referenced record of such an account (150,050 users, accounts, contacts and
 * deals by the emulator seed's counts).
 */
export const IDENTITY_CACHE_ENTRIES = 200_000;

/** Byte offsets of the 16 hex pairs in a canonical UUID (8-4-4-4-12). */
const UUID_PAIRS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX_CODES = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));
const nibble = (c: number) => (c <= 57 ? c - 48 : c - 87);
const packBytes: number[] = new Array(16);

/**
 * A UUID as it is kept in the cache: the 16 bytes as a 16-character latin1 string (32 bytes on the
 * heap instead of 56 for the text). Anything else (not a lower-case canonical UUID, which PostgreSQL
 * always answers) is kept as it is, unless it is 16 characters long and could be mistaken for a packed
 * one: then undefined (not cached).
 */
export function packUuid(id: string): string | undefined {
  if (!CANONICAL_UUID.test(id)) return id.length === 16 ? undefined : id;
  for (let i = 0; i < 16; i++) packBytes[i] = (nibble(id.charCodeAt(UUID_PAIRS[i])) << 4) | nibble(id.charCodeAt(UUID_PAIRS[i] + 1));
  return String.fromCharCode.apply(null, packBytes);
}

/** The high and low hex digit (as char codes) of the byte at `i` of a packed value. */
const hi = (packed: string, i: number) => HEX_CODES[packed.charCodeAt(i) >> 4];
const lo = (packed: string, i: number) => HEX_CODES[packed.charCodeAt(i) & 15];

/**
 * The UUID text of a packed value (a flat string, built in one piece). One fromCharCode call with
 * the 36 codes as arguments: about 95 ns per id against 130 for `apply` over a filled array
 * (Node 20, 250 ids per call as one page of contacts needs).
 */
export function unpackUuid(p: string): string {
  if (p.length !== 16) return p;
  return String.fromCharCode(
    hi(p, 0), lo(p, 0), hi(p, 1), lo(p, 1), hi(p, 2), lo(p, 2), hi(p, 3), lo(p, 3), 45,
    hi(p, 4), lo(p, 4), hi(p, 5), lo(p, 5), 45,
    hi(p, 6), lo(p, 6), hi(p, 7), lo(p, 7), 45,
    hi(p, 8), lo(p, 8), hi(p, 9), lo(p, 9), 45,
    hi(p, 10), lo(p, 10), hi(p, 11), lo(p, 11), hi(p, 12), lo(p, 12), hi(p, 13), lo(p, 13), hi(p, 14), lo(p, 14), hi(p, 15), lo(p, 15),
  );
}

/**
 * Our UUIDs by (model, vendor id), as idsFor answers them: one Map per model, so neither idsFor nor
 * the serializer composes a "model + vendor id" key string per lookup (a page of 100 contacts makes
 * about 300 lookups on each side).
 */
export class ResolvedIds {
  private readonly byModel = new Map<string, Map<string, string>>();
  private count = 0;

  of(model: string, remoteId: string): string | undefined {
    return this.byModel.get(model)?.get(remoteId);
  }

  has(model: string, remoteId: string): boolean {
    return this.byModel.get(model)?.has(remoteId) === true;
  }

  set(model: string, remoteId: string, id: string): void {
    let map = this.byModel.get(model);
    if (!map) this.byModel.set(model, (map = new Map()));
    if (!map.has(remoteId)) this.count++;
    map.set(remoteId, id);
  }

  get size(): number {
    return this.count;
  }

  *values(): IterableIterator<string> {
    for (const map of this.byModel.values()) yield* map.values();
  }
}

/** Entries added to one (account, model) map in a row: the unit of eviction, oldest first. */
interface Chunk {
  account: string;
  model: string;
  map: Map<string, string>;
  count: number;
}

/**
 * The identity cache: one Map per (linked account, model) from the vendor id (the string itself,
 * no composed key) to the packed UUID. Heap per entry (200,000 entries, Node 20, heapUsed after gc,
 * flat strings as pg and JSON.parse give them): 109 bytes with 18-character Salesforce ids, 101 with
 * 10-digit HubSpot ids; the lru-cache it replaces, with account-prefixed template-literal keys and
 * the UUID text, took 261 and 252. At most `budget` entries
 * across all accounts; beyond it the oldest insertions are evicted first (insertion order, kept as
 * runs of entries per map, so eviction costs no per-entry bookkeeping).
 */
export class IdentityCache {
  private readonly accounts = new Map<string, Map<string, Map<string, string>>>();
  private readonly chunks: Chunk[] = [];
  private head = 0;
  private entries = 0;

  constructor(readonly budget: number) {}

  get size(): number {
    return this.entries;
  }

  get(account: string, model: string, remoteId: string): string | undefined {
    const packed = this.accounts.get(account)?.get(model)?.get(remoteId);
    return packed === undefined ? undefined : unpackUuid(packed);
  }

  set(account: string, model: string, remoteId: string, id: string): void {
    const packed = packUuid(id);
    if (packed === undefined) return;
    let models = this.accounts.get(account);
    if (!models) this.accounts.set(account, (models = new Map()));
    let map = models.get(model);
    if (!map) models.set(model, (map = new Map()));
    const size = map.size;
    map.set(remoteId, packed);
    if (map.size === size) return; // known already: mappings never change
    const last = this.chunks[this.chunks.length - 1];
    if (this.chunks.length > this.head && last.map === map) last.count++;
    else this.chunks.push({ account, model, map, count: 1 });
    if (++this.entries > this.budget) this.evict(this.entries - this.budget);
  }

  private evict(n: number): void {
    while (n > 0) {
      const chunk = this.chunks[this.head];
      const keys = chunk.map.keys();
      const take = Math.min(n, chunk.count);
      for (let i = 0; i < take; i++) chunk.map.delete(keys.next().value as string);
      chunk.count -= take;
      this.entries -= take;
      n -= take;
      if (chunk.count) break;
      this.head++;
      if (!chunk.map.size) {
        const models = this.accounts.get(chunk.account);
        // A map emptied by eviction may since have been replaced; only drop the one we emptied.
        if (models?.get(chunk.model) === chunk.map) {
          models.delete(chunk.model);
          if (!models.size) this.accounts.delete(chunk.account);
        }
      }
    }
    // Drop consumed chunks now and then (not on every eviction: splice is O(chunks)).
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
  }
}

/**
 * Stable ids: each (linked account, model, vendor id) gets one UUID forever. Resolved in bulk
 * (one statement per page of records), never one query per row.
 */
@Injectable()
export class IdentitiesService {
  /**
   * Mappings never change once made, so they are cached in memory (IdentityCache), bounded by
   * IDENTITY_CACHE_ENTRIES across accounts. Ids of models nothing refers to (Note, Task, Engagement, Lead) are
   * cached only when looked up, never by remember: a sync of their pages would otherwise push the
   * referenced ids out.
   */
  private readonly cache = new IdentityCache(IDENTITY_CACHE_ENTRIES);

  constructor(private readonly prisma: PrismaService) {}

  /** Our UUIDs for vendor ids, creating the missing ones. */
  async idsFor(linkedAccountId: string, keys: RemoteKey[]): Promise<ResolvedIds> {
    const out = new ResolvedIds();
    let unique: Map<string, RemoteKey> | undefined;
    for (const k of keys) {
      // Repeats (the same account or owner on many records) are answered once.
      if (out.has(k.model, k.remoteId)) continue;
      const cached = this.cache.get(linkedAccountId, k.model, k.remoteId);
      if (cached) out.set(k.model, k.remoteId, cached);
      else (unique ??= new Map()).set(keyOf(k.model, k.remoteId), k);
    }
    if (!unique) return out;
    // Most misses exist already (records of earlier pages or runs): a read, then an insert only
    // for the ids still missing.
    await this.read(linkedAccountId, [...unique.values()], out);
    const absent = [...unique.values()].filter((k) => !out.has(k.model, k.remoteId));
    if (!absent.length) return out;
    await this.insertAndRead(linkedAccountId, absent, out);
    // A concurrent request may have inserted some of the same ids after this statement's snapshot
    // was taken (PostgreSQL READ COMMITTED): ON CONFLICT skips them and the SELECT cannot see
    // them yet. A second statement sees them committed.
    const missing = absent.filter((k) => !out.has(k.model, k.remoteId));
    if (missing.length) await this.insertAndRead(linkedAccountId, missing, out);
    return out;
  }

  private async read(linkedAccountId: string, keys: RemoteKey[], out: ResolvedIds): Promise<void> {
    const rows = await this.prisma.sql.query<{ id: string; model: string; remote_id: string }>(
      `SELECT r.id::text, r.model, r.remote_id
       FROM unnest($2::text[], $3::text[]) AS i(model, remote_id)
       JOIN remote_identities r ON r.linked_account_id = $1::uuid AND r.model = i.model AND r.remote_id = i.remote_id`,
      [linkedAccountId, keys.map((k) => k.model), keys.map((k) => k.remoteId)],
      { prepare: true },
    );
    this.collect(linkedAccountId, rows, out);
  }

  private async insertAndRead(linkedAccountId: string, keys: RemoteKey[], out: ResolvedIds): Promise<void> {
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

  private collect(linkedAccountId: string, rows: { id: string; model: string; remote_id: string }[], out: ResolvedIds): void {
    for (const r of rows) {
      out.set(r.model, r.remote_id, r.id);
      this.cache.set(linkedAccountId, r.model, r.remote_id, r.id);
    }
  }

  /** The cached id, if any (no query). */
  cached(linkedAccountId: string, model: ModelName, remoteId: string): string | undefined {
    return this.cache.get(linkedAccountId, model, remoteId);
  }

  /**
   * Caches ids of one model resolved elsewhere (the store writer's upsert); only committed ones.
   * Ids of models nothing refers to are not kept (see the cache).
   */
  remember(linkedAccountId: string, model: ModelName, ids: Map<string, string>): void {
    if (!REFERENCED.has(model)) return;
    for (const [remoteId, id] of ids) this.cache.set(linkedAccountId, model, remoteId, id);
  }

  async idFor(linkedAccountId: string, model: ModelName, remoteId: string): Promise<string> {
    return (await this.idsFor(linkedAccountId, [{ model, remoteId }])).of(model, remoteId) as string;
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
