import { Client } from 'pg';
import type { PrismaService } from '../src/database/prisma.service';

/**
 * Counts the statements a database client sends (Prisma queries and raw SQL alike), at the
 * driver: pg's Client.query on PostgreSQL, PGlite's query/exec on the embedded database.
 * Used by bench:graphql and the N+1 test; call `stop()` to restore the originals.
 */
export function countDbQueries(prisma: PrismaService): { readonly count: number; reset(): void; stop(): void } {
  let count = 0;
  const restore: (() => void)[] = [];
  const wrap = <T extends object>(target: T, key: keyof T) => {
    const original = target[key] as unknown as (...args: unknown[]) => unknown;
    (target as Record<keyof T, unknown>)[key] = function (this: unknown, ...args: unknown[]) {
      count++;
      return original.apply(this, args);
    };
    restore.push(() => {
      (target as Record<keyof T, unknown>)[key] = original;
    });
  };
  const pglite = prisma.driver.pglite;
  if (pglite) {
    wrap(pglite, 'query');
    wrap(pglite, 'exec');
  } else {
    wrap(Client.prototype, 'query');
  }
  return {
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
    stop() {
      for (const r of restore.reverse()) r();
    },
  };
}
