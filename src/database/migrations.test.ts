import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  applyPendingMigrations,
  createMigration,
  listMigrations,
  migrationChecksum,
  MigrationError,
  migrationSlug,
} from './migrations';
import { defaultMigrationsDir, defaultSchemaPath } from './paths';
import { createTestDatabase, type TestDatabase } from './testing';

const mode = process.env.DATABASE_URL ? 'postgres' : 'pglite';

let tmpRoot: string;
beforeAll(() => {
  tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-migrations-'));
});
afterAll(() => {
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

/** A copy of the real migrations folder that a test may add to. */
function copyMigrations(label: string, withLock = true): string {
  const dir = path.join(tmpRoot, label, 'migrations');
  fs.cpSync(defaultMigrationsDir(), dir, { recursive: true });
  if (!withLock) fs.rmSync(path.join(dir, 'migration_lock.toml'), { force: true });
  return dir;
}

function addMigration(dir: string, name: string, sql: string): void {
  fs.mkdirSync(path.join(dir, name), { recursive: true });
  fs.writeFileSync(path.join(dir, name, 'migration.sql'), sql);
}

describe(`applyPendingMigrations (${mode})`, () => {
  let db: TestDatabase;
  afterEach(async () => {
    await db?.close();
  });

  it('applies every migration once, with Prisma-compatible bookkeeping', async () => {
    db = await createTestDatabase({ migrate: false });
    expect(db.kind).toBe(mode);
    const migrations = listMigrations();
    expect(migrations.length).toBeGreaterThan(0);

    const first = await applyPendingMigrations(db.prisma);
    expect(first.applied).toEqual(migrations.map((m) => m.name));
    expect(first.total).toBe(migrations.length);

    const rows = await db.prisma.sql.query<{
      migration_name: string;
      checksum: string;
      finished: boolean;
      rolled_back: boolean;
      applied_steps_count: number;
    }>(
      `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished,
              rolled_back_at IS NOT NULL AS rolled_back, applied_steps_count
         FROM _prisma_migrations ORDER BY migration_name`,
    );
    expect(rows).toEqual(
      migrations.map((m) => ({
        migration_name: m.name,
        checksum: migrationChecksum(fs.readFileSync(m.sqlPath)),
        finished: true,
        rolled_back: false,
        applied_steps_count: 1,
      })),
    );

    const tables = await db.prisma.sql.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['_prisma_migrations', 'api_keys', 'organizations', 'system_settings']),
    );

    const second = await applyPendingMigrations(db.prisma);
    expect(second.applied).toEqual([]);
    expect(second.modified).toEqual([]);
  });

  it('does not record a failing migration and rolls back its partial changes', async () => {
    db = await createTestDatabase({ migrate: false });
    const dir = copyMigrations('broken');
    addMigration(
      dir,
      '20990101000000_broken',
      'CREATE TABLE half_done (id int);\nINSERT INTO no_such_table VALUES (1);\n',
    );

    const error = await applyPendingMigrations(db.prisma, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).migrationName).toBe('20990101000000_broken');
    expect((error as Error).message).toMatch(/no_such_table/);

    const names = await db.prisma.sql.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(names.map((r) => r.migration_name)).toEqual(listMigrations().map((m) => m.name));
    const halfDone = await db.prisma.sql.query(`SELECT to_regclass('public.half_done') AS t`);
    expect(halfDone).toEqual([{ t: null }]);

    // Once fixed, the same migration applies.
    addMigration(dir, '20990101000000_broken', 'CREATE TABLE half_done (id int);\n');
    const retry = await applyPendingMigrations(db.prisma, { migrationsDir: dir });
    expect(retry.applied).toEqual(['20990101000000_broken']);
  });

  it('reports applied migrations whose file changed without re-applying them', async () => {
    db = await createTestDatabase({ migrate: false });
    const dir = copyMigrations('edited');
    addMigration(dir, '20990101000000_extra', 'CREATE TABLE extra (id int);\n');
    await applyPendingMigrations(db.prisma, { migrationsDir: dir });
    addMigration(dir, '20990101000000_extra', 'CREATE TABLE extra (id int); -- edited\n');
    const result = await applyPendingMigrations(db.prisma, { migrationsDir: dir });
    expect(result.applied).toEqual([]);
    expect(result.modified).toEqual(['20990101000000_extra']);
  });

  it('lets concurrent runners apply each migration exactly once', async () => {
    if (mode !== 'postgres') return; // one PGlite instance runs one query at a time anyway
    db = await createTestDatabase({ migrate: false });
    const results = await Promise.all([applyPendingMigrations(db.prisma), applyPendingMigrations(db.prisma)]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(listMigrations().map((m) => m.name));
  });
});

describe('createMigration', () => {
  it('writes nothing when the schema matches the migrations', async () => {
    const dir = copyMigrations('unchanged');
    const before = fs.readdirSync(dir).sort();
    const result = await createMigration('nothing', { migrationsDir: dir });
    expect(result.created).toBe(false);
    expect(result.message).toMatch(/No changes/);
    expect(fs.readdirSync(dir).sort()).toEqual(before);
  });

  it('writes a timestamped folder for a changed schema, which then applies', async () => {
    const dir = copyMigrations('changed', false);
    const schemaPath = path.join(tmpRoot, 'changed', 'schema.prisma');
    fs.writeFileSync(
      schemaPath,
      `${fs.readFileSync(defaultSchemaPath(), 'utf8')}
model Widget {
  id   String @id @default(dbgenerated("gen_random_uuid()")) @db.Uuid
  name String @unique

  @@map("widgets")
}
`,
    );
    const result = await createMigration('Add widgets!', {
      migrationsDir: dir,
      schemaPath,
      now: new Date(Date.UTC(2099, 0, 2, 3, 4, 5)),
    });
    expect(result.created).toBe(true);
    expect(result.warnings).toEqual([]);
    expect(result.name).toBe('20990102030405_add_widgets');
    const sql = fs.readFileSync(path.join(dir, '20990102030405_add_widgets', 'migration.sql'), 'utf8');
    expect(sql).toContain('CREATE TABLE "widgets"');
    expect(sql).toContain('CREATE UNIQUE INDEX "widgets_name_key"');
    expect(fs.readFileSync(path.join(dir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');

    // The new folder sorts last and applies on top of the others.
    const db = await createTestDatabase({ migrate: false });
    try {
      const applied = await applyPendingMigrations(db.prisma, { migrationsDir: dir });
      expect(applied.applied.at(-1)).toBe('20990102030405_add_widgets');
      await db.prisma.sql.execute(`INSERT INTO widgets (name) VALUES ($1)`, ['w']);
    } finally {
      await db.close();
    }

    // Now the schema matches: nothing more to create.
    const again = await createMigration('again', { migrationsDir: dir, schemaPath });
    expect(again.created).toBe(false);
  });

  it('flags statements that can lose data', async () => {
    const dir = copyMigrations('lossy');
    const schemaPath = path.join(tmpRoot, 'lossy', 'schema.prisma');
    const schema = fs.readFileSync(defaultSchemaPath(), 'utf8');
    const withoutName = schema.replace(/^ {2}name {6}String\n/m, '');
    expect(withoutName).not.toEqual(schema);
    fs.writeFileSync(schemaPath, withoutName);
    const result = await createMigration('drop org name', { migrationsDir: dir, schemaPath });
    expect(result.created).toBe(true);
    expect(result.warnings).toEqual(['Drops column `name` of `organizations`: its data will be lost.']);
    expect(result.sql).toMatch(/^\/\*\n {2}Warnings:/);
    expect(result.message).toMatch(/1 data-loss warning/);
  });

  it('turns names into snake_case folder suffixes', () => {
    expect(migrationSlug('Add linked accounts')).toBe('add_linked_accounts');
    expect(migrationSlug('  tokens-v2 ')).toBe('tokens_v2');
    expect(() => migrationSlug('!!!')).toThrow(MigrationError);
  });
});
