import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import 'reflect-metadata';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config/config';
import { createTestDatabase, type TestDatabase } from '../src/database/testing';
import { createLogger } from '../src/observability/logger';
import { OrganizationsService } from '../src/organizations/organizations.service';
import { compareLoad, fmt } from './support';

/**
 * bench:http — requests/s of an authenticated trivial route (GET /api/crm/v1/ping with a real
 * API key: passport bearer strategy + key verification) against the same route with the guard
 * replaced by one that sets a constant organization, in the same process and run.
 * Target: ratio >= 0.9.
 */

let fixedOrganizationId = '';

@Injectable()
class ConstantAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    context.switchToHttp().getRequest().user = { organizationId: fixedOrganizationId, apiKeyId: 'bench' };
    return true;
  }
}

// Both servers share one database: passport keeps strategies in a process-wide registry, so the
// last app created owns the 'api-key' strategy (see main()).
async function start(db: TestDatabase, guard?: typeof ConstantAuthGuard): Promise<{ app: NestFastifyApplication; url: string; close(): Promise<void> }> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', RATE_LIMIT_MAX: '1000000000', DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-bench-')) });
  const app = await createApp(config, { database: db.prisma, logger: createLogger('silent'), guard });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { app, url, close: () => app.close() };
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const db = await createTestDatabase();
  // The authenticated server is created LAST so that it owns the process-wide 'api-key' strategy,
  // as the one server of a deployed process does; otherwise its guard would verify through the
  // other app's key service and never fill its own hot-path cache.
  const open = await start(db, ConstantAuthGuard);
  const authed = await start(db);
  const { organization, key } = await authed.app.get(OrganizationsService).createWithKey('bench');
  fixedOrganizationId = organization.id;
  const headers = { authorization: `Bearer ${key.key}` };

  // Warmed (JIT, key cache), then alternated so drift hits both sides alike.
  const [withAuth, without] = await compareLoad({ url: `${authed.url}/api/crm/v1/ping`, headers }, { url: `${open.url}/api/crm/v1/ping`, headers }, { rounds, seconds });
  const ratio = withAuth.requestsPerSecond / without.requestsPerSecond;
  process.stdout.write(
    [
      `bench:http  GET /api/crm/v1/ping, 32 connections, ${rounds} x ${seconds} s each, server and load generator on the same machine`,
      `  with API-key auth:     ${fmt(withAuth.requestsPerSecond)} req/s`,
      `  without auth (const):  ${fmt(without.requestsPerSecond)} req/s`,
      `  ratio auth/no-auth:    ${fmt(ratio, 3)}   (target >= 0.9: ${ratio >= 0.9 ? 'met' : 'NOT met'})`,
      '',
    ].join('\n'),
  );
  await authed.close();
  await open.close();
  await db.close();
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench:http failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
