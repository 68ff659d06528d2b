import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { requestFromContext } from '../http/request-context';

/** Who is calling: the organization (tenant) behind the API key. */
export interface AuthContext {
  organizationId: string;
  apiKeyId: string;
}

export const IS_PUBLIC = 'switchboard:public';
/** Marks a route that needs no API key (health, docs, hosted pages, OAuth callbacks). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The authenticated organization of the current request. */
export const CurrentAuth = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthContext => requestFromContext(ctx)?.user as AuthContext);
