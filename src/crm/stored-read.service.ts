import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { PrismaService } from '../database/prisma.service';
import { ApiError } from '../errors/api-error';
import { CURSOR_CODEC, type CursorCodec } from '../http/cursor';
import { adapterFor } from '../integrations/registry';
import type { LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import { type ModelName, MODEL_NAMES, MODELS, relationFields } from '../models/spec';
import { filterFingerprint, type ParsedListQuery, parseListQuery, parseRetrieveQuery, parseUuid } from './list-query';

export type ReadMode = 'live' | 'stored';

/** Per-request read options shared by REST and GraphQL. */
export interface ReadContext {
  /** The raw `X-Read-Mode` request header (validated by {@link StoredReadService.resolveMode}). */
  requestedMode?: string | string[];
  /** Which mode answered; set by the read service so the caller can echo it in `X-Read-Mode`. */
  answeredMode?: ReadMode;
}

export interface Paginated<T> {
  next: string | null;
  previous: string | null;
  results: T[];
}

/** Stored cursors: after (`a`) or before (`b`) a `seq` (text: int8 does not fit a JS number safely). */
interface StoredCursor {
  d: 'a' | 'b';
  k: string;
}

interface Row {
  seq: string;
  j: Record<string, unknown>;
}

/** Model names are inlined into SQL (a fixed whitelist), so partial indexes (WHERE model = '...') match. */
const MODEL_SQL = new Map<string, string>(MODEL_NAMES.map((m) => [m, `'${m}'`]));

const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** The wire record built by PostgreSQL: one jsonb value per row, so Node only parses one column. */
function recordJson(options: { includeRemoteData: boolean; includeRemoteFields: boolean }): string {
  const extra: string[] = [];
  if (options.includeRemoteData) extra.push(`'remote_data', COALESCE(r.remote_data, '[]'::jsonb)`);
  if (options.includeRemoteFields) extra.push(`'remote_fields', COALESCE(r.remote_fields, '[]'::jsonb)`);
  return `jsonb_build_object('id', r.id, 'remote_id', r.remote_id,
            'created_at', to_char(r.created_at AT TIME ZONE 'UTC', ${ISO_MS}),
            'modified_at', to_char(r.modified_at AT TIME ZONE 'UTC', ${ISO_MS}))
          || r.data
          || jsonb_build_object('remote_was_deleted', r.remote_was_deleted, 'field_mappings', NULL${extra.length ? `, ${extra.join(', ')}` : ''})`;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Reads from the stored copy (crm_records) with the same API, filters and envelope as live reads:
 * keyset pagination on the immutable `seq`, every filter mapped to SQL with an index behind it
 * (see migration 20261122011000_stored_read_indexes), `expand` batched (one query per related
 * model), the JSON of each record built by PostgreSQL.
 */
@Injectable()
export class StoredReadService {
  /**
   * (account, model) pairs whose initial sync completed: that never reverts while the account is
   * unchanged, so it is cached. The key carries the account's updated_at: switching the read mode
   * (which drops the copy when going live) invalidates it in every process.
   */
  private readonly initialDone = new LRUCache<string, true>({ max: 100_000 });
  private readonly analyzed = new Set<string>();

  constructor(
    private readonly prisma: PrismaService,
    @Inject(CURSOR_CODEC) private readonly cursors: CursorCodec,
  ) {}

  /**
   * Which mode serves this request. `X-Read-Mode` (live | stored) wins over the account's
   * read_mode; without it, a cursor continues in the mode that made it (a walk started on live data
   * before the initial sync finished stays live). Stored on a model whose initial sync has not
   * completed is served live, so a freshly linked account is never empty.
   */
  async resolveMode(account: LinkedAccountRecord, model: ModelName, cursor: unknown, ctx?: ReadContext): Promise<ReadMode> {
    const requested = parseReadModeHeader(ctx?.requestedMode);
    let mode: ReadMode = requested ?? (account.readMode === 'live' ? 'live' : 'stored');
    if (!requested && typeof cursor === 'string' && cursor) mode = cursorMode(cursor) ?? mode;
    if (mode === 'stored' && !(await this.initialSyncDone(account, model))) mode = 'live';
    if (ctx) ctx.answeredMode = mode;
    return mode;
  }

  async initialSyncDone(account: Pick<LinkedAccountRecord, 'id' | 'updatedAt'>, model: ModelName): Promise<boolean> {
    const key = `${account.id}:${account.updatedAt.getTime()}:${model}`;
    if (this.initialDone.has(key)) return true;
    const rows = await this.prisma.sql.query<{ is_initial_sync: boolean }>('SELECT is_initial_sync FROM sync_states WHERE linked_account_id = $1::uuid AND model = $2', [account.id, model]);
    const done = rows.length > 0 && !rows[0].is_initial_sync;
    if (done) {
      this.initialDone.set(key, true);
      // The embedded database runs no autovacuum: without fresh statistics after a bulk initial sync
      // the planner may sort every stored row of the model per page. Gather them once (in the background).
      if (this.prisma.kind === 'pglite' && !this.analyzed.has(`${account.id}:${model}`)) {
        this.analyzed.add(`${account.id}:${model}`);
        this.prisma.sql.exec('ANALYZE crm_records').catch(() => undefined);
      }
    }
    return done;
  }

  async list(account: LinkedAccountRecord, model: ModelName, rawQuery: Record<string, unknown>): Promise<Paginated<Record<string, unknown>>> {
    const q = parseListQuery(model, rawQuery);
    this.checkModel(account, model);
    const scope = storedScope(account.id, model, q);
    const cursor = q.cursor ? this.decodeCursor(scope, q.cursor) : null;
    const params: unknown[] = [account.id];
    const where = [`r.linked_account_id = $1::uuid`, `r.model = ${MODEL_SQL.get(model)}`, ...this.filterSql(model, q, params)];
    const backwards = cursor?.d === 'b';
    if (cursor) {
      params.push(cursor.k);
      where.push(`r.seq ${backwards ? '<' : '>'} $${params.length}::bigint`);
    }
    params.push(q.pageSize + 1);
    // The JSON is built outside the LIMIT: only for the page, whatever plan the filters get (a
    // plan that sorts every matching row, e.g. on fresh statistics, must not build JSON for them all).
    const order = `r.seq ${backwards ? 'DESC' : 'ASC'}`;
    const rows = await this.prisma.sql.query<Row>(
      `SELECT r.seq::text AS seq, ${recordJson(q)} AS j FROM (
         SELECT * FROM crm_records r WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT $${params.length}
       ) r ORDER BY ${order}`,
      params,
    );
    const more = rows.length > q.pageSize;
    if (more) rows.pop();
    if (backwards) rows.reverse();
    const first = rows[0]?.seq;
    const last = rows[rows.length - 1]?.seq;
    let next: StoredCursor | null;
    let previous: StoredCursor | null;
    if (backwards) {
      next = last ? { d: 'a', k: last } : { d: 'a', k: (BigInt(cursor!.k) - 1n).toString() };
      previous = more && first ? { d: 'b', k: first } : null;
    } else {
      next = more && last ? { d: 'a', k: last } : null;
      // Something came before this page iff it was opened by a cursor (records are never removed).
      previous = cursor ? { d: 'b', k: first ?? (BigInt(cursor.k) + 1n).toString() } : null;
    }
    const results = rows.map((r) => r.j);
    if (q.expand.length) await this.expand(account, model, results, q.expand, q);
    return {
      next: next ? this.cursors.encode<StoredCursor>(scope, next) : null,
      previous: previous ? this.cursors.encode<StoredCursor>(scope, previous) : null,
      results,
    };
  }

  async retrieve(account: LinkedAccountRecord, model: ModelName, id: string, rawQuery: Record<string, unknown>): Promise<Record<string, unknown>> {
    const q = parseRetrieveQuery(model, rawQuery);
    const uuid = parseUuid(id, '/path/id');
    this.checkModel(account, model);
    const rows = await this.prisma.sql.query<{ j: Record<string, unknown>; deleted: boolean }>(
      `SELECT ${recordJson(q)} AS j, r.remote_was_deleted AS deleted FROM crm_records r
       WHERE r.id = $2::uuid AND r.linked_account_id = $1::uuid AND r.model = ${MODEL_SQL.get(model)}`,
      [account.id, uuid],
    );
    // Same 404s as live reads: unknown to this account, or gone from the CRM.
    if (!rows.length) throw ApiError.notFound(`No ${model} with id ${uuid} in this linked account.`);
    if (rows[0].deleted) throw ApiError.notFound(`No ${model} with id ${uuid} in this linked account (the CRM no longer has it).`);
    const record = rows[0].j;
    if (q.expand.length) await this.expand(account, model, [record], q.expand, q);
    return record;
  }

  /** Stored records by our ids (one query; unknown or foreign ids are absent from the map). */
  async getByIds(
    account: LinkedAccountRecord,
    model: ModelName,
    ids: string[],
    options: { includeRemoteData?: boolean; includeRemoteFields?: boolean } = {},
  ): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>();
    const wanted = [...new Set(ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id)).map((id) => id.toLowerCase()))];
    if (!wanted.length) return out;
    const rows = await this.prisma.sql.query<{ id: string; j: Record<string, unknown> }>(
      `SELECT r.id::text AS id, ${recordJson({ includeRemoteData: !!options.includeRemoteData, includeRemoteFields: !!options.includeRemoteFields })} AS j
       FROM crm_records r WHERE r.linked_account_id = $1::uuid AND r.model = ${MODEL_SQL.get(model)} AND r.id = ANY($2::uuid[])`,
      [account.id, wanted],
    );
    for (const r of rows) out.set(r.id, r.j);
    return out;
  }

  /** Replaces relation ids named in `expand` by the related records: one query per related model. */
  private async expand(
    account: LinkedAccountRecord,
    model: ModelName,
    records: Record<string, unknown>[],
    expand: string[],
    options: { includeRemoteData: boolean; includeRemoteFields: boolean },
  ): Promise<void> {
    const rels = relationFields(model).filter((r) => expand.includes(r.field));
    const wanted = new Map<ModelName, Set<string>>();
    for (const rel of rels) {
      const set = wanted.get(rel.target) ?? new Set<string>();
      wanted.set(rel.target, set);
      for (const rec of records) {
        const v = rec[rel.field];
        for (const id of Array.isArray(v) ? v : v ? [v] : []) if (typeof id === 'string') set.add(id);
      }
    }
    const found = new Map<ModelName, Map<string, Record<string, unknown>>>();
    for (const [target, ids] of wanted) if (ids.size) found.set(target, await this.getByIds(account, target, [...ids], options));
    for (const rel of rels) {
      const byId = found.get(rel.target);
      if (!byId) continue;
      for (const rec of records) {
        const v = rec[rel.field];
        // An id with no stored record stays an id, as live reads do.
        if (Array.isArray(v)) rec[rel.field] = v.map((id) => byId.get(id as string) ?? id);
        else if (typeof v === 'string') rec[rel.field] = byId.get(v) ?? v;
      }
    }
  }

  /** WHERE terms of every filter; values go to `params`. */
  private filterSql(model: ModelName, q: ParsedListQuery, params: unknown[]): string[] {
    const terms: string[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    // Wire timestamps have millisecond precision (truncated): "after X" is >= X + 1 ms on the column.
    const after = (col: string, d: Date) => terms.push(`${col} >= ${p(new Date(d.getTime() + 1).toISOString())}::timestamptz`);
    const before = (col: string, d: Date) => terms.push(`${col} < ${p(d.toISOString())}::timestamptz`);
    if (q.createdAfter) after('r.created_at', q.createdAfter);
    if (q.createdBefore) before('r.created_at', q.createdBefore);
    if (q.modifiedAfter) after('r.modified_at', q.modifiedAfter);
    if (q.modifiedBefore) before('r.modified_at', q.modifiedBefore);
    if (q.remoteId !== undefined) terms.push(`r.remote_id = ${p(q.remoteId)}`);
    if (!q.includeDeleted) terms.push('NOT r.remote_was_deleted');
    // Equality filters become one containment test (GIN jsonb_path_ops index on data).
    const contains: Record<string, unknown> = {};
    for (const [field, uuid] of Object.entries(q.relations)) contains[field] = uuid;
    for (const [field, value] of Object.entries(q.enums)) contains[field] = value;
    for (const f of MODELS[model].filters) {
      if (f.kind === 'string' && q.strings[f.field] !== undefined) {
        const value = q.strings[f.field];
        if (f.match === 'exact') contains[f.field] = value;
        else terms.push(`(r.data->>'${f.field}') ILIKE ${p(`%${likeEscape(value)}%`)}`);
      }
      if (f.kind === 'email' && q.email !== undefined) contains[f.field] = [{ email_address: q.email }];
      if (f.kind === 'phone' && q.phone !== undefined) contains[f.field] = [{ phone_number: q.phone }];
    }
    if (Object.keys(contains).length) terms.push(`r.data @> ${p(JSON.stringify(contains))}::jsonb`);
    for (const [field, range] of Object.entries(q.datetimes)) {
      if (field === 'remote_created_at') {
        if (range.gt) terms.push(`r.remote_created_at > ${p(range.gt.toISOString())}::timestamptz`);
        if (range.lt) terms.push(`r.remote_created_at < ${p(range.lt.toISOString())}::timestamptz`);
      } else {
        // Datetimes in data are ISO 8601 UTC strings with milliseconds (the mappers' form): they
        // compare as text like the instants they name, and (data->>field) has an expression index.
        if (range.gt) terms.push(`(r.data->>'${field}') > ${p(range.gt.toISOString())}`);
        if (range.lt) terms.push(`(r.data->>'${field}') < ${p(range.lt.toISOString())}`);
      }
    }
    return terms;
  }

  private checkModel(account: LinkedAccountRecord, model: ModelName): void {
    const adapter = adapterFor(account.integration);
    if (!adapter) throw new ApiError(400, 'UNSUPPORTED_INTEGRATION', `Integration ${account.integration} is not available on this server.`);
    if (!adapter.models.includes(model)) throw new ApiError(400, 'UNSUPPORTED_MODEL', `${adapter.displayName} does not provide ${model}.`);
  }

  private decodeCursor(scope: ReturnType<typeof storedScope>, cursor: string): StoredCursor {
    const c = this.cursors.decode<StoredCursor>(scope, cursor);
    if (!c || (c.d !== 'a' && c.d !== 'b') || typeof c.k !== 'string' || !/^-?\d{1,19}$/.test(c.k)) {
      throw ApiError.invalidField('/query/cursor', 'invalid cursor (malformed); use a "next" or "previous" value from a list response unchanged');
    }
    return c;
  }
}

/** Stored cursors are bound to a scope live cursors never have, so neither is accepted by the other. */
const STORED_PREFIX = 'stored:';
function storedScope(accountId: string, model: ModelName, q: ParsedListQuery) {
  return { account: accountId, model: `${STORED_PREFIX}${model}`, filters: filterFingerprint(q) };
}

/** Which mode made a cursor, from its (unverified) body; only routes it: the chosen path verifies it. */
function cursorMode(cursor: string): ReadMode | null {
  const dot = cursor.lastIndexOf('.');
  if (dot <= 0 || cursor.length > 8192) return null;
  try {
    const body = JSON.parse(Buffer.from(cursor.slice(0, dot), 'base64url').toString('utf8')) as { m?: unknown };
    if (typeof body.m !== 'string') return null;
    return body.m.startsWith(STORED_PREFIX) ? 'stored' : 'live';
  } catch {
    return null;
  }
}

/** `X-Read-Mode`: live | stored (any case); absent or empty means the account's default. */
export function parseReadModeHeader(value: string | string[] | undefined): ReadMode | null {
  const raw = (Array.isArray(value) ? value[value.length - 1] : value)?.trim().toLowerCase();
  if (!raw) return null;
  if (raw === 'live' || raw === 'stored') return raw;
  throw ApiError.invalidField('/header/X-Read-Mode', `must be live or stored (got "${String(Array.isArray(value) ? value[value.length - 1] : value).slice(0, 40)}")`);
}
