import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../generated/prisma/client';
import { DATABASE_OPTIONS } from './database-options';
import { DatabaseModule } from './database.module';
import { applyPendingMigrations } from './migrations';
import { blankPgliteSnapshot } from './pglite-cache';
import { createDatabase, PrismaService } from './prisma.service';
import { createTestDatabase, truncateAllTables, type TestDatabase } from './testing';

const mode = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

describe(`PrismaService (${mode})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('creates and reads organizations and API keys', async () => {
    const key = 'sb_live_0123456789abcdef';
    const org = await db.prisma.organization.create({
      data: {
        name: 'Acme',
        apiKeys: { create: { name: 'default', keyPrefix: key.slice(0, 8), keyHash: sha256(key) } },
      },
    });
    expect(org.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(org.createdAt).toBeInstanceOf(Date);

    const found = await db.prisma.apiKey.findUnique({
      where: { keyHash: sha256(key) },
      include: { organization: true },
    });
    expect(found).toMatchObject({ keyPrefix: 'sb_live_', lastUsedAt: null, revokedAt: null });
    expect(found?.organization.name).toBe('Acme');

    await db.prisma.systemSetting.upsert({
      where: { key: 'dev_org_created' },
      create: { key: 'dev_org_created', value: org.id },
      update: { value: org.id },
    });
    expect((await db.prisma.systemSetting.findUnique({ where: { key: 'dev_org_created' } }))?.value).toBe(org.id);

    // Deleting the organization cascades to its keys.
    await db.prisma.organization.delete({ where: { id: org.id } });
    expect(await db.prisma.apiKey.count({ where: { organizationId: org.id } })).toBe(0);
  });

  it('reports a duplicate key_hash as P2002', async () => {
    const org = await db.prisma.organization.create({ data: { name: 'Dup' } });
    const data = { organizationId: org.id, name: 'k', keyPrefix: 'abcdefgh', keyHash: sha256('same') };
    await db.prisma.apiKey.create({ data });
    const error = await db.prisma.apiKey.create({ data }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect((error as Prisma.PrismaClientKnownRequestError).code).toBe('P2002');
  });

  it('runs raw SQL and raw transactions on the same database', async () => {
    const org = await db.prisma.organization.create({ data: { name: 'Raw' } });
    const names = ['a', 'b', 'c'].map((n) => `bulk-${n}`);
    const inserted = await db.prisma.sql.execute(
      `INSERT INTO organizations (name) SELECT unnest($1::text[])`,
      [names],
    );
    expect(inserted).toBe(3);
    const rows = await db.prisma.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM organizations WHERE name = ANY($1::text[]) OR id = $2::uuid`,
      [names, org.id],
    );
    expect(rows).toEqual([{ n: 4 }]);

    await expect(
      db.prisma.sql.transaction(async (tx) => {
        await tx.execute(`DELETE FROM organizations WHERE id = $1::uuid`, [org.id]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await db.prisma.organization.count({ where: { id: org.id } })).toBe(1);

    // Prisma's own raw path works too.
    const viaPrisma = await db.prisma.$queryRawUnsafe<Array<{ one: number }>>('SELECT 1::int AS one');
    expect(viaPrisma).toEqual([{ one: 1 }]);
  });

  it('truncateAllTables empties everything but the migration history', async () => {
    await db.prisma.organization.create({ data: { name: 'gone' } });
    await truncateAllTables(db.prisma);
    expect(await db.prisma.organization.count()).toBe(0);
    expect((await db.prisma.sql.query('SELECT 1 FROM _prisma_migrations')).length).toBeGreaterThan(0);
  });

  it('answers ping()', async () => {
    await expect(db.prisma.ping()).resolves.toMatchObject({ ok: true });
  });
});

describe('DatabaseModule', () => {
  @Injectable()
  class NeedsDb {
    constructor(readonly prisma: PrismaService) {}
  }

  // An empty database is enough here: the server's own database in PostgreSQL mode.
  const options = mode === 'postgres' ? { databaseUrl: process.env.DATABASE_URL, dataDir: 'memory://' } : { dataDir: 'memory://' };

  it('provides PrismaService from options and closes it with the app', async () => {

    @Module({ imports: [DatabaseModule.forRoot(options)], providers: [NeedsDb] })
    class AppModule {}

    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    const prisma = app.get(NeedsDb).prisma;
    expect(prisma).toBeInstanceOf(PrismaService);
    expect(prisma.kind).toBe(mode);
    expect(app.get(DATABASE_OPTIONS)).toEqual(options);
    expect((await prisma.ping()).ok).toBe(true);
    await app.close();
    expect((await prisma.ping(500)).ok).toBe(false);
  });

  it('supports forRootAsync', async () => {
    @Module({ imports: [DatabaseModule.forRootAsync({ useFactory: async () => options })] })
    class AppModule {}

    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    expect(app.get(PrismaService).kind).toBe(mode);
    expect((await app.get(PrismaService).ping()).ok).toBe(true);
    await app.close();
  });
});

describe.skipIf(mode === 'postgres')('embedded PGlite on disk', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-pglite-'));
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('persists data, and refuses a second open of the same directory', async () => {
    // Start from the cached blank cluster: initdb on disk takes 10-20 s on a busy machine.
    const first = createDatabase({ dataDir }, { pgliteLoadDataDir: await blankPgliteSnapshot() });
    try {
      expect(() => createDatabase({ dataDir })).toThrow(/already open/);
      await applyPendingMigrations(first);
      await first.organization.create({ data: { name: 'kept' } });
    } finally {
      await first.close();
    }
    expect(fs.existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false);

    const second = createDatabase({ dataDir });
    try {
      expect((await applyPendingMigrations(second)).applied).toEqual([]);
      expect((await second.organization.findFirst())?.name).toBe('kept');
    } finally {
      await second.close();
    }
  });

  it('refuses a directory locked by another live process', () => {
    const locked = path.join(dataDir, 'other');
    fs.mkdirSync(locked, { recursive: true });
    fs.writeFileSync(path.join(locked, 'pglite.lock'), `${process.ppid}\n`);
    expect(() => createDatabase({ dataDir: locked })).toThrow(new RegExp(`in use by process ${process.ppid}`));
  });
});
