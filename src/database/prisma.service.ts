import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client';
import { DATABASE_OPTIONS, type DatabaseKind, type DatabaseOptions } from './database-options';
import { type DatabaseDriver, type OpenDriverExtras, openDatabaseDriver, type SqlDriver } from './driver';

export interface PingResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

const PRISMA_SERVICE = Symbol.for('switchboard.PrismaService');

function isDatabaseDriver(value: DatabaseOptions | DatabaseDriver): value is DatabaseDriver {
  return typeof (value as DatabaseDriver).close === 'function' && 'sql' in value;
}

/**
 * The generated Prisma client bound to PostgreSQL (`databaseUrl`) or embedded PGlite
 * (`dataDir`), plus a raw SQL path (`sql`) on the same database.
 *
 * Inject it anywhere (DatabaseModule is global). Outside Nest use {@link createDatabase}
 * and call {@link PrismaService.close} when done.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {
  readonly driver!: DatabaseDriver;

  constructor(@Inject(DATABASE_OPTIONS) source: DatabaseOptions | DatabaseDriver) {
    const driver = isDatabaseDriver(source) ? source : openDatabaseDriver(source);
    super({ adapter: driver.adapter });
    Object.defineProperty(this, 'driver', { value: driver, enumerable: false });
    Object.defineProperty(this, PRISMA_SERVICE, { value: true, enumerable: false });
  }

  // The Prisma client constructor returns a Proxy whose prototype is Object.prototype, so plain
  // `instanceof` would be false; recognise our instances by a marker instead.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PRISMA_SERVICE] === true;
  }

  get kind(): DatabaseKind {
    return this.driver.kind;
  }

  /** Raw SQL (parameterised queries, multi-statement scripts, transactions) bypassing Prisma. */
  get sql(): SqlDriver {
    return this.driver.sql;
  }

  async onModuleInit(): Promise<void> {
    await this.driver.ready();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  /** `SELECT 1` with a time limit; never throws. For the readiness probe. */
  async ping(timeoutMs = 2_000): Promise<PingResult> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.driver.sql.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { ok: true, latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      return {
        ok: false,
        latencyMs: Math.round(performance.now() - started),
        error: error instanceof Error ? error.message : String(error),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Disconnects Prisma and closes the pool / PGlite instance. Idempotent. */
  async close(): Promise<void> {
    try {
      await this.$disconnect();
    } finally {
      await this.driver.close();
    }
  }
}

/** A ready-to-use client outside Nest (CLI, scripts, tests). Call `close()` when done. */
export function createDatabase(options: DatabaseOptions, extras?: OpenDriverExtras): PrismaService {
  return new PrismaService(openDatabaseDriver(options, extras));
}
