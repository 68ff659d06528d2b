import { hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PGlite, type Transaction as PGliteTransaction } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, type PoolClient } from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import {
  type DatabaseKind,
  type DatabaseOptions,
  describeDatabase,
  isMemoryDataDir,
  resolvePgliteDataDir,
} from './database-options';
import { blankPgliteSnapshotSync } from './pglite-cache';

/**
 * Raw SQL on the same database the Prisma client uses, bypassing Prisma: for bulk statements
 * (`INSERT ... SELECT FROM unnest($1::text[]) ON CONFLICT ...`) and for migrations.
 *
 * `query` takes `$1`-style parameters (one statement); `exec` runs a multi-statement script
 * without parameters. Column types are returned as the driver parses them, which differs for
 * int8/numeric (pg: string, PGlite: number/bigint): cast in SQL when it matters.
 */
export interface SqlQueryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
  /** Returns the number of affected rows of the statement. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
  exec(script: string): Promise<void>;
}

export interface QueryOptions {
  /**
   * PostgreSQL: run as a named prepared statement (named after the text's hash), parsed once per
   * connection; after five executions PostgreSQL may keep a generic plan instead of planning each
   * call. For statements with a fixed text run once per page of a sync; never for texts built
   * per call (every distinct text stays prepared on its connection). PGlite: no effect.
   */
  prepare?: boolean;
}

export interface SqlDriver extends SqlQueryable {
  readonly kind: DatabaseKind;
  /** Runs `fn` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
}

export type PrismaAdapterFactory = PrismaPg | PrismaPGlite;

/** A connection to PostgreSQL or PGlite: the Prisma adapter plus a raw SQL path. */
export interface DatabaseDriver {
  readonly kind: DatabaseKind;
  /** For logs; never contains the password. */
  readonly description: string;
  readonly adapter: PrismaAdapterFactory;
  readonly sql: SqlDriver;
  /** The pg pool (PostgreSQL only). */
  readonly pool?: Pool;
  /** The PGlite instance (PGlite only). */
  readonly pglite?: PGlite;
  /** Resolves when the database can answer queries (PGlite start-up, first pg connection). */
  ready(): Promise<void>;
  /** Closes the pool / PGlite instance. Idempotent. */
  close(): Promise<void>;
}

export interface OpenDriverExtras {
  /** PGlite only: start from this data directory tarball (see PGlite `dumpDataDir`). */
  pgliteLoadDataDir?: Blob;
}

export function openDatabaseDriver(options: DatabaseOptions, extras: OpenDriverExtras = {}): DatabaseDriver {
  if (options.databaseUrl) return openPostgresDriver(options);
  return openPgliteDriver(options, extras);
}

// ---------------------------------------------------------------- PostgreSQL

/** Statement names by text (the pg client keeps each name's text per connection and refuses a second text). */
const statementNames = new Map<string, string>();
const statementName = (sql: string): string => {
  let name = statementNames.get(sql);
  if (!name) statementNames.set(sql, (name = `sb_${hash('sha1', sql, 'hex')}`));
  return name;
};

function pgQueryable(client: Pool | PoolClient, named: boolean): SqlQueryable {
  return {
    async query<T>(sql: string, params?: readonly unknown[], options?: QueryOptions) {
      const values = params ? [...params] : undefined;
      const result = options?.prepare && named ? await client.query({ name: statementName(sql), text: sql, values }) : await client.query(sql, values);
      return result.rows as T[];
    },
    async execute(sql: string, params?: readonly unknown[]) {
      const result = await client.query(sql, params ? [...params] : undefined);
      return result.rowCount ?? 0;
    },
    async exec(script: string) {
      // No parameters: pg uses the simple query protocol, which accepts several statements.
      await client.query(script);
    },
  };
}

function openPostgresDriver(options: DatabaseOptions): DatabaseDriver {
  const named = options.preparedStatements ?? true;
  const pool = new Pool({ connectionString: options.databaseUrl });
  // An idle client losing its connection must not crash the process; pg reconnects on demand.
  pool.on('error', () => undefined);
  const adapter = new PrismaPg(pool);
  let closed: Promise<void> | undefined;

  const sql: SqlDriver = {
    kind: 'postgres',
    ...pgQueryable(pool, named),
    async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A checked-out client whose connection dies between two queries (server restart, a backend
      // terminated, the database dropped) emits 'error'; with no listener that crashes the process.
      // Its next query fails anyway: keep the error so the client is discarded, not pooled again.
      const onError = (error: Error) => {
        broken ??= error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(pgQueryable(client, named));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error;
        }
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
  };

  return {
    kind: 'postgres',
    description: describeDatabase(options),
    adapter,
    sql,
    pool,
    async ready() {
      await pool.query('SELECT 1');
    },
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}

// ---------------------------------------------------------------- PGlite

function pgliteQueryable(db: PGlite | PGliteTransaction): SqlQueryable {
  return {
    async query<T>(sql: string, params?: readonly unknown[]) {
      const result = await db.query<T>(sql, params ? [...params] : undefined);
      return result.rows;
    },
    async execute(sql: string, params?: readonly unknown[]) {
      const result = await db.query(sql, params ? [...params] : undefined);
      return result.affectedRows ?? 0;
    },
    async exec(script: string) {
      await db.exec(script);
    },
  };
}

/** A {@link SqlDriver} over an existing PGlite instance. */
export function pgliteSqlDriver(pglite: PGlite): SqlDriver {
  return {
    kind: 'pglite',
    ...pgliteQueryable(pglite),
    transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      return pglite.transaction((tx) => fn(pgliteQueryable(tx)));
    },
  };
}

/** Data directories opened by this process (PGlite allows one instance per directory). */
const openPgliteDirs = new Set<string>();

function openPgliteDriver(options: DatabaseOptions, extras: OpenDriverExtras): DatabaseDriver {
  const dataDir = resolvePgliteDataDir(options.dataDir);
  const onDisk = !isMemoryDataDir(dataDir);
  const releaseLock = onDisk ? lockPgliteDir(dataDir) : () => undefined;
  let pglite: PGlite;
  try {
    if (onDisk) fs.mkdirSync(dataDir, { recursive: true });
    // In-memory databases (tests) start from the cached blank cluster when there is one:
    // about 0.6 s instead of 3 s of initdb.
    const loadDataDir = extras.pgliteLoadDataDir ?? (onDisk ? undefined : blankPgliteSnapshotSync());
    pglite = new PGlite(dataDir, loadDataDir ? { loadDataDir } : {});
  } catch (error) {
    releaseLock();
    throw error;
  }
  // Start-up errors surface from ready() and from every query; do not crash the process here.
  pglite.waitReady.catch(() => undefined);
  const adapter = new PrismaPGlite(pglite);
  let closed: Promise<void> | undefined;

  const sql = pgliteSqlDriver(pglite);

  return {
    kind: 'pglite',
    description: describeDatabase(options),
    adapter,
    sql,
    pglite,
    async ready() {
      await pglite.waitReady;
    },
    close() {
      closed ??= (async () => {
        try {
          // close() on an instance whose start-up failed rejects again; nothing left to close.
          if (!pglite.closed) await pglite.close().catch(() => undefined);
        } finally {
          releaseLock();
        }
      })();
      return closed;
    },
  };
}

/**
 * PGlite corrupts a data directory opened by two processes at once. Keep a `<dir>.lock` file
 * with our pid and refuse to open a directory held by another live process.
 */
function lockPgliteDir(dataDir: string): () => void {
  if (openPgliteDirs.has(dataDir)) {
    throw new Error(`PGlite data directory ${dataDir} is already open in this process.`);
  }
  const lockFile = `${dataDir}.lock`;
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = Number.parseInt(fs.readFileSync(lockFile, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isProcessAlive(holder)) {
        throw new Error(
          `PGlite data directory ${dataDir} is in use by process ${holder}. The embedded database ` +
            'serves one process at a time: stop that process, or set DATABASE_URL to use PostgreSQL ' +
            'for several processes (for example the API server and the worker).',
          { cause: error },
        );
      }
      fs.rmSync(lockFile, { force: true }); // stale lock from a process that is gone
    }
  }
  openPgliteDirs.add(dataDir);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    openPgliteDirs.delete(dataDir);
    fs.rmSync(lockFile, { force: true });
  };
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
