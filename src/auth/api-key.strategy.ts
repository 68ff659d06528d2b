import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import { ApiKeysService } from './api-keys.service';
import type { AuthContext } from './auth-context';

/**
 * `Authorization: Bearer <API key>` identifies the organization. Note: passport keeps strategies
 * in a process-wide registry by name, so with several Nest apps in one process (benchmarks) the
 * last one created serves all of them.
 */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, 'api-key') {
  constructor(private readonly keys: ApiKeysService) {
    super();
  }

  async validate(token: string): Promise<AuthContext | false> {
    return (await this.keys.verify(token)) ?? false;
  }
}
