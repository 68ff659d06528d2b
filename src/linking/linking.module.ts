import { createHmac } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { resolveEncryptionKey } from '../crypto/encryption-key';
import { KeysetCursor } from './cursor';
import { LinkPagesController } from './link-pages.controller';
import { LinkService } from './link.service';
import { LinkedAccountsController } from './linked-accounts.controller';
import { LINKING_CURSORS } from './tokens';

/** Hosted Link (link tokens, OAuth, public tokens) and the linked-account routes. */
@Module({
  controllers: [LinkedAccountsController, LinkPagesController],
  providers: [
    LinkService,
    {
      provide: LINKING_CURSORS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new KeysetCursor(createHmac('sha256', resolveEncryptionKey(config).key).update('switchboard:list-cursors').digest()),
    },
  ],
  exports: [LinkService],
})
export class LinkingModule {}
