import type { ExecutionContext } from '@nestjs/common';

/** The underlying HTTP request of an HTTP or GraphQL execution context. */
export function requestFromContext(ctx: ExecutionContext): any {
  if (ctx.getType<string>() === 'graphql') {
    const gql = ctx.getArgByIndex(2);
    return gql?.req ?? gql?.request;
  }
  return ctx.switchToHttp().getRequest();
}
