import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { findProjectRoot } from './paths';

/**
 * Snapshots of in-memory PGlite data directories.
 *
 * Starting PGlite from nothing runs initdb in WASM (about 3 s on the project machines);
 * starting from a data directory tarball takes about 0.6 s. Tests and the shadow database of
 * `createMigration` therefore start from a snapshot (blank cluster + migrations) kept in
 * memory and on disk under node_modules/.cache/switchboard/pglite, keyed by the PGlite version
 * and the caller's key (for example the migration checksums). Set
 * SWITCHBOARD_PGLITE_CACHE=off to keep snapshots in memory only.
 */

const CACHE_FORMAT = 1;
const memory = new Map<string, Promise<Blob>>();
const settled = new Map<string, Blob>();

let pgliteVersionCache: string | undefined;
export function pgliteVersion(): string {
  if (!pgliteVersionCache) {
    const pkg = path.join(path.dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
    pgliteVersionCache = String((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version?: string }).version);
  }
  return pgliteVersionCache;
}

function cacheDir(): string | undefined {
  if (/^(off|0|false|no)$/i.test(process.env.SWITCHBOARD_PGLITE_CACHE ?? '')) return undefined;
  for (const candidate of [
    path.join(findProjectRoot(), 'node_modules', '.cache', 'switchboard', 'pglite'),
    path.join(os.tmpdir(), 'switchboard-pglite-cache'),
  ]) {
    try {
      fs.mkdirSync(candidate, { recursive: true });
      fs.accessSync(candidate, fs.constants.W_OK);
      return candidate;
    } catch {
      // try the next location
    }
  }
  return undefined;
}

/** A fresh in-memory PGlite, from `snapshot` when given. */
export async function openMemoryPglite(snapshot?: Blob): Promise<PGlite> {
  return PGlite.create('memory://', snapshot ? { loadDataDir: snapshot } : {});
}

/**
 * The data directory tarball produced by `build` run on a fresh in-memory PGlite that starts
 * from `base` (or from initdb). Built once per key; concurrent callers share the work.
 */
export function pgliteSnapshot(
  key: string,
  build: (db: PGlite) => Promise<void>,
  base?: () => Promise<Blob>,
): Promise<Blob> {
  const fullKey = snapshotKey(key);
  let promise = memory.get(fullKey);
  if (!promise) {
    promise = loadOrBuild(fullKey, build, base);
    memory.set(fullKey, promise);
    promise.then(
      (blob) => settled.set(fullKey, blob),
      () => memory.delete(fullKey),
    );
  }
  return promise;
}

/** The snapshot for `key` if it is already built (in memory or on disk), without building it. */
export function cachedPgliteSnapshotSync(key: string): Blob | undefined {
  const fullKey = snapshotKey(key);
  const known = settled.get(fullKey);
  if (known) return known;
  const dir = cacheDir();
  if (!dir) return undefined;
  try {
    const file = path.join(dir, `${fullKey}.tar.gz`);
    const blob = new Blob([fs.readFileSync(file)]);
    settled.set(fullKey, blob);
    try {
      const now = new Date();
      fs.utimesSync(file, now, now); // see pruneCache
    } catch {
      // read-only cache: fine
    }
    return blob;
  } catch {
    return undefined;
  }
}

function snapshotKey(key: string): string {
  return createHash('sha256')
    .update(`${CACHE_FORMAT}\0${pgliteVersion()}\0${key}`)
    .digest('hex')
    .slice(0, 32);
}

async function loadOrBuild(
  fullKey: string,
  build: (db: PGlite) => Promise<void>,
  base?: () => Promise<Blob>,
): Promise<Blob> {
  const dir = cacheDir();
  const file = dir ? path.join(dir, `${fullKey}.tar.gz`) : undefined;
  if (file) {
    try {
      const blob = new Blob([await fs.promises.readFile(file)]);
      const now = new Date();
      await fs.promises.utimes(file, now, now).catch(() => undefined); // see pruneCache
      return blob;
    } catch {
      // not cached yet
    }
  }
  const db = await openMemoryPglite(base ? await base() : undefined);
  let snapshot: Blob;
  try {
    await build(db);
    snapshot = await db.dumpDataDir('gzip');
  } finally {
    await db.close();
  }
  if (file) {
    // Write-then-rename: parallel test workers may build the same snapshot at once.
    const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await fs.promises.writeFile(tmp, Buffer.from(await snapshot.arrayBuffer()));
      await fs.promises.rename(tmp, file);
    } catch {
      await fs.promises.rm(tmp, { force: true });
    }
    await pruneCache(path.dirname(file));
  }
  return snapshot;
}

const MAX_UNUSED_MS = 14 * 24 * 3600 * 1000;

/** Each migration change adds a snapshot (about 5 MB): drop those unused for two weeks. */
async function pruneCache(dir: string): Promise<void> {
  try {
    const cutoff = Date.now() - MAX_UNUSED_MS;
    for (const name of await fs.promises.readdir(dir)) {
      const file = path.join(dir, name);
      const stat = await fs.promises.stat(file).catch(() => undefined);
      if (stat && stat.mtimeMs < cutoff) await fs.promises.rm(file, { force: true });
    }
  } catch {
    // best effort
  }
}

const BLANK = 'blank';

/** Snapshot of an empty cluster (initdb done), the base of the other snapshots. */
export function blankPgliteSnapshot(): Promise<Blob> {
  return pgliteSnapshot(BLANK, async () => undefined);
}

/**
 * The blank snapshot if already built, so that a new in-memory database skips initdb.
 * Never builds it (that is async); callers fall back to a plain start.
 */
export function blankPgliteSnapshotSync(): Blob | undefined {
  return cachedPgliteSnapshotSync(BLANK);
}
