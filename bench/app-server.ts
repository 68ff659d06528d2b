import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config/config';
import { createTestDatabase, type TestDatabase } from '../src/database/testing';
import { freePort } from '../src/http/free-port';
import type { VendorSlug } from '../src/integrations/contract';
import { adapterFor } from '../src/integrations/registry';
import { LinkedAccountsService } from '../src/linked-accounts/linked-accounts.service';
import type { ModelName } from '../src/models/spec';
import { createLogger } from '../src/observability/logger';
import { OrganizationsService } from '../src/organizations/organizations.service';
import { type MountedSandbox, SANDBOX_EMULATORS } from '../src/sandbox/sandbox.module';
import { SYNC_RUNNER, type SyncRunResult } from '../src/sync/contract';

/*
 * Start-up shared by the benchmarks that read from a synced store through a whole Switchboard
 * server (bench:read, bench:graphql). Kept out of support.ts, which every benchmark imports for
 * fmt(): loading the application's module graph there would weigh on bench:sync's heap limit.
 */

export interface BenchServer {
  app: NestFastifyApplication;
  db: TestDatabase;
  /** http://127.0.0.1:<port>, also the server's PUBLIC_URL (the mounted emulators live under it). */
  base: string;
  organizationId: string;
  apiKey: string;
}

/**
 * A Switchboard server on a scratch database (PostgreSQL when DATABASE_URL is set, else PGlite),
 * sandbox vendors mounted with `contacts` contacts each, no rate limit, silent logs, listening on
 * loopback; one organization with an API key. `env` adds or overrides variables.
 */
export async function startBenchServer(options: { contacts: number; env?: Record<string, string> }): Promise<BenchServer> {
  const db = await createTestDatabase();
  // PUBLIC_URL must name the port before the app is built (the emulators' base URLs derive from it).
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: String(port),
    PUBLIC_URL: base,
    RATE_LIMIT_MAX: '0',
    SANDBOX_CONTACTS: String(options.contacts),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-bench-')),
    ...options.env,
  });
  const app = await createApp(config, { database: db.prisma, logger: createLogger('silent') });
  await app.listen({ port, host: '127.0.0.1' });
  const { organization, key } = await app.get(OrganizationsService).createWithKey('bench');
  return { app, db, base, organizationId: organization.id, apiKey: key.key };
}

/**
 * A stored-mode linked account on the mounted emulator of `vendor`, created directly (tokens from
 * the emulator's token route, no hosted Link), then fully synced by the real engine (`models`:
 * only those; default all). Throws when the emulator is not mounted or a model's sync fails.
 */
export async function linkAndSync(server: BenchServer, vendor: VendorSlug, models?: ModelName[]): Promise<{ linkedAccountId: string; accountToken: string; syncSeconds: number }> {
  const { app } = server;
  const sandbox = app.get<MountedSandbox[]>(SANDBOX_EMULATORS).find((s) => s.vendor === vendor);
  if (!sandbox) throw new Error(`the ${vendor} sandbox is not mounted`);
  const adapter = adapterFor(vendor)!;
  const res = await fetch(`${sandbox.baseUrl}/__sandbox/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const parsed = adapter.auth.parseTokenResponse(res.status, await res.json(), {});
  if ('error' in parsed) throw new Error(parsed.description);
  const { account, accountToken } = await app.get(LinkedAccountsService).create({
    organizationId: server.organizationId,
    integration: vendor,
    isSandbox: true,
    apiBaseUrl: parsed.apiBaseUrl ?? adapter.auth.endpoints({ sandboxBaseUrl: sandbox.baseUrl }).apiBaseUrl ?? sandbox.baseUrl,
    authBaseUrl: sandbox.baseUrl,
    remoteAccountId: parsed.remoteAccountId ?? null,
    readMode: 'stored',
    tokens: { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken ?? null, expiresAt: null },
  });
  const started = performance.now();
  const engine = app.get<{ syncAccount(id: string, o: { models?: ModelName[]; kind: 'full' }): Promise<SyncRunResult[]> }>(SYNC_RUNNER, { strict: false });
  const failed = (await engine.syncAccount(account.id, { models, kind: 'full' })).filter((r) => r.outcome !== 'done');
  if (failed.length) throw new Error(`sync failed: ${JSON.stringify(failed)}`);
  return { linkedAccountId: account.id, accountToken, syncSeconds: (performance.now() - started) / 1000 };
}
