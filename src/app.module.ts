import { type CanActivate, type DynamicModule, Module, type Type } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { CrmModule } from './crm/crm.module';
import { CryptoModule } from './crypto/crypto.module';
import { LinkedAccountsModule } from './linked-accounts/linked-accounts.module';
import { ScheduleModule } from '@nestjs/schedule';
import { EventsModule } from './events/event-bus';
import { GraphqlModule } from './graphql/graphql.module';
import { LinkingModule } from './linking/linking.module';
import { DatabaseModule } from './database/database.module';
import { PrismaService } from './database/prisma.service';
import { HealthModule } from './health/health.module';
import { ObservabilityModule } from './observability/observability.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { PassthroughModule } from './passthrough/passthrough.module';
import { QueueModule, type QueueRole } from './queue/queue.module';
import { SchedulingModule } from './sync/scheduling.module';
import { SandboxModule } from './sandbox/sandbox.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { SyncModule } from './sync/sync.module';

export interface AppOverrides {
  /** Use this database client instead of opening one from the config (tests). */
  database?: PrismaService;
  /** Replace the API-key guard (benchmarks only: measures the cost of authentication). */
  guard?: Type<CanActivate>;
  /** 'worker' for `npm run worker` (always runs jobs); default 'server'. */
  role?: QueueRole;
}

/** The whole server, built from one validated configuration. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, overrides: AppOverrides = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        overrides.database
          ? { module: DatabaseModule, global: true, providers: [{ provide: PrismaService, useValue: overrides.database }], exports: [PrismaService] }
          : DatabaseModule.forRoot({ databaseUrl: config.database.url, dataDir: config.database.dataDir, preparedStatements: config.database.preparedStatements }),
        ObservabilityModule,
        QueueModule.forRoot(overrides.role),
        AuthModule.forRoot(overrides.guard),
        HealthModule,
        OrganizationsModule,
        CryptoModule,
        LinkedAccountsModule,
        ScheduleModule.forRoot(),
        EventsModule,
        LinkingModule,
        SandboxModule.forRoot(config),
        CrmModule,
        WebhooksModule,
        GraphqlModule,
        PassthroughModule,
        SyncModule,
        SchedulingModule,
      ],
    };
  }
}
