import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { CURSOR_CODEC, type CursorCodec } from '../http/cursor';
import type { CrmAdapter, ListFilters, Projection, ReadOptions, RemoteRecord, RemoteRef, VendorConnection, VendorPageState } from '../integrations/contract';
import { adapterFor } from '../integrations/registry';
import { VendorConnections } from '../linked-accounts/connections';
import type { LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import { type ModelName, MODELS, relationFields } from '../models/spec';
import { IdentitiesService } from './identities.service';
import { filterFingerprint, type ParsedListQuery, parseListQuery, parseRetrieveQuery, parseUuid } from './list-query';
import { keysOf, type SerializeOptions, serializeRecord } from './serializer';
import { type ReadContext, StoredReadService } from './stored-read.service';
import { vendorErrorToApi } from './vendor-errors';

export interface Paginated<T> {
  next: string | null;
  previous: string | null;
  results: T[];
}

interface LiveCursor {
  /** Vendor paging state of the page this cursor opens (null: the first page). */
  s: VendorPageState | null;
  /** States of the pages before it, oldest first, so `previous` works (bounded). */
  b: (VendorPageState | null)[];
}

const MAX_BACK_STATES = 50;

/** Only the mapped vendor fields unless the response shows raw data or remote fields. */
const projectionFor = (o: SerializeOptions): Projection => (o.includeRemoteData || o.includeRemoteFields ? 'full' : 'mapped');

/**
 * Live reads: every request goes to the vendor through its adapter, with our cursors, filters,
 * stable ids and batched expansion. (The stored copy serves the same API once synced.)
 */
@Injectable()
export class CrmReadService {
  constructor(
    private readonly connections: VendorConnections,
    private readonly identities: IdentitiesService,
    @Inject(CURSOR_CODEC) private readonly cursors: CursorCodec,
    private readonly stored: StoredReadService,
  ) {}

  adapter(account: LinkedAccountRecord, model: ModelName): CrmAdapter {
    const adapter = adapterFor(account.integration);
    if (!adapter) throw new ApiError(400, 'UNSUPPORTED_INTEGRATION', `Integration ${account.integration} is not available on this server.`);
    if (!adapter.models.includes(model)) throw new ApiError(400, 'UNSUPPORTED_MODEL', `${adapter.displayName} does not provide ${model}.`);
    return adapter;
  }

  async list(account: LinkedAccountRecord, model: ModelName, rawQuery: Record<string, unknown>, ctx?: ReadContext): Promise<Paginated<Record<string, unknown>>> {
    // Stored (default) or live: X-Read-Mode, else the account's read_mode (live until the initial sync completes).
    if ((await this.stored.resolveMode(account, model, rawQuery.cursor, ctx)) === 'stored') return this.stored.list(account, model, rawQuery);
    const q = parseListQuery(model, rawQuery);
    const adapter = this.adapter(account, model);
    const scope = { account: account.id, model, filters: filterFingerprint(q) };
    const cursor: LiveCursor = q.cursor ? this.cursors.decode<LiveCursor>(scope, q.cursor) : { s: null, b: [] };
    const filters = await this.vendorFilters(account, model, q);
    if (!filters) return { next: null, previous: null, results: [] };
    const conn = this.connections.forAccount(account);
    try {
      const page = await adapter.list(conn, model, { pageSize: q.pageSize, state: cursor.s, filters, projection: projectionFor(q) });
      const results = await this.serializeMany(account, conn, adapter, page.records.slice(0, q.pageSize), q.expand, q);
      const back = [...cursor.b, cursor.s].slice(-MAX_BACK_STATES);
      return {
        next: page.nextState ? this.cursors.encode<LiveCursor>(scope, { s: page.nextState, b: back }) : null,
        previous: cursor.b.length || cursor.s ? this.cursors.encode<LiveCursor>(scope, { s: cursor.b[cursor.b.length - 1] ?? null, b: cursor.b.slice(0, -1) }) : null,
        results,
      };
    } catch (err) {
      throw vendorErrorToApi(err);
    }
  }

  async retrieve(account: LinkedAccountRecord, model: ModelName, id: string, rawQuery: Record<string, unknown>, ctx?: ReadContext): Promise<Record<string, unknown>> {
    if ((await this.stored.resolveMode(account, model, undefined, ctx)) === 'stored') return this.stored.retrieve(account, model, id, rawQuery);
    const q = parseRetrieveQuery(model, rawQuery);
    const record = await this.fetchById(account, model, id, { projection: projectionFor(q) });
    const conn = this.connections.forAccount(account);
    try {
      return (await this.serializeMany(account, conn, this.adapter(account, model), [record], q.expand, q))[0];
    } catch (err) {
      throw vendorErrorToApi(err);
    }
  }

  /** The vendor record behind one of our ids (404 when unknown to this account or gone). */
  async fetchById(account: LinkedAccountRecord, model: ModelName, id: string, options?: ReadOptions): Promise<RemoteRecord> {
    const uuid = parseUuid(id, '/path/id');
    const remoteId = await this.identities.remoteIdFor(account.id, model, uuid);
    if (!remoteId) throw ApiError.notFound(`No ${model} with id ${uuid} in this linked account.`);
    const adapter = this.adapter(account, model);
    let record: RemoteRecord | null;
    try {
      record = await adapter.get(this.connections.forAccount(account), model, remoteId, options);
    } catch (err) {
      throw vendorErrorToApi(err);
    }
    if (!record) throw ApiError.notFound(`No ${model} with id ${uuid} in this linked account (the CRM no longer has it).`);
    return record;
  }

  /** Serializes records with ids resolved in bulk and `expand` fetched in batches per related model. */
  async serializeMany(
    account: LinkedAccountRecord,
    conn: VendorConnection,
    adapter: CrmAdapter,
    records: RemoteRecord[],
    expand: string[],
    options: SerializeOptions,
  ): Promise<Record<string, unknown>[]> {
    const keys = keysOf(records);
    const expanded = new Map<string, Record<string, unknown>>();
    const related: RemoteRecord[] = [];
    if (expand.length && records.length) {
      const model = records[0].model;
      const wanted = new Map<ModelName, Set<string>>();
      for (const rel of relationFields(model).filter((r) => expand.includes(r.field))) {
        for (const r of records) {
          const v = r.fields[rel.field];
          const refs = (Array.isArray(v) ? v : v ? [v] : []) as RemoteRef[];
          for (const ref of refs) {
            if (!wanted.has(ref.model)) wanted.set(ref.model, new Set());
            wanted.get(ref.model)!.add(ref.remoteId);
          }
        }
      }
      // One batched vendor read per related model, never one per row.
      for (const [target, ids] of wanted) related.push(...(await adapter.getMany(conn, target, [...ids], { projection: projectionFor(options) })));
      keysOf(related, keys);
    }
    const ids = await this.identities.idsFor(account.id, keys);
    for (const r of related) expanded.set(IdentitiesService.key(r.model, r.remoteId), serializeRecord(r, { ids }, options));
    return records.map((r) => serializeRecord(r, { ids, expanded, expand }, options));
  }

  /**
   * Records of one model by our ids, in one batch (GraphQL relation fields): wire records keyed by
   * id; ids unknown to this account, malformed or gone at the vendor are simply absent.
   */
  async getByIds(
    account: LinkedAccountRecord,
    model: ModelName,
    ids: string[],
    options: SerializeOptions = { includeRemoteData: false, includeRemoteFields: false },
    ctx?: ReadContext,
  ): Promise<Map<string, Record<string, unknown>>> {
    // Stored accounts answer from the store: one query per related model.
    if ((await this.stored.resolveMode(account, model, undefined, ctx)) === 'stored') return this.stored.getByIds(account, model, ids, options);
    const out = new Map<string, Record<string, unknown>>();
    const uuids = [...new Set(ids.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)).map((id) => id.toLowerCase()))];
    if (!uuids.length) return out;
    const remoteIds = await this.identities.remoteIdsFor(account.id, model, uuids);
    if (!remoteIds.size) return out;
    const adapter = this.adapter(account, model);
    const conn = this.connections.forAccount(account);
    try {
      const records = await adapter.getMany(conn, model, [...new Set(remoteIds.values())], { projection: projectionFor(options) });
      for (const wire of await this.serializeMany(account, conn, adapter, records, [], options)) {
        if (typeof wire.id === 'string') out.set(wire.id, wire);
      }
    } catch (err) {
      throw vendorErrorToApi(err);
    }
    return out;
  }

  /** Our filters in vendor terms; null when a relation filter names an id this account does not have. */
  private async vendorFilters(account: LinkedAccountRecord, model: ModelName, q: ParsedListQuery): Promise<ListFilters | null> {
    const relations: Record<string, string> = {};
    for (const [field, uuid] of Object.entries(q.relations)) {
      const target = (MODELS[model].fields[field] as { target: ModelName }).target;
      const remoteId = await this.identities.remoteIdFor(account.id, target, uuid);
      if (!remoteId) return null;
      relations[field] = remoteId;
    }
    return {
      createdAfter: q.createdAfter,
      createdBefore: q.createdBefore,
      modifiedAfter: q.modifiedAfter,
      modifiedBefore: q.modifiedBefore,
      remoteId: q.remoteId,
      includeDeleted: q.includeDeleted,
      relations,
      strings: q.strings,
      enums: q.enums,
      email: q.email,
      phone: q.phone,
      datetimes: q.datetimes,
    };
  }
}
