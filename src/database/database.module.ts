import { type DynamicModule, Global, Module, type ModuleMetadata, type Provider } from '@nestjs/common';
import { DATABASE_OPTIONS, type DatabaseOptions } from './database-options';
import { PrismaService } from './prisma.service';

export interface DatabaseModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: any[];
  useFactory: (...args: any[]) => DatabaseOptions | Promise<DatabaseOptions>;
}

/**
 * Global module exporting {@link PrismaService}.
 *
 * - `DatabaseModule.forRoot({ databaseUrl, dataDir })`
 * - `DatabaseModule.forRootAsync({ imports: [ConfigModule], inject: [AppConfig], useFactory: (c) => c.database })`
 * - plain `DatabaseModule` when another global module already provides `DATABASE_OPTIONS`.
 *
 * Migrations are not applied automatically: call `applyPendingMigrations(prisma)` at start-up
 * where wanted (embedded mode) or run `npm run db:migrate`.
 */
@Global()
@Module({
  providers: [PrismaService],
  exports: [PrismaService],
})
export class DatabaseModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return DatabaseModule.withOptionsProvider({ provide: DATABASE_OPTIONS, useValue: options });
  }

  static forRootAsync(options: DatabaseModuleAsyncOptions): DynamicModule {
    return {
      ...DatabaseModule.withOptionsProvider({
        provide: DATABASE_OPTIONS,
        inject: options.inject ?? [],
        useFactory: options.useFactory,
      }),
      imports: options.imports ?? [],
    };
  }

  private static withOptionsProvider(optionsProvider: Provider): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [optionsProvider, PrismaService],
      exports: [DATABASE_OPTIONS, PrismaService],
    };
  }
}
