import { type CanActivate, type DynamicModule, Global, Module, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyStrategy } from './api-key.strategy';
import { ApiKeysService } from './api-keys.service';

@Global()
@Module({})
export class AuthModule {
  /** `guard` replaces the API-key guard only in benchmarks that measure what auth costs. */
  static forRoot(guard: Type<CanActivate> = ApiKeyGuard): DynamicModule {
    return {
      module: AuthModule,
      imports: [PassportModule.register({ session: false })],
      providers: [ApiKeysService, ApiKeyStrategy, { provide: APP_GUARD, useClass: guard }],
      exports: [ApiKeysService],
    };
  }
}
