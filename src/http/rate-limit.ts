import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sha256Hex } from '../crypto/secrets';
import { ApiError } from '../errors/api-error';

/**
 * Inbound rate limit per API key (per client address when no key is sent), on the CRM API only.
 * Answers 429 in our error shape with Retry-After and RateLimit-* headers.
 */
export async function registerRateLimit(fastify: FastifyInstance, options: { max: number; windowMs: number }): Promise<void> {
  if (options.max <= 0) return;
  await fastify.register(rateLimit, {
    global: true,
    max: options.max,
    timeWindow: options.windowMs,
    enableDraftSpec: true,
    allowList: (request: FastifyRequest) => !isApiPath(request.url),
    keyGenerator: (request: FastifyRequest) => {
      const auth = request.headers.authorization;
      // Hash so that no key is kept in the limiter's memory.
      return typeof auth === 'string' && auth.length > 7 ? `k:${sha256Hex(auth).slice(0, 32)}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      const error = new ApiError(429, 'RATE_LIMITED', `Rate limit of ${context.max} requests per ${Math.round(options.windowMs / 1000)} s exceeded; retry in ${seconds} s.`, [], {
        'retry-after': String(seconds),
      });
      return Object.assign(error, { statusCode: 429 });
    },
  });
}

function isApiPath(url: string): boolean {
  return url.startsWith('/api/') || url.startsWith('/crm/') || url.startsWith('/graphql');
}
