import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ApiError } from '../errors/api-error';
import { requestFromContext } from '../http/request-context';
import { ApiKeysService } from './api-keys.service';
import { IS_PUBLIC } from './auth-context';

/** Global guard: every route needs an API key unless marked @Public(). */
@Injectable()
export class ApiKeyGuard extends AuthGuard('api-key') {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    // Hot path: a key the passport strategy verified seconds ago skips passport's per-request set-up.
    const request = this.getRequest(context);
    const header = request?.headers?.authorization;
    if (typeof header === 'string' && header.startsWith('Bearer ')) {
      const known = this.keys.peekVerified(header.slice(7).trim());
      if (known) {
        request.user = known;
        return true;
      }
    }
    return super.canActivate(context);
  }

  override getRequest(context: ExecutionContext) {
    return requestFromContext(context);
  }

  override handleRequest<TUser>(err: unknown, user: TUser | false): TUser {
    if (err instanceof ApiError) throw err;
    if (err || !user) throw ApiError.unauthorized();
    return user;
  }
}
