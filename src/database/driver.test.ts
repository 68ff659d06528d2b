import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
