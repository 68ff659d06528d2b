import * as path from 'node:path';

/**
 * How to reach the database. Plain data so that the config module can build it.
 *
 * - `databaseUrl` set: PostgreSQL through `pg` + `@prisma/adapter-pg`.
 * - otherwise: embedded PGlite stored in `<dataDir>/pglite`; `dataDir: 'memory://'` gives a
 *   throw-away in-memory database (tests).
 */
export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
  /**
   * PostgreSQL: run the sync's fixed page statements as named prepared statements (default true).
   * false for poolers that do not keep a server connection per client (PgBouncer in transaction
   * mode): they then run unnamed, planned on every call.
   */
  preparedStatements?: boolean;
}

/** Nest injection token for {@link DatabaseOptions}. */
export const DATABASE_OPTIONS = Symbol.for('switchboard.DATABASE_OPTIONS');

export const DEFAULT_DATA_DIR = '.data';
export const MEMORY_DATA_DIR = 'memory://';

export type DatabaseKind = 'postgres' | 'pglite';

export function isMemoryDataDir(dataDir: string): boolean {
  return dataDir.startsWith('memory://');
}

/** Directory (or `memory://...` URL) PGlite is opened with for the given options. */
export function resolvePgliteDataDir(dataDir: string): string {
  if (isMemoryDataDir(dataDir)) return dataDir;
  return path.resolve(dataDir, 'pglite');
}

/**
 * Options from environment variables, as used by the CLI: `DATABASE_URL`, else `DATA_DIR`
 * (default `.data`). The config module has its own validation; this is only a fallback.
 */
export function databaseOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseOptions {
  const databaseUrl = env.DATABASE_URL?.trim();
  return {
    ...(databaseUrl ? { databaseUrl } : {}),
    dataDir: env.DATA_DIR?.trim() || DEFAULT_DATA_DIR,
    preparedStatements: env.DATABASE_PREPARED_STATEMENTS?.trim() !== 'false',
  };
}

/** A human-readable description without credentials, for logs. */
export function describeDatabase(options: DatabaseOptions): string {
  if (options.databaseUrl) {
    try {
      const url = new URL(options.databaseUrl);
      url.password = url.password ? '***' : '';
      return `postgres ${url.host}${url.pathname}`;
    } catch {
      return 'postgres (unparsable DATABASE_URL)';
    }
  }
  return `pglite ${resolvePgliteDataDir(options.dataDir)}`;
}
