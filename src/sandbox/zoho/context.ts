import type { FastifyRequest } from 'fastify';
import type { TokenGrant } from '../common/oauth-tokens';
import type { ZohoRuntime } from './runtime';
import type { Tenant } from './tenant';

/** Per-request state set by the API auth hook. */
export interface ApiContext {
  tenant: Tenant;
  grant: TokenGrant;
  /** Index of the acting user (the token's user: user 0, the org's admin). */
  user: number;
}

const CONTEXTS = new WeakMap<FastifyRequest, ApiContext>();

export function setContext(request: FastifyRequest, ctx: ApiContext): void {
  CONTEXTS.set(request, ctx);
}

export function ctxOf(request: FastifyRequest): ApiContext {
  const c = CONTEXTS.get(request);
  if (!c) throw new Error('no API context');
  return c;
}

export function baseUrlOf(request: FastifyRequest, prefix: string): string {
  return `${request.protocol}://${request.headers.host ?? '127.0.0.1'}${prefix}`;
}

export interface RouteDeps {
  runtime: ZohoRuntime;
  prefix(): string;
}
