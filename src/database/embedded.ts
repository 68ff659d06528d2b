import * as fs from 'node:fs';
import { type DatabaseOptions, resolvePgliteDataDir } from './database-options';
import { migratedPgliteSnapshot } from './migrations';
import { createDatabase, type PrismaService } from './prisma.service';

/**
 * Opens the embedded database for the server. A brand-new data directory starts from the
 * migrated template (built by `npm run build`, cached under node_modules/.cache) instead of
 * running initdb on disk, which takes 20 s or more in WebAssembly; later starts open it as is.
 */
export async function openEmbeddedDatabase(options: DatabaseOptions): Promise<{ prisma: PrismaService; fromTemplate: boolean }> {
  const dir = resolvePgliteDataDir(options.dataDir);
  const isNew = !fs.existsSync(dir) || fs.readdirSync(dir).length === 0;
  const template = isNew ? await migratedPgliteSnapshot() : undefined;
  const prisma = createDatabase(options, template ? { pgliteLoadDataDir: template } : {});
  await prisma.driver.ready();
  return { prisma, fromTemplate: isNew };
}

/** Builds (or finds) the cached template; run by `npm run build` so the first start is fast. */
export async function warmEmbeddedTemplate(): Promise<void> {
  await migratedPgliteSnapshot();
}
