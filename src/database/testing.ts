import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { type DatabaseOptions, MEMORY_DATA_DIR } from './database-options';
import type { SqlDriver } from './driver';
import { applyPendingMigrations, migratedPgliteSnapshot } from './migrations';
import { blankPgliteSnapshot } from './pglite-cache';
import { createDatabase, type PrismaService } from './prisma.service';

export interface TestDatabase {
  /** Client on the test database (also has `.sql` for raw SQL). */
  prisma: PrismaService;
  /**
   * Options pointing at the test database. With PostgreSQL they reach the same database
   * (e.g. for a second client or a spawned process). With PGlite they say `memory://`, which
   * would open a *new, empty* database: in Nest tests override PrismaService with `prisma`
   * instead (`.overrideProvider(PrismaService).useValue(db.prisma)`).
   */
  options: DatabaseOptions;
  kind: 'postgres' | 'pglite';
  /** Closes the client; on PostgreSQL also drops the database. */
  close(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Apply the migrations (default true). */
  migrate?: boolean;
  /** Migrations folder (default prisma/migrations). */
  migrationsDir?: string;
}

/**
 * A fresh, isolated database with the migrations applied.
 *
 * - `DATABASE_URL` set: creates `sb_test_<random>` on that server (the URL's database is
 *   only used to connect for CREATE/DROP DATABASE), dropped by `close()`.
 * - otherwise: in-memory PGlite started from a cached snapshot with the migrations applied
 *   (about 0.6 s; the first run after a migration change builds the snapshot, a few seconds).
 */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL?.trim();
  return serverUrl ? createPostgresTestDatabase(serverUrl, options) : createPgliteTestDatabase(options);
}

async function createPgliteTestDatabase(options: CreateTestDatabaseOptions): Promise<TestDatabase> {
  const migrate = options.migrate ?? true;
  const snapshot = migrate ? await migratedPgliteSnapshot(options.migrationsDir) : await blankPgliteSnapshot();
  const dbOptions: DatabaseOptions = { dataDir: MEMORY_DATA_DIR };
  const prisma = createDatabase(dbOptions, { pgliteLoadDataDir: snapshot });
  await prisma.driver.ready();
  return { prisma, options: dbOptions, kind: 'pglite', close: () => prisma.close() };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function createPostgresTestDatabase(serverUrl: string, options: CreateTestDatabaseOptions): Promise<TestDatabase> {
  const name = `sb_test_${Date.now().toString(36)}_${randomBytes(5).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const dbOptions: DatabaseOptions = { databaseUrl: url.toString(), dataDir: MEMORY_DATA_DIR };
  const prisma = createDatabase(dbOptions);
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      try {
        await prisma.close();
      } finally {
        await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }
    })();
    return closed;
  };
  try {
    if (options.migrate ?? true) await applyPendingMigrations(prisma, { migrationsDir: options.migrationsDir });
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return { prisma, options: dbOptions, kind: 'postgres', close };
}

/**
 * Empties every table of the current schema except `_prisma_migrations`: a cheap reset between
 * tests that share one test database.
 */
export async function truncateAllTables(target: { readonly sql: SqlDriver } | SqlDriver): Promise<void> {
  const sql = 'sql' in target ? target.sql : target;
  const tables = await sql.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables
      WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations'`,
  );
  if (tables.length === 0) return;
  const list = tables.map((t) => `"${t.name.replace(/"/g, '""')}"`).join(', ');
  await sql.exec(`TRUNCATE TABLE ${list} RESTART IDENTITY CASCADE`);
}
