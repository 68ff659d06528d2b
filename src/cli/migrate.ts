/**
 * Database migrations without the native Prisma engine.
 *
 *   node dist/src/cli/migrate.js deploy          apply pending migrations
 *                                                (DATABASE_URL, else PGlite in $DATA_DIR or .data)
 *   node dist/src/cli/migrate.js create <name>   write prisma/migrations/<timestamp>_<name>/ from
 *                                                the difference with prisma/schema.prisma
 *
 * npm scripts: `npm run db:migrate`, `npm run db:migration -- <name>`.
 * Prints one result line; exits explicitly (the WASM schema engine leaves a timer behind).
 */
import { databaseOptionsFromEnv, describeDatabase } from '../database/database-options';
import { applyPendingMigrations, createMigration } from '../database/migrations';
import { createDatabase } from '../database/prisma.service';

const USAGE = 'usage: migrate deploy | migrate create <name>';

async function deploy(): Promise<string> {
  const options = databaseOptionsFromEnv();
  const db = createDatabase(options);
  try {
    const result = await applyPendingMigrations(db);
    const parts = [
      `Applied ${result.applied.length} migration(s) (${result.total} in total) to ${describeDatabase(options)} in ${result.durationMs} ms`,
    ];
    if (result.applied.length > 0) parts.push(`: ${result.applied.join(', ')}`);
    if (result.modified.length > 0) parts.push(`; warning: changed after being applied: ${result.modified.join(', ')}`);
    if (result.unknown.length > 0) parts.push(`; warning: applied but missing locally: ${result.unknown.join(', ')}`);
    return parts.join('');
  } finally {
    await db.close();
  }
}

async function create(name: string | undefined): Promise<string> {
  if (!name) throw new Error(`missing migration name; ${USAGE}`);
  const result = await createMigration(name);
  return result.message;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    let line: string;
    if (command === 'deploy') line = await deploy();
    else if (command === 'create') line = await create(rest.join(' ').trim() || undefined);
    else {
      console.error(USAGE);
      return 2;
    }
    console.log(line);
    return 0;
  } catch (error) {
    console.error(`migrate ${command}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

void main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  () => process.exit(1),
);
