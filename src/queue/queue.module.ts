import { type DynamicModule, Global, Inject, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { BullMqJobQueue } from './bullmq-queue';
import { InProcessJobQueue } from './in-process-queue';
import { JOB_QUEUE, type JobQueue } from './job-queue';

/** The queue implementation for a configuration: BullMQ with REDIS_URL, else in-process. */
export function createJobQueue(config: AppConfig): JobQueue {
  if (config.redisUrl) return new BullMqJobQueue({ redisUrl: config.redisUrl, prefix: config.queue.prefix });
  return new InProcessJobQueue();
}

/**
 * Whether this process registers job handlers. Servers do unless SERVER_RUNS_JOBS=false;
 * `npm run worker` always does (it sets `role: 'worker'`).
 */
export const QUEUE_ROLE = Symbol('QUEUE_ROLE');
export type QueueRole = 'server' | 'worker';
export const runsJobs = (role: QueueRole, config: AppConfig): boolean => role === 'worker' || config.queue.serverRunsJobs;

/**
 * Closes the queue when the application shuts down. QueueModule is global like DatabaseModule
 * and imported after it, so Nest destroys it first: running jobs finish (or stop at their abort
 * signal) while the database is still open.
 */
@Injectable()
class JobQueueCloser implements OnModuleDestroy {
  constructor(@Inject(JOB_QUEUE) private readonly queue: JobQueue) {}
  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
  }
}

@Global()
@Module({})
export class QueueModule {
  static forRoot(role: QueueRole = 'server'): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      providers: [
        { provide: JOB_QUEUE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createJobQueue(config) },
        { provide: QUEUE_ROLE, useValue: role },
        JobQueueCloser,
      ],
      exports: [JOB_QUEUE, QUEUE_ROLE],
    };
  }
}
