import { VirtualCollection } from '../common/collection';
import { SeedDataset } from '../common/seed';
import { decodeId, encodeId, MAX_POSITION, OBJECT_CODES } from './ids';
import { MODULE_NAMES, MODULES, type ModuleDef, type ModuleName, type Ref, type UserRef, type ZRecord } from './modules';

/**
 * One sandbox Zoho org ("tenant") with its own dataset: the second tenant uses seed + 1.
 * Records live in VirtualCollections (lazy base + overlay); ids map to positions (see ids.ts).
 */

export interface TenantInfo {
  key: string;
  label: string;
  prefix: string;
  seedOffset: number;
  company: string;
  domain: string;
}

export const TENANTS: readonly TenantInfo[] = [
  { key: 'sandbox-1', label: 'Sandbox One Inc. (sandbox-1)', prefix: '3652397', seedOffset: 0, company: 'Sandbox One Inc.', domain: 'org3652397' },
  { key: 'sandbox-2', label: 'Sandbox Two Ltd. (sandbox-2)', prefix: '3652398', seedOffset: 1, company: 'Sandbox Two Ltd.', domain: 'org3652398' },
];

export function tenantInfo(key: string): TenantInfo | undefined {
  return TENANTS.find((t) => t.key === key);
}

/** Generated base records kept (small: a large cache keeps garbage alive and slows cold scans). */
const BASE_CACHE_SIZE = 64; // power of two
/** Rendered rows kept (strings only): repeated reads of hot pages skip generation entirely. */
const RENDER_CACHE_SIZE = 8192; // power of two (at most a few MB of rows per module)

export class ModuleStore {
  readonly coll: VirtualCollection<ZRecord>;
  readonly baseCount: number;
  /** Positions in the overlay (updated base records and created records). */
  readonly touched = new Set<number>();
  /** email (lower case) -> position for records written through the overlay (verified on use). */
  readonly emails = new Map<string, number>();
  /** position -> user index who deleted it. */
  readonly deletedBy = new Map<number, number>();
  private readonly idHead: string;
  /** Rendered JSON per position for one projection (see render.ts renderCached). */
  readonly renderCache = {
    pos: new Int32Array(RENDER_CACHE_SIZE).fill(-1),
    /** Position last rendered per slot: a row is cached only when seen twice, so a cold scan keeps nothing alive. */
    seen: new Int32Array(RENDER_CACHE_SIZE).fill(-1),
    ver: new Int32Array(RENDER_CACHE_SIZE),
    proj: new Array<string>(RENDER_CACHE_SIZE),
    json: new Array<string>(RENDER_CACHE_SIZE),
  };
  /** The (cached) generated base record at a position. */
  readonly generateBase: (position: number) => ZRecord;

  constructor(readonly def: ModuleDef, readonly tenant: Tenant) {
    this.baseCount = def.baseCount(tenant.seed);
    this.idHead = encodeId(tenant.info.prefix, def.code, 0).slice(0, 10);
    // Base records never change (updates live in the overlay), so a small direct-mapped cache of
    // generated base records is always valid; it saves regenerating hot pages and lookup targets.
    // Entries carry the tenant's version: any write anywhere in the tenant (a renamed account shows in
    // its contacts' Account_Name) invalidates them.
    const cachePos = new Int32Array(BASE_CACHE_SIZE).fill(-1);
    const cacheVer = new Int32Array(BASE_CACHE_SIZE);
    const cacheRec: ZRecord[] = new Array<ZRecord>(BASE_CACHE_SIZE);
    this.generateBase = (p: number): ZRecord => {
      const slot = p & (BASE_CACHE_SIZE - 1);
      if (cachePos[slot] === p && cacheVer[slot] === tenant.version) return cacheRec[slot];
      const r = def.generate(tenant, p);
      cachePos[slot] = p;
      cacheVer[slot] = tenant.version;
      cacheRec[slot] = r;
      return r;
    };
    this.coll = new VirtualCollection<ZRecord>({
      baseCount: this.baseCount,
      generate: this.generateBase,
      modifiedAt: (r) => r.modifiedAt,
    });
  }

  id(position: number): string {
    // Same layout as encodeId (ids.ts), with the constant head precomputed: this runs per rendered record.
    return position <= MAX_POSITION ? this.idHead + String(1e9 + position).slice(1) : encodeId(this.tenant.info.prefix, this.def.code, position);
  }

  position(id: unknown): number {
    return decodeId(id, this.tenant.info.prefix, this.def.code);
  }

  /** Touched positions, sorted ascending. */
  sortedTouched(): number[] {
    return [...this.touched].sort((a, b) => a - b);
  }

  displayName(record: ZRecord): string | null {
    const v = record.f[this.def.displayField];
    return typeof v === 'string' ? v : null;
  }

  /** Position of the live record with this email (case-insensitive), or -1. O(1). */
  findEmail(email: string): number {
    const lower = email.toLowerCase();
    const check = (p: number) => {
      const r = this.coll.get(p);
      return r !== undefined && typeof r.f.Email === 'string' && r.f.Email.toLowerCase() === lower;
    };
    const known = this.emails.get(lower);
    if (known !== undefined && check(known)) return known;
    // Seed emails carry their index: first.last.<index>@company.example
    const m = /\.(\d+)@[^@]*$/.exec(lower);
    if (m) {
      const p = Number(m[1]);
      if (p < this.baseCount && !this.touched.has(p) && check(p)) return p;
    }
    return -1;
  }

  create(fields: Record<string, unknown>, byUser: number, now = Date.now()): { position: number; record: ZRecord } {
    const record: ZRecord = { createdAt: now, modifiedAt: now, createdBy: byUser, modifiedBy: byUser, f: fields };
    const out = this.coll.create(() => record);
    this.tenant.version++;
    this.touched.add(out.position);
    this.indexEmail(out.position, record);
    return out;
  }

  update(position: number, changes: Record<string, unknown>, byUser: number, now = Date.now()): ZRecord {
    const current = this.coll.get(position);
    if (!current) throw new Error(`no live record at ${position}`);
    const record: ZRecord = { ...current, modifiedAt: Math.max(now, current.modifiedAt + 1), modifiedBy: byUser, f: { ...current.f, ...changes } };
    this.coll.update(position, record);
    this.tenant.version++;
    this.touched.add(position);
    this.indexEmail(position, record);
    return record;
  }

  remove(position: number, byUser: number, now = Date.now()): boolean {
    const entry = this.coll.remove(position, now);
    if (!entry) return false;
    this.tenant.version++;
    this.deletedBy.set(position, byUser);
    return true;
  }

  private indexEmail(position: number, record: ZRecord): void {
    if (typeof record.f.Email === 'string' && record.f.Email) this.emails.set(record.f.Email.toLowerCase(), position);
  }
}

export class Tenant {
  readonly seed: SeedDataset;
  readonly modules: Record<ModuleName, ModuleStore>;
  /** Bumped by every write; caches of generated and rendered records check it. */
  version = 0;
  private readonly userCache: UserRef[] = [];

  constructor(readonly info: TenantInfo, seed: number, contacts: number) {
    this.seed = new SeedDataset({ seed: seed + info.seedOffset, contacts });
    this.modules = {} as Record<ModuleName, ModuleStore>;
    for (const name of MODULE_NAMES) this.modules[name] = new ModuleStore(MODULES[name], this);
  }

  get orgId(): string {
    return encodeId(this.info.prefix, OBJECT_CODES.org, 1);
  }

  userId(i: number): string {
    return encodeId(this.info.prefix, OBJECT_CODES.users, i);
  }

  userPosition(id: unknown): number {
    const p = decodeId(id, this.info.prefix, OBJECT_CODES.users);
    return p >= 0 && p < this.seed.counts.users ? p : -1;
  }

  /** {name, id, email} of a user (cached: at most 200 users). */
  user(i: number): UserRef {
    let u = this.userCache[i];
    if (!u) {
      const s = this.seed.user(i);
      u = { name: `${s.firstName} ${s.lastName}`, id: this.userId(i), email: s.email };
      this.userCache[i] = u;
    }
    return u;
  }

  ref(module: ModuleName, position: number): Ref {
    const store = this.modules[module];
    // An untouched account's name comes straight from the seed (no record generation).
    if (module === 'Accounts' && position < store.baseCount && !store.touched.has(position)) {
      return { name: this.seed.accountName(position), id: store.id(position) };
    }
    const record = store.coll.peek(position);
    return { name: record ? store.displayName(record) : null, id: store.id(position) };
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = { users: this.seed.counts.users };
    for (const name of MODULE_NAMES) out[name] = this.modules[name].coll.liveCount;
    return out;
  }
}
