import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { gzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ApiError } from '../errors/api-error';
import { createLogger } from '../observability/logger';
import { type VendorRequest, type VendorResponse, VendorError } from '../integrations/contract';
import { adapterFor } from '../integrations/registry';
import { VendorConnections } from '../linked-accounts/connections';
import type { LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import { buildRequestBody, type MultipartField, type RequestFormat } from './request-body';
import { resolveOnBase, validateBaseUrlOverride, validatePassthroughHeaders, validatePassthroughPath } from './url-guard';

export const PASSTHROUGH_METHODS = ['GET', 'OPTIONS', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type PassthroughMethod = (typeof PASSTHROUGH_METHODS)[number];

/** Merge's DataPassthroughRequest, as received (validated here, not by decorators: the 400s must name the field). */
export interface PassthroughInput {
  method: string;
  path: string;
  base_url_override?: string | null;
  data?: unknown;
  multipart_form_data?: MultipartField[] | null;
  headers?: Record<string, unknown> | null;
  request_format?: RequestFormat | null;
  normalize_response?: boolean | null;
}

/** Merge's RemoteResponse. */
export interface RemoteResponseBody {
  method: string;
  path: string;
  status: number;
  response: unknown;
  response_headers: Record<string, string>;
  response_type: 'JSON' | 'BASE64_GZIP';
  headers: Record<string, string>;
}

/** A validated request, ready to send (also what async pass-through stores). */
export interface PreparedPassthrough {
  method: PassthroughMethod;
  path: string;
  pathname: string;
  search: string;
  baseUrl: string;
  headers: Record<string, string>;
  /** Body as base64 (bytes survive JSON storage) and its content type. */
  bodyBase64?: string;
  normalizeResponse: boolean;
}

/** Vendor answer headers never handed back: session cookies belong to our credentials. */
const HIDDEN_RESPONSE_HEADERS = new Set(['set-cookie', 'set-cookie2']);

/** Content types returned as text; anything else is binary and comes back gzipped in base64 (response_type BASE64_GZIP). */
const TEXTUAL = /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded|csv|yaml)\b)/i;

/**
 * Pass-through: one request to the linked account's vendor, on its authenticated channel (same
 * token refresh, circuit breaker and rate-limit cooldown as the adapters), confined to the
 * vendor's API host, with the answer bounded in size and time.
 */
@Injectable()
export class PassthroughService {
  private fallbackLogger?: Logger;

  constructor(
    private readonly connections: VendorConnections,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Validates everything (400 naming the field) before any outbound request. */
  prepare(account: LinkedAccountRecord, input: PassthroughInput): PreparedPassthrough {
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw ApiError.invalidField('/body', 'must be a JSON object');
    const method = typeof input.method === 'string' ? input.method.toUpperCase() : input.method;
    if (!PASSTHROUGH_METHODS.includes(method as PassthroughMethod)) {
      throw ApiError.invalidField('/body/method', `must be one of ${PASSTHROUGH_METHODS.join(', ')}`);
    }
    if (input.request_format != null && !['JSON', 'XML', 'MULTIPART'].includes(input.request_format)) {
      throw ApiError.invalidField('/body/request_format', 'must be JSON, XML or MULTIPART');
    }
    if (input.normalize_response != null && typeof input.normalize_response !== 'boolean') throw ApiError.invalidField('/body/normalize_response', 'must be a boolean');
    if (input.multipart_form_data != null && !Array.isArray(input.multipart_form_data)) throw ApiError.invalidField('/body/multipart_form_data', 'must be an array');
    const path = validatePassthroughPath(input.path);
    const headers = validatePassthroughHeaders(input.headers);
    const adapter = adapterFor(account.integration);
    let baseUrl = account.apiBaseUrl;
    if (input.base_url_override != null) {
      baseUrl = validateBaseUrlOverride(input.base_url_override, {
        accountBase: account.apiBaseUrl,
        isSandbox: account.isSandbox,
        isOwnApiHost: adapter?.auth.isOwnApiHost?.bind(adapter.auth),
      });
    }
    // Proves the final URL is on the base: the path checks above make this hold; this keeps it so.
    resolveOnBase(baseUrl, path);
    const built = buildRequestBody({ method: method as string, data: input.data, request_format: input.request_format, multipart_form_data: input.multipart_form_data }, this.config.bodyLimitBytes * 4);
    if (built.contentType && (built.forceContentType || headers['content-type'] === undefined)) headers['content-type'] = built.contentType;
    return {
      method: method as PassthroughMethod,
      path: input.path,
      pathname: path.pathname,
      search: path.search,
      baseUrl,
      headers,
      bodyBase64: built.body === undefined ? undefined : Buffer.from(built.body).toString('base64'),
      normalizeResponse: input.normalize_response === true,
    };
  }

  /** Sends a prepared request and answers Merge's RemoteResponse, or an ApiError (408, 413, 429, 502). */
  async send(account: LinkedAccountRecord, prepared: PreparedPassthrough, options: { timeoutMs?: number; logger?: Logger } = {}): Promise<RemoteResponseBody> {
    const timeoutMs = options.timeoutMs ?? this.config.passthrough.timeoutMs;
    const conn = this.connections.forAccount({ ...account, apiBaseUrl: prepared.baseUrl });
    const request: VendorRequest = {
      method: prepared.method,
      path: prepared.pathname + prepared.search,
      headers: prepared.headers,
      body: prepared.bodyBase64 === undefined ? undefined : Buffer.from(prepared.bodyBase64, 'base64'),
      // The caller decides what is safe to repeat: only the vendor's "not processed" 429 is retried, never a timeout.
      idempotent: false,
      retryTimeouts: false,
      timeoutMs,
      maxResponseBytes: this.config.passthrough.maxResponseBytes,
      keepBytes: true,
      followRedirects: false,
    };
    const started = performance.now();
    const logger = options.logger ?? this.logger();
    const logFields = { linked_account_id: account.id, vendor: account.integration, method: prepared.method, path: loggablePath(prepared.pathname, prepared.search) };
    let res: VendorResponse;
    try {
      res = await conn.request(request);
    } catch (err) {
      const mapped = this.mapError(err, timeoutMs);
      logger.warn({ ...logFields, outcome: mapped instanceof ApiError ? mapped.code : 'ERROR', ms: Math.round(performance.now() - started) }, 'passthrough failed');
      throw mapped;
    }
    const size = res.bytes?.byteLength ?? 0;
    logger.info({ ...logFields, status: res.status, bytes: size, ms: Math.round(performance.now() - started) }, 'passthrough');
    return this.render(prepared, res);
  }

  private render(prepared: PreparedPassthrough, res: VendorResponse): RemoteResponseBody {
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) if (!HIDDEN_RESPONSE_HEADERS.has(name)) responseHeaders[name] = value;
    const contentType = res.headers['content-type'] ?? '';
    let response: unknown = res.body;
    let responseType: RemoteResponseBody['response_type'] = 'JSON';
    const bytes = res.bytes ?? new Uint8Array(0);
    if (prepared.method === 'HEAD' || bytes.byteLength === 0) {
      response = null;
    } else if (contentType && !TEXTUAL.test(contentType)) {
      response = gzipSync(bytes).toString('base64');
      responseType = 'BASE64_GZIP';
    }
    if (prepared.normalizeResponse && responseType === 'JSON') response = { type: typeName(response), value: response };
    return {
      method: prepared.method,
      path: prepared.path,
      status: res.status,
      response,
      response_headers: responseHeaders,
      response_type: responseType,
      // The request headers as sent, our credentials masked (Merge shows the same).
      headers: { ...prepared.headers, authorization: '<redacted>' },
    };
  }

  private mapError(err: unknown, timeoutMs: number): unknown {
    if (!(err instanceof VendorError)) return err;
    const vendorItem = { source: { pointer: '/vendor' }, detail: `${err.vendor}: ${err.vendorCode}: ${err.vendorMessage}` };
    if (err.kind === 'timeout') {
      return new ApiError(408, 'PASSTHROUGH_TIMEOUT', `${err.vendor} did not answer within ${Math.round(timeoutMs / 1000)} s. Slow requests can use POST /async-passthrough.`, [vendorItem]);
    }
    if (err.vendorCode === 'RESPONSE_TOO_LARGE') {
      return new ApiError(413, 'RESPONSE_TOO_LARGE', `${err.vendor}'s answer is larger than ${this.config.passthrough.maxResponseBytes} bytes, the pass-through limit.`, [vendorItem]);
    }
    if (err.kind === 'rate_limited') {
      return new ApiError(429, 'VENDOR_RATE_LIMITED', `${err.vendor} asked to pause requests of this linked account; retry later.`, [vendorItem], {
        'retry-after': String(Math.max(1, Math.ceil(err.retryAfterSeconds ?? 10))),
      });
    }
    if (err.kind === 'auth') {
      return new ApiError(502, 'VENDOR_AUTH_FAILED', `${err.vendor} rejected this linked account's credentials; the account may need to be linked again.`, [vendorItem]);
    }
    return new ApiError(502, 'VENDOR_UNAVAILABLE', `${err.vendor} could not be reached: ${err.vendorMessage}`, [vendorItem]);
  }

  private logger(): Logger {
    const log = (this.adapterHost.httpAdapter?.getInstance?.() as { log?: Logger } | undefined)?.log;
    if (log) return log;
    // Worker processes have no HTTP server: log to the same JSON stream directly (same redaction).
    this.fallbackLogger ??= createLogger(this.config.logLevel);
    return this.fallbackLogger;
  }
}

/** The path with query parameter names only: values can carry ids, e-mails or tokens. */
export function loggablePath(pathname: string, search: string): string {
  if (!search) return pathname;
  const names = [...new URLSearchParams(search.slice(1)).keys()];
  return `${pathname}?${[...new Set(names)].map((n) => `${n}=…`).join('&')}`;
}

function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? typeof value : 'object';
}
