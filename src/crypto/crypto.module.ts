import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { resolveEncryptionKey } from './encryption-key';
import { TOKEN_VAULT, TokenVault } from './vault';

@Global()
@Module({
  providers: [
    {
      provide: TOKEN_VAULT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const current = resolveEncryptionKey(config);
        return new TokenVault({ key: current.key, keyId: current.keyId }, config.encryption.previousKeys);
      },
    },
  ],
  exports: [TOKEN_VAULT],
})
export class CryptoModule {}
