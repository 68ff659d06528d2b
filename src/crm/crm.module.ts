import { createHmac } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { resolveEncryptionKey } from '../crypto/encryption-key';
import { CURSOR_CODEC, CursorCodec } from '../http/cursor';
import { MODEL_NAMES, MODELS } from '../models/spec';
import { IdentitiesService } from './identities.service';
import { CrmMetaService } from './meta.service';
import { createModelController } from './model.controller';
import { CrmReadService } from './read.service';
import { CrmWriteService } from './write.service';
import { SyncModule } from '../sync/sync.module';
import { StoredReadService } from './stored-read.service';
import { SyncStatusController } from './sync-status.controller';
import { SyncStatusService } from './sync-status.service';

/** The Merge-compatible CRM API: one generated controller per common model. */
@Module({
  // SyncModule: the StoreWriter for read-your-writes.
  imports: [SyncModule],
  controllers: [...MODEL_NAMES.map((name) => createModelController(MODELS[name])), SyncStatusController],
  providers: [
    IdentitiesService,
    CrmReadService,
    CrmWriteService,
    CrmMetaService,
    StoredReadService,
    SyncStatusService,
    {
      provide: CURSOR_CODEC,
      inject: [APP_CONFIG],
      // A key of its own, derived from the encryption key: cursors survive restarts, not key changes.
      useFactory: (config: AppConfig) => new CursorCodec(createHmac('sha256', resolveEncryptionKey(config).key).update('switchboard:cursor-signing').digest()),
    },
  ],
  exports: [IdentitiesService, CrmReadService, CrmWriteService, CrmMetaService, StoredReadService, SyncStatusService, CURSOR_CODEC],
})
export class CrmModule {}
