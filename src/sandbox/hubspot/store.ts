import { VirtualCollection } from '../common/collection';
import { SeedDataset } from '../common/seed';
import { linkBetween } from './associations';
import { idOf, OWNER_BASE, USER_BASE } from './ids';
import { baseCount, seedRecord, type HubRecord } from './records';
import { OBJECT_NAMES, type ObjectName } from './schema';

/** A sandbox HubSpot account (portal) the user can pick on the consent page. */
export interface Tenant {
  key: string;
  hubId: number;
  name: string;
  domain: string;
  /** Added to the emulator seed: each portal has its own dataset. */
  seedOffset: number;
}

export const TENANTS: readonly Tenant[] = [
  { key: 'portal-a', hubId: 146000101, name: 'Switchboard Sandbox A', domain: 'switchboard-sandbox-a.hubspot.com', seedOffset: 0 },
  { key: 'portal-b', hubId: 146000102, name: 'Switchboard Sandbox B', domain: 'switchboard-sandbox-b.hubspot.com', seedOffset: 1 },
];

export function tenantByKey(key: string): Tenant | undefined {
  return TENANTS.find((t) => t.key === key || String(t.hubId) === key);
}

export interface Owner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  userIdIncludingInactive: number;
  type: 'PERSON';
  teams: { id: string; name: string; primary: boolean }[];
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** The data of one portal: a lazily generated collection per object, plus owners. */
export class PortalData {
  readonly seed: SeedDataset;
  readonly cols = {} as Record<ObjectName, VirtualCollection<HubRecord>>;
  readonly owners: Owner[];
  /** Bumped on every write to an object, to invalidate reverse association indexes. */
  private readonly versions = new Map<ObjectName, number>();
  private readonly reverse = new Map<string, { version: number; index: Map<number, number[]> }>();
  /** Positions removed by GDPR delete: gone for good, not even listed as archived. */
  readonly purged = new Set<number>();
  /** Emails of contacts written through the API or mutate (lower case) -> position. */
  private readonly writtenEmails = new Map<string, number>();

  constructor(
    readonly tenant: Tenant,
    seed: number,
    contacts: number,
  ) {
    this.seed = new SeedDataset({ seed: seed + tenant.seedOffset, contacts });
    for (const o of OBJECT_NAMES) {
      this.cols[o] = new VirtualCollection<HubRecord>({
        baseCount: baseCount(this.seed, o),
        generate: this.cachedGenerator(o),
        modifiedAt: (r) => r.m,
      });
    }
    this.owners = Array.from({ length: this.seed.counts.users }, (_, i) => {
      const u = this.seed.user(i);
      return {
        id: String(OWNER_BASE + i),
        email: u.email,
        firstName: u.firstName,
        lastName: u.lastName,
        userId: USER_BASE + i,
        userIdIncludingInactive: USER_BASE + i,
        type: 'PERSON' as const,
        teams: [{ id: String(9000 + (i % 3)), name: ['Sales', 'Customer Success', 'Partnerships'][i % 3], primary: true }],
        createdAt: new Date(u.createdAt).toISOString(),
        updatedAt: new Date(u.modifiedAt).toISOString(),
        archived: !u.active,
      };
    });
  }

  /**
   * Base records come from a small direct-mapped cache in front of the generator: repeated walks
   * over the same pages (benchmarks, re-syncs) skip the generation. Cached records are shared and
   * never mutated (writes replace records).
   */
  private cachedGenerator(object: ObjectName): (position: number) => HubRecord {
    const size = object === 'contacts' ? 16_384 : 4_096;
    const keys = new Int32Array(size).fill(-1);
    const values: (HubRecord | undefined)[] = new Array(size);
    return (position: number) => {
      const slot = position & (size - 1);
      if (keys[slot] === position) return values[slot] as HubRecord;
      const rec = seedRecord(this.seed, object, position);
      keys[slot] = position;
      values[slot] = rec;
      return rec;
    };
  }

  /** The seeded record at a base position (ignores later changes; base modifiedAt is non-decreasing). */
  baseRecord(object: ObjectName, position: number): HubRecord {
    return seedRecord(this.seed, object, position);
  }

  baseCount(object: ObjectName): number {
    return baseCount(this.seed, object);
  }

  /** Write counter of an object (search caches key on it). */
  version(object: ObjectName): number {
    return this.versions.get(object) ?? 0;
  }

  touched(object: ObjectName): void {
    this.versions.set(object, (this.versions.get(object) ?? 0) + 1);
  }

  /** Remembers a written contact's email for the duplicate rule. */
  noteEmail(position: number, email: string | null | undefined, previous?: string | null): void {
    if (previous) {
      const key = previous.toLowerCase();
      if (this.writtenEmails.get(key) === position) this.writtenEmails.delete(key);
    }
    if (email) this.writtenEmails.set(email.toLowerCase(), position);
  }

  /**
   * The live contact that has this email (case-insensitive), if any. Seeded emails carry their
   * position ("first.last.<i>@..."), so this is O(1) without an index of the whole dataset.
   */
  contactByEmail(email: string): number | undefined {
    const key = email.toLowerCase();
    const col = this.cols.contacts;
    const written = this.writtenEmails.get(key);
    if (written !== undefined && col.get(written)?.p.email?.toLowerCase() === key) return written;
    const m = /\.(\d+)@/.exec(key);
    if (m) {
      const p = Number(m[1]);
      if (p < this.seed.counts.contacts && col.get(p)?.p.email?.toLowerCase() === key) return p;
    }
    return undefined;
  }

  /** Positions in `to` associated with the record at `position` of `from`. */
  associated(from: ObjectName, position: number, to: ObjectName): number[] {
    const link = linkBetween(from, to);
    if (!link) return [];
    if (link.forward) {
      const rec = this.cols[from].get(position);
      return (rec?.a[to] ?? []).filter((p) => this.cols[to].get(p) !== undefined);
    }
    return this.reverseIndex(link.child, link.parent).get(position) ?? [];
  }

  /** parent position -> live child positions, rebuilt when the child object changed. */
  private reverseIndex(child: ObjectName, parent: ObjectName): Map<number, number[]> {
    const key = `${child}>${parent}`;
    const version = this.versions.get(child) ?? 0;
    const cached = this.reverse.get(key);
    if (cached && cached.version === version) return cached.index;
    const index = new Map<number, number[]>();
    for (const { position, record } of this.cols[child].scan()) {
      for (const p of record.a[parent] ?? []) {
        const list = index.get(p);
        if (list) list.push(position);
        else index.set(p, [position]);
      }
    }
    this.reverse.set(key, { version, index });
    return index;
  }

  /** Links or unlinks two records (stored on the child side). Returns false when not associable. */
  setAssociation(from: ObjectName, fromPos: number, to: ObjectName, toPos: number, on: boolean): boolean {
    const link = linkBetween(from, to);
    if (!link) return false;
    const [childPos, parentPos] = link.forward ? [fromPos, toPos] : [toPos, fromPos];
    const col = this.cols[link.child];
    const rec = col.get(childPos);
    if (!rec) return false;
    const current = rec.a[link.parent] ?? [];
    const has = current.includes(parentPos);
    if (has === on) return true;
    const next = on ? [...current, parentPos] : current.filter((p) => p !== parentPos);
    col.update(childPos, { ...rec, a: { ...rec.a, [link.parent]: next } });
    this.touched(link.child);
    return true;
  }

  idOf(object: ObjectName, position: number): string {
    return idOf(object, position);
  }
}
