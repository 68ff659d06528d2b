import { mkdtempSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config/config';
import { createTestDatabase } from '../src/database/testing';
import type { VendorSlug } from '../src/integrations/contract';
import { LinkedAccountsService } from '../src/linked-accounts/linked-accounts.service';
import { createLogger } from '../src/observability/logger';
import { tuneV8ForServing } from '../src/observability/v8-serving';
import { OrganizationsService } from '../src/organizations/organizations.service';

/**
 * Child process of bench:live: Switchboard's server in its own process, as deployed, so the load
 * generator in the parent does not share its CPU. Links emulator accounts on request and measures
 * its own CPU time between `cpu-start` and `cpu-stop`.
 */

type Message =
  | { type: 'link'; vendor: VendorSlug; apiBaseUrl: string; authBaseUrl: string; accessToken: string; refreshToken: string | null }
  | { type: 'cpu-start' }
  | { type: 'cpu-stop' }
  | { type: 'stop' };

async function main(): Promise<void> {
  // As main.ts does for the deployed server.
  tuneV8ForServing();
  const db = await createTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', SANDBOX: 'off', RATE_LIMIT_MAX: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-bench-')) });
  const app = await createApp(config, { database: db.prisma, logger: createLogger('silent') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const { organization, key } = await app.get(OrganizationsService).createWithKey('bench');
  let cpu0 = process.cpuUsage();
  // BENCH_PROFILE=<dir>: a V8 CPU profile of the throughput window only (startup excluded), one file per vendor.
  const profileDir = process.env.BENCH_PROFILE;
  const inspector = profileDir ? new Session() : null;
  let profiled = 0;
  if (inspector) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
  }
  process.on('message', (msg: Message) => {
    void (async () => {
      if (msg.type === 'link') {
        const { accountToken } = await app.get(LinkedAccountsService).create({
          organizationId: organization.id,
          integration: msg.vendor,
          isSandbox: true,
          apiBaseUrl: msg.apiBaseUrl,
          authBaseUrl: msg.authBaseUrl,
          readMode: 'live',
          tokens: { accessToken: msg.accessToken, refreshToken: msg.refreshToken },
        });
        process.send?.({ type: 'linked', accountToken });
      } else if (msg.type === 'cpu-start') {
        if (inspector) await inspector.post('Profiler.start');
        cpu0 = process.cpuUsage();
        process.send?.({ type: 'cpu-started' });
      } else if (msg.type === 'cpu-stop') {
        const used = process.cpuUsage(cpu0);
        if (inspector && profileDir) {
          const { profile } = await inspector.post('Profiler.stop');
          writeFileSync(join(profileDir, `live-server-${++profiled}.cpuprofile`), JSON.stringify(profile));
        }
        process.send?.({ type: 'cpu', us: used.user + used.system });
      } else if (msg.type === 'stop') {
        await app.close();
        await db.close();
        process.exit(0);
      }
    })().catch((err: unknown) => {
      process.stderr.write(`bench:live server: ${(err as Error).stack}\n`);
      process.exit(1);
    });
  });
  process.send?.({ type: 'ready', base, key: key.key, database: db.kind });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:live server failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
