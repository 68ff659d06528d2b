import * as fs from 'node:fs';
import * as path from 'node:path';

let rootCache: string | undefined;

/**
 * The directory holding package.json and prisma/ (works from src/ under vitest and from
 * dist/src/ after the build). Falls back to the working directory.
 */
export function findProjectRoot(): string {
  if (rootCache) return rootCache;
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'prisma'))) {
      rootCache = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  rootCache = process.cwd();
  return rootCache;
}

export function defaultSchemaPath(): string {
  return path.join(findProjectRoot(), 'prisma', 'schema.prisma');
}

export function defaultMigrationsDir(): string {
  return path.join(findProjectRoot(), 'prisma', 'migrations');
}
