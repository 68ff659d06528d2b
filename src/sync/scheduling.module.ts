import { Global, Module } from '@nestjs/common';
import { SYNC_TRIGGER } from './contract';
import { SyncScheduler } from './scheduler';
import { SyncModule } from './sync.module';

/**
 * Sync scheduling: the SyncTrigger every producer injects (linking, vendor webhooks, resync route)
 * and, in processes that run jobs, the 'sync' queue consumer and the periodic tick. Global so
 * feature modules inject SYNC_TRIGGER without importing the engine.
 */
@Global()
@Module({
  imports: [SyncModule],
  providers: [SyncScheduler, { provide: SYNC_TRIGGER, useExisting: SyncScheduler }],
  exports: [SyncScheduler, SYNC_TRIGGER],
})
export class SchedulingModule {}
