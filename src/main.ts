import { mkdirSync } from 'node:fs';
import { createApp } from './app';
import { type AppConfig, ConfigError, loadConfig } from './config/config';
import { resolveEncryptionKey } from './crypto/encryption-key';
import { openEmbeddedDatabase } from './database/embedded';
import { applyPendingMigrations } from './database/migrations';
import { PrismaService } from './database/prisma.service';
import { createLogger } from './observability/logger';
import { tuneV8ForServing } from './observability/v8-serving';
import { ensureDevOrganization } from './organizations/dev-bootstrap';
import { OrganizationsService } from './organizations/organizations.service';

function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  tuneV8ForServing();
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  if (config.database.embedded) mkdirSync(config.database.dataDir, { recursive: true });
  const encryption = resolveEncryptionKey(config);
  if (encryption.source === 'generated') logger.warn({ path: encryption.path }, 'generated a development encryption key (set ENCRYPTION_KEY in production)');

  let database: PrismaService | undefined;
  if (config.database.embedded) {
    const embedded = await openEmbeddedDatabase({ dataDir: config.database.dataDir });
    database = embedded.prisma;
    const result = await applyPendingMigrations(database);
    if (embedded.fromTemplate) logger.info({ dataDir: config.database.dataDir }, 'created the embedded database');
    if (result.applied.length) logger.info({ applied: result.applied }, 'applied database migrations');
  }
  const app = await createApp(config, { logger, database });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const prisma = app.get(PrismaService);
  await app.listen({ port: config.port, host: config.host });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const baseUrl = config.publicUrl.replace(/:\d+$/, `:${port}`);
  logger.info({ url: baseUrl, database: config.database.embedded ? 'embedded' : 'postgresql', ms: Math.round(performance.now() - started) }, 'listening');

  if (config.database.embedded && config.env !== 'production') {
    const dev = await ensureDevOrganization(prisma, app.get(OrganizationsService));
    printBanner(baseUrl, dev.apiKey);
  }
}

function printBanner(baseUrl: string, apiKey?: string): void {
  const lines = [
    '',
    `  Switchboard is running at ${baseUrl}`,
    `  API reference:  ${baseUrl}/docs`,
    apiKey
      ? `  Development API key (shown once, only its hash is stored):\n\n      ${apiKey}\n`
      : '  Development API key: printed on first start. Make another with: npm run admin -- key:create <organization id>',
    `  Try it:  curl -H "Authorization: Bearer ${apiKey ?? '<API key>'}" ${baseUrl}/api/crm/v1/ping`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err) => {
  process.stderr.write(`Switchboard failed to start: ${(err as Error).message?.split('\n')[0] ?? err}\n`);
  process.exit(1);
});
