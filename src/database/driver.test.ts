import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseDriver, openDatabaseDriver } from './driver';
import { createTestDatabase, type TestDatabase } from './testing';

const serverUrl = process.env.DATABASE_URL?.trim();

/** PostgreSQL only: PGlite runs in-process and has no connection to lose. */
describe.skipIf(!serverUrl)('PostgreSQL driver: a connection lost inside a transaction', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('fails that transaction, does not crash the process, and the next transaction works', async () => {
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      const failed = db.prisma.sql.transaction(async (tx) => {
        const [{ pid }] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        // Between two queries, as a sync page is between its vendor read and its upsert: the
        // client learns of the lost connection from an 'error' event, not from a query.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx.query('SELECT 1');
      });
      await expect(failed).rejects.toThrow();
      const [{ ok }] = await db.prisma.sql.transaction((tx) => tx.query<{ ok: number }>('SELECT 1 AS ok'));
      expect(ok).toBe(1);
    } finally {
      await admin.end();
    }
  });
});

/** PostgreSQL only: PGlite has no named statements. */
describe.skipIf(!serverUrl)('PostgreSQL driver: named prepared statements', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await db?.close();
  });

  /** The names prepared on the connection that runs the statement (inside one transaction). */
  async function preparedAfter(driver: DatabaseDriver, text: string): Promise<string[]> {
    return driver.sql.transaction(async (tx) => {
      const [row] = await tx.query<{ n: number }>(text, [41], { prepare: true });
      expect(Number(row.n)).toBe(42);
      const rows = await tx.query<{ name: string }>('SELECT name FROM pg_prepared_statements');
      return rows.map((r) => r.name);
    });
  }

  it('prepares a statement by name by default, and runs it unnamed with preparedStatements false (PgBouncer transaction mode)', async () => {
    const text = 'SELECT $1::int + 1 AS n';
    const named = openDatabaseDriver({ ...db.options, preparedStatements: true });
    const unnamed = openDatabaseDriver({ ...db.options, preparedStatements: false });
    try {
      expect((await preparedAfter(named, text)).some((n) => n.startsWith('sb_'))).toBe(true);
      expect(await preparedAfter(unnamed, text)).toEqual([]);
    } finally {
      await named.close();
      await unnamed.close();
    }
  });
});
