import { Module } from '@nestjs/common';
import { IdentitiesService } from '../crm/identities.service';
import { SYNC_RUNNER } from './contract';
import { StoreWriter } from './store-writer';
import { SyncEngine } from './sync.engine';

/**
 * The stored-sync engine and the store writer. It provides its own IdentitiesService instance
 * (mappings are immutable, so a second cache is harmless) so that CrmModule can import this module
 * for read-your-writes without an import cycle.
 */
@Module({
  providers: [IdentitiesService, StoreWriter, SyncEngine, { provide: SYNC_RUNNER, useExisting: SyncEngine }],
  exports: [StoreWriter, SyncEngine, SYNC_RUNNER],
})
export class SyncModule {}
