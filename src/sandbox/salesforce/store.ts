import { VirtualCollection } from '../common/collection';
import { SeedDataset } from '../common/seed';
import { decodeId, encodeId, normalizeId, segmentHead } from './ids';
import {
  applyDerived,
  mapAccount,
  mapActivityTask,
  mapContact,
  mapEvent,
  mapLead,
  mapNote,
  mapOpportunity,
  mapStage,
  mapTask,
  mapUser,
  sfDateTime,
  type IdResolver,
  type SfRecord,
} from './records';
import { OBJECTS, STAGES, type SfObject } from './schema';

/**
 * One org's data: one SObjectStore per sObject, each made of one or more segments (a
 * VirtualCollection each; Task has three: tasks, calls, emails). Ids encode (segment, position),
 * so id order is segment order then position order.
 */

export interface Row {
  seg: number;
  pos: number;
  rec: SfRecord;
  deleted: boolean;
}

export class SObjectStore {
  readonly heads: string[];

  constructor(
    readonly schema: SfObject,
    pod: string,
    readonly segments: VirtualCollection<SfRecord>[],
  ) {
    this.heads = segments.map((_, s) => segmentHead(schema.keyPrefix, pod, s));
  }

  get name(): string {
    return this.schema.name;
  }

  idOf(seg: number, pos: number): string {
    return encodeId(this.heads[seg], pos);
  }

  /** Segment and position of an id of this object in this org, or null. */
  locate(id: string): { seg: number; pos: number } | null {
    const norm = normalizeId(id);
    if (!norm) return null;
    const d = decodeId(norm);
    if (!d) return null;
    const seg = this.heads.indexOf(d.head);
    if (seg < 0 || !this.segments[seg].exists(d.position)) return null;
    return { seg, pos: d.position };
  }

  find(id: string): Row | null {
    const at = this.locate(id);
    if (!at) return null;
    const col = this.segments[at.seg];
    const rec = col.peek(at.pos);
    if (!rec) return null;
    return { seg: at.seg, pos: at.pos, rec, deleted: col.isDeleted(at.pos) };
  }

  get liveCount(): number {
    let n = 0;
    for (const s of this.segments) n += s.liveCount;
    return n;
  }

  get totalCount(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  /** First position in segment `seg` whose id is > bound (or >= with inclusive). Binary search. */
  lowerBound(seg: number, bound: string, inclusive: boolean, size: number): number {
    let lo = 0;
    let hi = size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const id = this.idOf(seg, mid);
      if (inclusive ? id >= bound : id > bound) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * Rows in id order within [lo, hi] id bounds (strings, normalized 18-char; undefined = open).
   * Sizes are snapshotted at the first call so records created while paging are not included.
   */
  *idRange(
    lo: { id: string; inclusive: boolean } | undefined,
    hi: { id: string; inclusive: boolean } | undefined,
    includeDeleted: boolean,
  ): Generator<Row> {
    const sizes = this.segments.map((s) => s.size);
    for (let seg = 0; seg < this.segments.length; seg++) {
      const col = this.segments[seg];
      const start = lo ? this.lowerBound(seg, lo.id, lo.inclusive, sizes[seg]) : 0;
      const end = hi ? this.lowerBound(seg, hi.id, !hi.inclusive, sizes[seg]) : sizes[seg];
      for (let pos = start; pos < end; pos++) {
        const isDel = col.isDeleted(pos);
        if (isDel && !includeDeleted) continue;
        const rec = col.peek(pos);
        if (rec) yield { seg, pos, rec, deleted: isDel };
      }
    }
  }

  /** Rows with _m > since (>= when inclusive), ordered by (_m, id): a merge over the segments. */
  *modifiedSince(since: number, inclusive: boolean, includeDeleted: boolean): Generator<Row> {
    if (this.segments.length === 1) {
      for (const r of this.segments[0].modifiedSince(since, inclusive, includeDeleted)) yield { seg: 0, pos: r.position, rec: r.record, deleted: r.deleted };
      return;
    }
    const its = this.segments.map((s) => s.modifiedSince(since, inclusive, includeDeleted));
    const heads = its.map((it) => it.next());
    for (;;) {
      let best = -1;
      for (let s = 0; s < heads.length; s++) {
        const h = heads[s];
        if (h.done) continue;
        if (best < 0 || h.value.record._m < (heads[best].value as { record: SfRecord }).record._m) best = s;
      }
      if (best < 0) return;
      const v = heads[best].value as { position: number; record: SfRecord; deleted: boolean };
      yield { seg: best, pos: v.position, rec: v.record, deleted: v.deleted };
      heads[best] = its[best].next();
    }
  }
}

export interface TenantInfo {
  key: string;
  label: string;
  seed: number;
  /** 2-character pod of this org's ids. */
  pod: string;
  /** Org number (1-based), encoded in the org id. */
  number: number;
}

export class SalesforceOrg implements IdResolver {
  readonly ds: SeedDataset;
  readonly orgId: string;
  readonly stores: Record<string, SObjectStore> = {};
  private readonly userHead: string;
  /** Lower-cased email -> position, for contacts created or updated through the emulator. */
  readonly contactEmails = new Map<string, number>();

  constructor(
    readonly tenant: TenantInfo,
    contacts: number,
  ) {
    this.ds = new SeedDataset({ seed: tenant.seed, contacts });
    this.orgId = encodeId(segmentHead('00D', tenant.pod, 0), tenant.number);
    this.userHead = segmentHead('005', tenant.pod, 0);
    const ds = this.ds;
    const c = ds.counts;
    const col = (baseCount: number, generate: (i: number) => SfRecord) =>
      new VirtualCollection<SfRecord>({ baseCount, generate: cached(generate), modifiedAt: (r) => r._m });
    const add = (name: string, ...segs: VirtualCollection<SfRecord>[]) => {
      this.stores[name] = new SObjectStore(OBJECTS[name], tenant.pod, segs);
    };
    add('User', col(c.users, (i) => mapUser(ds, this, i)));
    add('Account', col(c.accounts, (i) => mapAccount(ds, this, i)));
    add('Contact', col(c.contacts, (i) => mapContact(ds, this, i)));
    add('Lead', col(c.leads, (i) => mapLead(ds, this, i)));
    add('Opportunity', col(c.deals, (i) => mapOpportunity(ds, this, i)));
    add('OpportunityStage', col(STAGES.length, (i) => mapStage(ds, this, i)));
    add(
      'Task',
      col(c.tasks, (i) => mapTask(ds, this, i)),
      col(c.calls, (i) => mapActivityTask(ds, this, 'call', i)),
      col(c.emails, (i) => mapActivityTask(ds, this, 'email', i)),
    );
    add('Event', col(c.meetings, (i) => mapEvent(ds, this, i)));
    add('Note', col(c.notes, (i) => mapNote(ds, this, i)));
  }

  get orgId15(): string {
    return this.orgId.slice(0, 15);
  }

  id(object: string, position: number, segment = 0): string {
    return this.stores[object].idOf(segment, position);
  }

  private readonly userIds: string[] = [];

  userId(index: number): string {
    return (this.userIds[index] ??= encodeId(this.userHead, index));
  }

  /** The user a token acts as (the org's administrator, user 0). */
  get adminUserId(): string {
    return this.userId(0);
  }

  /** Finds a live record of any object by id. */
  findAny(id: string): { store: SObjectStore; row: Row } | null {
    const norm = normalizeId(id);
    if (!norm) return null;
    for (const store of Object.values(this.stores)) {
      if (!norm.startsWith(store.schema.keyPrefix)) continue;
      const row = store.find(norm);
      if (row) return { store, row };
    }
    return null;
  }

  /** Live contact with this email (case-insensitive), other than `except`. */
  findContactByEmail(email: string, except?: number): number | null {
    const key = email.toLowerCase();
    const contacts = this.stores.Contact.segments[0];
    const fromMap = this.contactEmails.get(key);
    if (fromMap !== undefined && fromMap !== except) {
      const r = contacts.get(fromMap);
      if (r && typeof r.Email === 'string' && r.Email.toLowerCase() === key) return fromMap;
    }
    // Seeded emails embed the contact index: first.last.<i>@company.example
    const m = /\.(\d+)@/.exec(key);
    if (m) {
      const i = Number(m[1]);
      if (i !== except && i < this.ds.counts.contacts) {
        const r = contacts.get(i);
        if (r && typeof r.Email === 'string' && r.Email.toLowerCase() === key) return i;
      }
    }
    return null;
  }

  /** Creates a record with already-validated fields; returns the new row. */
  create(object: string, fields: Record<string, unknown>, now: number, segment = 0): Row {
    const store = this.stores[object];
    const schema = store.schema;
    const col = store.segments[segment];
    const { position, record } = col.create((pos) => {
      const rec: SfRecord = { _m: now };
      for (const f of schema.fields) rec[f.name] = null;
      const stamp = sfDateTime(now);
      Object.assign(rec, defaultsFor(object, this), fields, {
        Id: store.idOf(segment, pos),
        IsDeleted: false,
        CreatedDate: stamp,
        CreatedById: this.adminUserId,
        LastModifiedDate: stamp,
        LastModifiedById: this.adminUserId,
        SystemModstamp: stamp,
      });
      if (!schema.hasIsDeleted) delete rec.IsDeleted;
      applyDerived(object, rec);
      return rec;
    });
    if (object === 'Contact' && typeof record.Email === 'string') this.contactEmails.set(record.Email.toLowerCase(), position);
    return { seg: segment, pos: position, rec: record, deleted: false };
  }

  update(store: SObjectStore, row: Row, patch: Record<string, unknown>, now: number): SfRecord {
    const stamp = sfDateTime(now);
    const rec: SfRecord = { ...row.rec, ...patch, LastModifiedDate: stamp, LastModifiedById: this.adminUserId, SystemModstamp: stamp, _m: now, _jk: undefined, _j: undefined, _jb: undefined };
    applyDerived(store.name, rec);
    store.segments[row.seg].update(row.pos, rec);
    if (store.name === 'Contact' && typeof rec.Email === 'string') this.contactEmails.set(rec.Email.toLowerCase(), row.pos);
    return rec;
  }

  /** Deletes (to the recycle bin): IsDeleted true and SystemModstamp bumped, as Salesforce does. */
  remove(store: SObjectStore, row: Row, now: number): void {
    const stamp = sfDateTime(now);
    const rec: SfRecord = { ...row.rec, IsDeleted: true, LastModifiedById: this.adminUserId, SystemModstamp: stamp, _m: now, _jk: undefined, _j: undefined, _jb: undefined };
    const col = store.segments[row.seg];
    col.update(row.pos, rec);
    col.remove(row.pos, now);
  }
}

/** Generated base records are never mutated (updates replace them), so a small cache is safe. */
const CACHE_SIZE = 16_384;

function cached(generate: (i: number) => SfRecord): (i: number) => SfRecord {
  const keys = new Int32Array(CACHE_SIZE).fill(-1);
  const values: SfRecord[] = [];
  return (i) => {
    const slot = i & (CACHE_SIZE - 1);
    if (keys[slot] === i) return values[slot];
    const rec = generate(i);
    keys[slot] = i;
    values[slot] = rec;
    return rec;
  };
}

function defaultsFor(object: string, org: SalesforceOrg): Record<string, unknown> {
  const base = { OwnerId: org.adminUserId };
  switch (object) {
    case 'Lead':
      return { ...base, Status: 'Open - Not Contacted', IsConverted: false };
    case 'Opportunity':
      return base;
    case 'Task':
      return { ...base, Status: 'Not Started', Priority: 'Normal', TaskSubtype: 'Task', IsArchived: false };
    case 'Event':
      return { ...base, IsAllDayEvent: false, EventSubtype: 'Event', IsArchived: false, ShowAs: 'Busy' };
    case 'Note':
      return { ...base, IsPrivate: false };
    default:
      return base;
  }
}
