import { HttpException } from '@nestjs/common';
import { ApiError, type ErrorBody } from './api-error';

export interface RenderedError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** True when the error is ours to fix (5xx, unexpected): log it. */
  unexpected: boolean;
}

const STATUS_CODES: Record<number, string> = {
  400: 'INVALID_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'RATE_LIMITED',
  502: 'VENDOR_ERROR',
  503: 'UNAVAILABLE',
  504: 'VENDOR_TIMEOUT',
};

/** Fastify's own errors (body parsing, limits) mapped to our codes and plain words. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', detail: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', detail: 'The request body is empty but Content-Type is application/json.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', detail: 'The request body is larger than this server accepts.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'Unsupported Content-Type; send application/json.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'INVALID_REQUEST', detail: 'Content-Length does not match the body.' },
  FST_ERR_CTP_INVALID_TYPE: { status: 400, code: 'INVALID_REQUEST', detail: 'Invalid Content-Type header.' },
};

/** Turns anything thrown into our error shape. Never leaks messages of unexpected errors. */
export function renderError(err: unknown, requestId?: string): RenderedError {
  if (err instanceof ApiError) {
    return { status: err.status, body: err.toBody(requestId), headers: err.headers, unexpected: err.status >= 500 };
  }
  // Nest wraps Fastify's 4xx errors (body parsing, limits) in an HttpException with the cause.
  const code = (err as { code?: unknown })?.code ?? ((err as { cause?: { code?: unknown } })?.cause?.code as unknown);
  if (typeof code === 'string' && FASTIFY_ERRORS[code]) {
    const f = FASTIFY_ERRORS[code];
    return { status: f.status, body: { detail: f.detail, code: f.code, errors: [{ source: { pointer: '/body' }, detail: f.detail }], request_id: requestId }, headers: {}, unexpected: false };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status < 500) {
      const response = err.getResponse();
      let detail = typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? err.message);
      if (Array.isArray(detail)) detail = detail.join('; ');
      if (status === 404 && /^Cannot [A-Z]+ /.test(String(detail))) detail = `No route: ${String(detail).replace(/^Cannot /, '')}`;
      return {
        status,
        body: { detail: String(detail), code: STATUS_CODES[status] ?? 'ERROR', errors: [], request_id: requestId },
        headers: {},
        unexpected: false,
      };
    }
  }
  // Fastify client errors that carry a 4xx statusCode (e.g. from plugins) are safe to describe.
  const statusCode = (err as { statusCode?: unknown })?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return {
      status: statusCode,
      body: { detail: STATUS_CODES[statusCode] ? humanize(STATUS_CODES[statusCode]) : 'Bad request.', code: STATUS_CODES[statusCode] ?? 'INVALID_REQUEST', errors: [], request_id: requestId },
      headers: {},
      unexpected: false,
    };
  }
  return {
    status: 500,
    body: {
      detail: `Internal error. Quote request id ${requestId ?? '(none)'} when reporting it.`,
      code: 'INTERNAL_ERROR',
      errors: [],
      request_id: requestId,
    },
    headers: {},
    unexpected: true,
  };
}

function humanize(code: string): string {
  const s = code.toLowerCase().replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1) + '.';
}

/** What may be logged about an unexpected error: its kind and first message line, cut short. */
export function describeForLog(err: unknown): { type: string; code?: string; message: string } {
  const e = err as { name?: string; code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0].slice(0, 200) : String(err).slice(0, 200);
  return { type: e?.name ?? typeof err, code: typeof e?.code === 'string' ? e.code : undefined, message };
}
