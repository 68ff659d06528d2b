import { BrokenCircuitError, CircuitBreakerPolicy, circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen } from 'cockatiel';
import type { Logger } from 'pino';
import type { MetricsService } from '../../observability/metrics';
import { type VendorAuthSettings, type VendorConnection, VendorError, type VendorRequest, type VendorResponse, type VendorSlug } from '../contract';

/**
 * The one HTTP client every adapter uses to reach a vendor: access-token injection with one
 * refresh on 401, a timeout, retries with exponential backoff and jitter on 429 and 5xx that
 * honour Retry-After (and the vendor's own rate-limit hints), no blind retry of non-idempotent
 * writes, and a circuit breaker per linked account. Failures become VendorError.
 */

export interface AccessTokenSource {
  /** A usable access token (the source refreshes ahead of expiry). */
  getAccessToken(): Promise<string>;
  /** Called once after a 401 with the token that failed: refresh and return the new one, or null when it cannot be refreshed (the 401 is then returned). */
  refreshAfterUnauthorized(failedToken: string): Promise<string | null>;
}

export interface VendorHttpOptions {
  timeoutMs: number;
  /** Attempts in all, first included. */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Longest Retry-After we wait for inside a request; longer ones surface as rate_limited. */
  maxRetryAfterMs: number;
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
}

export const DEFAULT_VENDOR_HTTP_OPTIONS: VendorHttpOptions = {
  timeoutMs: 30_000,
  maxAttempts: 4,
  initialBackoffMs: 200,
  maxBackoffMs: 8_000,
  maxRetryAfterMs: 30_000,
  breakerThreshold: 8,
  breakerHalfOpenAfterMs: 15_000,
};

export interface ConnectionParams {
  vendor: VendorSlug;
  linkedAccountId: string;
  apiBaseUrl: string;
  auth: Pick<VendorAuthSettings, 'authorizationHeader'>;
  tokens: AccessTokenSource;
  /** Vendor hint: how long to wait before retrying this answer (e.g. HubSpot's interval header). */
  retryDelayMs?: (res: VendorResponse) => number | undefined;
}


function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function buildUrl(base: string, path: string, query?: VendorRequest['query']): string {
  const url = new URL(base.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`));
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, String(item));
    else url.searchParams.set(k, String(v));
  }
  return url.toString();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class VendorHttpClient {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  readonly options: VendorHttpOptions;

  constructor(
    options: Partial<VendorHttpOptions> = {},
    private readonly metrics?: MetricsService,
    private readonly logger?: Logger,
  ) {
    this.options = { ...DEFAULT_VENDOR_HTTP_OPTIONS, ...options };
  }

  connection(params: ConnectionParams): VendorConnection {
    return {
      vendor: params.vendor,
      linkedAccountId: params.linkedAccountId,
      apiBaseUrl: params.apiBaseUrl,
      request: <T>(req: VendorRequest) => this.request<T>(params, req),
    };
  }

  private breakerFor(linkedAccountId: string): CircuitBreakerPolicy {
    let breaker = this.breakers.get(linkedAccountId);
    if (!breaker) {
      breaker = circuitBreaker(
        handleWhen((err) => err instanceof VendorError && (err.kind === 'unavailable' || err.kind === 'timeout')),
        { halfOpenAfter: this.options.breakerHalfOpenAfterMs, breaker: new ConsecutiveBreaker(this.options.breakerThreshold) },
      );
      if (this.breakers.size > 10_000) this.breakers.delete(this.breakers.keys().next().value as string);
      this.breakers.set(linkedAccountId, breaker);
    }
    return breaker;
  }

  async request<T>(params: ConnectionParams, req: VendorRequest): Promise<VendorResponse<T>> {
    try {
      return await this.breakerFor(params.linkedAccountId).execute(() => this.withRetries<T>(params, req));
    } catch (err) {
      if (err instanceof BrokenCircuitError) {
        throw new VendorError(params.vendor, 503, 'CIRCUIT_OPEN', `${params.vendor} kept failing for this account; calls are paused for a few seconds`, 'unavailable');
      }
      throw err;
    }
  }

  private async withRetries<T>(params: ConnectionParams, req: VendorRequest): Promise<VendorResponse<T>> {
    const idempotent = req.idempotent ?? (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || req.method === 'PUT' || req.method === 'DELETE');
    let backoff = new ExponentialBackoff({ initialDelay: this.options.initialBackoffMs, maxDelay: this.options.maxBackoffMs }).next();
    let token = await params.tokens.getAccessToken();
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      let response: VendorResponse<T>;
      try {
        response = await this.send<T>(params, req, token);
      } catch (err) {
        const vendorErr = err as VendorError;
        // A network error or timeout may have reached the vendor: only idempotent requests are retried.
        if (!idempotent || attempt >= this.options.maxAttempts) throw vendorErr;
        await sleep(backoff.duration);
        backoff = backoff.next(undefined);
        continue;
      }
      if (response.status === 401 && !refreshed) {
        refreshed = true;
        const fresh = await params.tokens.refreshAfterUnauthorized(token);
        if (fresh === null) return response;
        token = fresh;
        attempt--; // the refresh retry does not count as a failure attempt
        continue;
      }
      const retryable = response.status === 429 || (response.status >= 500 && response.status !== 501);
      // A 429 was not processed, so even a create may be retried; a 5xx only when idempotent.
      if (!retryable || attempt >= this.options.maxAttempts || (!idempotent && response.status !== 429)) return response;
      const hinted = parseRetryAfter(response.headers['retry-after']) ?? params.retryDelayMs?.(response);
      if (hinted !== undefined && hinted > this.options.maxRetryAfterMs) return response;
      const jittered = hinted !== undefined ? hinted + Math.random() * 100 : backoff.duration;
      await sleep(jittered);
      backoff = backoff.next(undefined);
    }
  }

  private async send<T>(params: ConnectionParams, req: VendorRequest, token: string): Promise<VendorResponse<T>> {
    const url = buildUrl(params.apiBaseUrl, req.path, req.query);
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers, authorization: params.auth.authorizationHeader(token) };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(url, { method: req.method, headers, body, signal: AbortSignal.timeout(req.timeoutMs ?? this.options.timeoutMs) });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      this.metrics?.vendorRequests.inc({ vendor: params.vendor, status: timedOut ? 'timeout' : 'network_error' });
      this.logger?.warn({ vendor: params.vendor, method: req.method, path: req.path, error: (err as Error).message }, 'vendor request failed');
      throw timedOut
        ? new VendorError(params.vendor, 0, 'TIMEOUT', `${params.vendor} did not answer within ${req.timeoutMs ?? this.options.timeoutMs} ms`, 'timeout')
        : new VendorError(params.vendor, 0, 'NETWORK_ERROR', `could not reach ${params.vendor}: ${(err as Error).message}`, 'unavailable');
    }
    const text = await res.text();
    const seconds = (performance.now() - started) / 1000;
    this.metrics?.vendorRequests.inc({ vendor: params.vendor, status: String(res.status) });
    this.metrics?.vendorDuration.observe({ vendor: params.vendor }, seconds);
    this.logger?.debug({ vendor: params.vendor, method: req.method, path: req.path, status: res.status, ms: Math.round(seconds * 1000) }, 'vendor request');
    let parsed: unknown = text;
    if (text && (res.headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    } else if (!text) {
      parsed = null;
    }
    const responseHeaders: Record<string, string> = {};
    res.headers.forEach((value, key) => {
      responseHeaders[key] = value;
    });
    return { status: res.status, headers: responseHeaders, body: parsed as T };
  }
}

/** A fixed token (tests and tools that already hold a fresh token). */
export function staticTokenSource(accessToken: string, refresh?: () => Promise<string>): AccessTokenSource {
  let current = accessToken;
  return {
    getAccessToken: async () => current,
    refreshAfterUnauthorized: async () => {
      if (!refresh) return null;
      current = await refresh();
      return current;
    },
  };
}
