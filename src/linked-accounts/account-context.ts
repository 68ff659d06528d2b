import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context';
import { ApiError } from '../errors/api-error';
import { requestFromContext } from '../http/request-context';
import { type LinkedAccountRecord, LinkedAccountsService } from './linked-accounts.service';

export const ACCOUNT_TOKEN_HEADER = 'x-account-token';

/**
 * Account-scoped routes: `X-Account-Token` selects one linked account of the calling
 * organization. Missing: 400; unknown or another organization's: 404.
 */
@Injectable()
export class LinkedAccountGuard implements CanActivate {
  constructor(private readonly accounts: LinkedAccountsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = requestFromContext(context);
    const auth = req.user as AuthContext | undefined;
    if (!auth) throw ApiError.unauthorized();
    const header = req.headers?.[ACCOUNT_TOKEN_HEADER];
    const token = Array.isArray(header) ? header[0] : header;
    if (!token || typeof token !== 'string') {
      throw new ApiError(400, 'MISSING_ACCOUNT_TOKEN', 'This route needs the X-Account-Token header of a linked account.', [
        { source: { pointer: '/headers/x-account-token' }, detail: 'required' },
      ]);
    }
    req.linkedAccount = await this.accounts.resolveAccountToken(auth.organizationId, token.trim());
    return true;
  }
}

/** The linked account selected by X-Account-Token (use with LinkedAccountGuard). */
export const CurrentLinkedAccount = createParamDecorator((_data: unknown, ctx: ExecutionContext): LinkedAccountRecord => requestFromContext(ctx).linkedAccount);
