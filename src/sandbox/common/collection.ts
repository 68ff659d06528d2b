/**
 * One vendor object's records: a lazily generated base (positions 0..baseCount-1, produced by
 * `generate`) plus an in-memory overlay of what the emulator changed since (updates, creations,
 * deletions). Positions are stable forever and give a stable default order; vendors map their ids
 * to positions (see each vendor's ids module).
 *
 * Incremental reads ("modified since T") are cheap: base records' modifiedAt never decreases with
 * the position, so the base part is a binary search, and changed records are kept in a small list.
 */

export interface CollectionOptions<T> {
  baseCount: number;
  generate(position: number): T;
  /** Epoch ms of the record's last modification. */
  modifiedAt(record: T): number;
}

export interface DeletedEntry<T> {
  position: number;
  record: T;
  deletedAt: number;
}

export class VirtualCollection<T> {
  private readonly baseCount: number;
  private readonly generate: (position: number) => T;
  private readonly modifiedAtOf: (record: T) => number;
  /** Updated base records and every created record, by position. */
  private readonly overlay = new Map<number, T>();
  private readonly deleted = new Map<number, DeletedEntry<T>>();
  /** Positions changed (or created) since seeding, in the order they last changed. */
  private changeLog: number[] = [];
  private changeSeq = new Map<number, number>();
  private createdCount = 0;
  /** Deleted entries in deletion order, for "deleted between" queries. */
  private deletionLog: DeletedEntry<T>[] = [];

  constructor(options: CollectionOptions<T>) {
    this.baseCount = options.baseCount;
    this.generate = options.generate;
    this.modifiedAtOf = options.modifiedAt;
  }

  /** Every position ever used (live and deleted). */
  get size(): number {
    return this.baseCount + this.createdCount;
  }

  /** Live records. */
  get liveCount(): number {
    return this.size - this.deleted.size;
  }

  get deletedCount(): number {
    return this.deleted.size;
  }

  exists(position: number): boolean {
    return Number.isInteger(position) && position >= 0 && position < this.size;
  }

  isDeleted(position: number): boolean {
    return this.deleted.has(position);
  }

  /** The record at a position, or undefined when it does not exist or is deleted. */
  get(position: number): T | undefined {
    if (!this.exists(position) || this.deleted.has(position)) return undefined;
    return this.peek(position);
  }

  /** The record, live or deleted. */
  peek(position: number): T | undefined {
    if (!this.exists(position)) return undefined;
    const changed = this.overlay.get(position);
    if (changed !== undefined) return changed;
    return position < this.baseCount ? this.generate(position) : undefined;
  }

  getDeleted(position: number): DeletedEntry<T> | undefined {
    return this.deleted.get(position);
  }

  /** Adds a record; `build` receives the new position (ids are derived from it). */
  create(build: (position: number) => T): { position: number; record: T } {
    const position = this.size;
    const record = build(position);
    this.createdCount++;
    this.overlay.set(position, record);
    this.touch(position);
    return { position, record };
  }

  /** Replaces a live record. */
  update(position: number, record: T): void {
    if (this.get(position) === undefined) throw new Error(`no live record at ${position}`);
    this.overlay.set(position, record);
    this.touch(position);
  }

  remove(position: number, deletedAt = Date.now()): DeletedEntry<T> | undefined {
    const record = this.get(position);
    if (record === undefined) return undefined;
    const entry = { position, record, deletedAt };
    this.deleted.set(position, entry);
    this.deletionLog.push(entry);
    return entry;
  }

  restore(position: number, record?: T): boolean {
    const entry = this.deleted.get(position);
    if (!entry) return false;
    this.deleted.delete(position);
    this.deletionLog = this.deletionLog.filter((e) => e.position !== position);
    this.overlay.set(position, record ?? entry.record);
    this.touch(position);
    return true;
  }

  /** Live (or, with includeDeleted, all) records in position order starting at `from`. */
  *scan(from = 0, includeDeleted = false): Generator<{ position: number; record: T; deleted: boolean }> {
    for (let p = Math.max(0, from); p < this.size; p++) {
      const isDel = this.deleted.has(p);
      if (isDel && !includeDeleted) continue;
      const record = this.peek(p);
      if (record !== undefined) yield { position: p, record, deleted: isDel };
    }
  }

  /**
   * Records with modifiedAt > since (or >= with inclusive), ordered by (modifiedAt, position).
   * Deleted records are skipped unless includeDeleted.
   */
  *modifiedSince(since: number, inclusive = false, includeDeleted = false): Generator<{ position: number; record: T; deleted: boolean }> {
    const after = (m: number) => (inclusive ? m >= since : m > since);
    // Base part: first position whose generated modifiedAt passes the bound.
    let lo = 0;
    let hi = this.baseCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (after(this.modifiedAtOf(this.generate(mid)))) hi = mid;
      else lo = mid + 1;
    }
    const changed = this.changedPositions()
      .map((position) => ({ position, record: this.overlay.get(position) as T }))
      .filter((c) => after(this.modifiedAtOf(c.record)))
      .sort((a, b) => this.modifiedAtOf(a.record) - this.modifiedAtOf(b.record) || a.position - b.position);
    let ci = 0;
    for (let p = lo; p < this.baseCount; p++) {
      if (this.overlay.has(p)) continue; // its current version is in the changed list
      const record = this.generate(p);
      const m = this.modifiedAtOf(record);
      while (ci < changed.length && (this.modifiedAtOf(changed[ci].record) < m || (this.modifiedAtOf(changed[ci].record) === m && changed[ci].position < p))) {
        const c = changed[ci++];
        const isDel = this.deleted.has(c.position);
        if (!isDel || includeDeleted) yield { ...c, deleted: isDel };
      }
      const isDel = this.deleted.has(p);
      if (!isDel || includeDeleted) yield { position: p, record, deleted: isDel };
    }
    for (; ci < changed.length; ci++) {
      const c = changed[ci];
      const isDel = this.deleted.has(c.position);
      if (!isDel || includeDeleted) yield { ...c, deleted: isDel };
    }
  }

  /** Deletions with start <= deletedAt < end, in deletion order. */
  deletedBetween(start: number, end: number): DeletedEntry<T>[] {
    return this.deletionLog.filter((e) => e.deletedAt >= start && e.deletedAt < end);
  }

  /** Positions changed since seeding, oldest change first. */
  changedPositions(): number[] {
    if (this.changeLog.length > this.changeSeq.size * 2 + 64) {
      this.changeLog = this.changeLog.filter((p, i) => this.changeSeq.get(p) === i);
      this.changeSeq = new Map(this.changeLog.map((p, i) => [p, i]));
    }
    return this.changeLog.filter((p, i) => this.changeSeq.get(p) === i);
  }

  private touch(position: number): void {
    // Append and remember the latest index; stale earlier entries are filtered lazily.
    this.changeSeq.set(position, this.changeLog.length);
    this.changeLog.push(position);
  }
}
