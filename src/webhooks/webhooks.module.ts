import { createHmac } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { resolveEncryptionKey } from '../crypto/encryption-key';
import { KeysetCursor } from '../linking/cursor';
import { WebhookDeliveriesService } from './deliveries.service';
import { IncomingVendorController, IncomingWebhooksController } from './incoming/incoming.controller';
import { IncomingWebhooksService } from './incoming/incoming.service';
import { IncomingRawBody } from './incoming/raw-body';
import { WEBHOOK_CURSORS } from './tokens';
import { WebhooksController } from './webhooks.controller';
import { WebhookSettingsService } from './webhook-settings.service';

/** Webhooks both ways: to the organization (events, signatures, retries, log, replay) and from vendors. */
@Module({
  controllers: [WebhooksController, IncomingVendorController, IncomingWebhooksController],
  providers: [
    WebhookSettingsService,
    WebhookDeliveriesService,
    IncomingWebhooksService,
    IncomingRawBody,
    {
      provide: WEBHOOK_CURSORS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new KeysetCursor(createHmac('sha256', resolveEncryptionKey(config).key).update('switchboard:webhook-cursors').digest()),
    },
  ],
  exports: [WebhookDeliveriesService, IncomingWebhooksService],
})
export class WebhooksModule {}
