import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/**
 * JSON logs on stdout. Secrets never reach a log line: credentials in headers and bodies are
 * redacted by path, and secret-bearing query parameters are masked in logged URLs.
 */

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-account-token"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-account-token"]',
  '*.access_token',
  '*.refresh_token',
  '*.accessToken',
  '*.refreshToken',
  '*.account_token',
  '*.public_token',
  '*.client_secret',
  '*.clientSecret',
  '*.api_key',
  '*.apiKey',
  '*.key',
  '*.password',
  '*.token',
];

const SECRET_QUERY_PARAMS = /([?&](?:code|state|token|access_token|refresh_token|public_token|link_token|client_secret|api_key|key)=)[^&#]*/gi;

/** Path segments that are secrets: GET /account-token/{public_token} (not /account-token/regenerate). */
const SECRET_PATH_SEGMENTS = /(\/account-token\/)(?!regenerate(?:[?#/]|$))[^/?#]+/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, '$1[REDACTED]').replace(SECRET_PATH_SEGMENTS, '$1[REDACTED]');
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: {
        req: (req: { id?: unknown; method?: string; url?: string; routeOptions?: { url?: string } }) => ({
          id: req.id,
          method: req.method,
          url: req.url ? redactUrl(req.url) : undefined,
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
    destination,
  );
}

/** Routes Nest's own log calls (bootstrap, module init) into the same pino stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, _trace?: string, context?: string) {
    // The trace is deliberately not logged: no stack traces in log lines.
    this.logger.error({ context }, String(message).split('\n')[0]);
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
