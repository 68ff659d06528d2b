import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { createTestDatabase, type TestDatabase } from '../../src/database/testing';
import { freePort } from '../../src/http/free-port';
import { createLogger } from '../../src/observability/logger';
import { OrganizationsService } from '../../src/organizations/organizations.service';

export interface TestApp {
  app: NestFastifyApplication;
  /** Base URL of the listening server, e.g. http://127.0.0.1:41234 */
  url: string;
  config: AppConfig;
  db: TestDatabase;
  /** A new organization with an API key. */
  createOrganization(name?: string): Promise<{ organizationId: string; apiKey: string; apiKeyId: string }>;
  /** fetch relative to the server, JSON helpers included. */
  request(path: string, init?: RequestInit & { apiKey?: string; json?: unknown }): Promise<{ status: number; headers: Headers; body: any; text: string }>;
  close(): Promise<void>;
}

/**
 * The real server on a real port and a fresh database: PostgreSQL when DATABASE_URL is set
 * (a database created for this app and dropped after), else in-memory PGlite.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-test-'));
  const db = await createTestDatabase();
  // The port is chosen up front so that PUBLIC_URL (OAuth redirects, sandbox base URLs) is right.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // No automatic syncs unless a test asks (SYNC_SCHEDULE: 'on'): background syncs would add vendor
  // calls, refreshes and events to tests about other things.
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: String(port), PUBLIC_URL: url, DATA_DIR: dataDir, RATE_LIMIT_MAX: '0', SYNC_SCHEDULE: 'off', ...env });
  const app = await createApp(config, { database: db.prisma, logger: createLogger(env.LOG_LEVEL ?? 'silent') });
  await app.listen({ port, host: '127.0.0.1' });
  const orgs = app.get(OrganizationsService);
  let n = 0;
  return {
    app,
    url,
    config,
    db,
    async createOrganization(name = `Org ${++n}`) {
      const { organization, key } = await orgs.createWithKey(name);
      return { organizationId: organization.id, apiKey: key.key, apiKeyId: key.id };
    },
    async request(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.apiKey) headers.set('authorization', `Bearer ${init.apiKey}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      const res = await fetch(url + path, { ...init, headers, body });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: callers read `text`
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async close() {
      await app.close();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
