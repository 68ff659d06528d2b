export * from './database-options';
export * from './database.module';
export {
  type DatabaseDriver,
  openDatabaseDriver,
  type OpenDriverExtras,
  type PrismaAdapterFactory,
  type SqlDriver,
  type SqlQueryable,
} from './driver';
export {
  applyPendingMigrations,
  type ApplyMigrationsOptions,
  type ApplyMigrationsResult,
  createMigration,
  type CreateMigrationOptions,
  type CreateMigrationResult,
  listMigrations,
  MIGRATION_ADVISORY_LOCK,
  migrationChecksum,
  MigrationError,
  type MigrationFile,
} from './migrations';
export { defaultMigrationsDir, defaultSchemaPath, findProjectRoot } from './paths';
export { createDatabase, type PingResult, PrismaService } from './prisma.service';
// Test helpers live in './testing' (not re-exported here so production code does not load them).
