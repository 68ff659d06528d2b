/**
 * The error shape of every non-write response (unified-api.md "Errors outside writes"):
 * {"detail": "...", "code": "MACHINE_CODE", "errors": [{"source": {"pointer": "/query/page_size"}, "detail": "..."}]}
 */

export interface ErrorItem {
  source?: { pointer: string };
  detail: string;
}

export interface ErrorBody {
  detail: string;
  code: string;
  errors: ErrorItem[];
  request_id?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: ErrorItem[] = [],
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ApiError';
  }

  toBody(requestId?: string): ErrorBody {
    return { detail: this.detail, code: this.code, errors: this.errors, ...(requestId ? { request_id: requestId } : {}) };
  }

  static badRequest(detail: string, errors: ErrorItem[] = [], code = 'INVALID_REQUEST'): ApiError {
    return new ApiError(400, code, detail, errors);
  }

  /** A 400 about one input field; `pointer` like "/query/page_size" or "/body/model/email". */
  static invalidField(pointer: string, detail: string): ApiError {
    return new ApiError(400, 'INVALID_PARAMETER', `${pointerName(pointer)}: ${detail}`, [{ source: { pointer }, detail }]);
  }

  static unauthorized(detail = 'Missing or invalid API key. Send it as "Authorization: Bearer <API key>".'): ApiError {
    return new ApiError(401, 'UNAUTHORIZED', detail, [], { 'www-authenticate': 'Bearer' });
  }

  static forbidden(detail: string): ApiError {
    return new ApiError(403, 'FORBIDDEN', detail);
  }

  static notFound(detail: string): ApiError {
    return new ApiError(404, 'NOT_FOUND', detail);
  }

  static conflict(detail: string, code = 'CONFLICT'): ApiError {
    return new ApiError(409, code, detail);
  }
}

function pointerName(pointer: string): string {
  const parts = pointer.split('/').filter(Boolean);
  return parts.length > 1 ? parts.slice(1).join('.') : (parts[0] ?? 'request');
}
