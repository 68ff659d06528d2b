import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { ConfigError, loadConfig } from './config/config';
import { resolveEncryptionKey } from './crypto/encryption-key';
import { createLogger, PinoNestLogger } from './observability/logger';
import { JOB_QUEUE, type JobQueue } from './queue/job-queue';

/**
 * `npm run worker`: a process that only runs background jobs (syncs, webhook deliveries, async
 * pass-through) — the same module graph as the server, without an HTTP listener.
 *
 * With REDIS_URL, any number of workers and servers share the queues (servers consume too unless
 * SERVER_RUNS_JOBS=false). Without Redis a worker runs its own in-process queue: its scheduler
 * tick still finds due syncs in the shared PostgreSQL database, and the per-(account, model) lease
 * keeps it from ever running a pair another process is running.
 *
 * SIGTERM / SIGINT: stop taking jobs, signal running syncs to stop after the page in flight (its
 * checkpoint is stored), wait for them (bounded), close connections, exit 0. A SIGKILL loses
 * nothing either: the next process resumes from the stored checkpoint once the lease expires.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  if (config.database.embedded) {
    // PGlite allows one process per data directory: the server owns it.
    process.stderr.write('Invalid configuration: DATABASE_URL must be set for `npm run worker` (the embedded database serves one process only)\n');
    process.exit(1);
  }
  resolveEncryptionKey(config);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, { role: 'worker' }), {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  const queue = app.get<JobQueue>(JOB_QUEUE);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker stopping');
    app
      .close()
      .then(() => {
        logger.info('worker stopped');
        process.exit(0);
      })
      .catch((err: Error) => {
        logger.error({ err: err.message }, 'worker did not stop cleanly');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  logger.info({ queue: queue.kind, pid: process.pid, database: 'postgresql' }, 'worker started');
}

main().catch((err) => {
  process.stderr.write(`Switchboard worker failed to start: ${(err as Error).message?.split('\n')[0] ?? err}\n`);
  process.exit(1);
});
