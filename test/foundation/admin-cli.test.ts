import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdmin } from '../../src/cli/admin';
import { createTestDatabase, type TestDatabase } from '../../src/database/testing';

/**
 * The admin CLI against a real database: PostgreSQL when DATABASE_URL is set, else an embedded
 * PGlite data directory (the CLI opens it itself, as `npm run admin` does).
 */
describe('admin CLI', () => {
  let dataDir: string;
  let pg: TestDatabase | undefined;
  const saved = { DATABASE_URL: process.env.DATABASE_URL, DATA_DIR: process.env.DATA_DIR };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sb-admin-'));
    process.env.DATA_DIR = dataDir;
    if (process.env.DATABASE_URL) {
      pg = await createTestDatabase();
      process.env.DATABASE_URL = pg.options.databaseUrl;
    }
  });
  afterAll(async () => {
    process.env.DATABASE_URL = saved.DATABASE_URL;
    process.env.DATA_DIR = saved.DATA_DIR;
    await pg?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function run(...args: string[]) {
    const lines: string[] = [];
    const code = await runAdmin(args, (l) => lines.push(l));
    return { code, lines };
  }

  it('creates an organization with a key, lists, creates and revokes keys', async () => {
    const created = await run('org:create', 'Acme Inc', '--key-name', 'ci');
    expect(created.code).toBe(0);
    const orgId = /organization ([0-9a-f-]{36})/.exec(created.lines[0])![1];
    expect(created.lines[2]).toMatch(/^sbk_/);

    expect((await run('org:list')).lines.join('\n')).toContain('Acme Inc');

    const key = await run('key:create', orgId, '--name', 'second');
    expect(key.code).toBe(0);
    const keyId = /api key ([0-9a-f-]{36})/.exec(key.lines[0])![1];

    const listed = await run('key:list', orgId);
    expect(listed.lines).toHaveLength(2);
    expect(listed.lines.join('\n')).not.toContain(key.lines[1]); // the key itself is never shown again

    expect((await run('key:revoke', keyId)).code).toBe(0);
    expect((await run('key:list', orgId)).lines.join('\n')).toContain('REVOKED');
    expect((await run('key:revoke', keyId)).code).toBe(1);
  }, 60_000);

  it('rejects bad arguments with a non-zero exit', async () => {
    expect((await run('key:create', 'not-a-uuid')).code).toBe(1);
    expect((await run('key:revoke', '00000000-0000-0000-0000-000000000000')).code).toBe(1);
  });
});
