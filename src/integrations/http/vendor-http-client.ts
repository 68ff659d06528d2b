import { BrokenCircuitError, CircuitBreakerPolicy, circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen } from 'cockatiel';
import type { Logger } from 'pino';
import type { MetricsService } from '../../observability/metrics';
import { TransportError, type TransportResponse, transportSend } from './node-transport';
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
  /** Vendor hint: the budget headers of a successful answer say it is spent; hold the account's next request this long. */
  budgetDelayMs?: (res: VendorResponse) => number | undefined;
}


function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function buildUrl(base: string, path: string, query?: VendorRequest['query']): URL {
  const url = new URL(base.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`));
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, String(item));
    else url.searchParams.set(k, String(v));
  }
  return url;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class VendorHttpClient {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  /**
   * Per linked account: until when the vendor asked us (429 + Retry-After or its own hint) to stop.
   * Every caller of the account (adapters, pass-through, sync) shares it, so one caller's 429 is
   * honoured by all instead of each spending more of the vendor's budget.
   */
  private readonly cooldowns = new Map<string, number>();
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

  /** Waits out a short cooldown of the account; a long one fails fast as rate_limited. */
  private async honourCooldown(params: ConnectionParams): Promise<void> {
    const until = this.cooldowns.get(params.linkedAccountId);
    if (until === undefined) return;
    const remaining = until - Date.now();
    if (remaining <= 0) {
      this.cooldowns.delete(params.linkedAccountId);
      return;
    }
    if (remaining > this.options.maxRetryAfterMs) {
      throw new VendorError(params.vendor, 429, 'RATE_LIMITED', `${params.vendor} asked to pause requests of this account`, 'rate_limited', [], Math.ceil(remaining / 1000));
    }
    await sleep(remaining);
  }

  private noteRateLimit(params: ConnectionParams, res: VendorResponse, hintedMs: number | undefined): void {
    if (res.status !== 429) return;
    this.notePause(params, hintedMs);
  }

  private notePause(params: ConnectionParams, pauseMs: number | undefined): void {
    if (pauseMs === undefined || pauseMs <= 0) return;
    const until = Date.now() + pauseMs;
    if ((this.cooldowns.get(params.linkedAccountId) ?? 0) < until) this.cooldowns.set(params.linkedAccountId, until);
    if (this.cooldowns.size > 10_000) this.cooldowns.delete(this.cooldowns.keys().next().value as string);
  }

  private async withRetries<T>(params: ConnectionParams, req: VendorRequest): Promise<VendorResponse<T>> {
    const idempotent = req.idempotent ?? (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || req.method === 'PUT' || req.method === 'DELETE');
    let backoff = new ExponentialBackoff({ initialDelay: this.options.initialBackoffMs, maxDelay: this.options.maxBackoffMs }).next();
    let token = await params.tokens.getAccessToken();
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      let response: VendorResponse<T>;
      await this.honourCooldown(params);
      try {
        response = await this.send<T>(params, req, token);
      } catch (err) {
        const vendorErr = err as VendorError;
        // A network error or timeout may have reached the vendor: only idempotent requests are retried.
        if (!idempotent || attempt >= this.options.maxAttempts) throw vendorErr;
        // An oversized answer stays oversized; a caller with its own deadline wants the timeout now.
        if (vendorErr.vendorCode === 'RESPONSE_TOO_LARGE' || (vendorErr.kind === 'timeout' && req.retryTimeouts === false)) throw vendorErr;
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
      // Stay under the vendor's budget: when its headers say the window is spent, the account's
      // next request waits for it instead of spending a 429.
      if (response.status < 400) this.notePause(params, params.budgetDelayMs?.(response));
      const retryable = response.status === 429 || (response.status >= 500 && response.status !== 501);
      // A 429 was not processed, so even a create may be retried; a 5xx only when idempotent.
      if (!retryable || attempt >= this.options.maxAttempts || (!idempotent && response.status !== 429)) return response;
      const hinted = parseRetryAfter(response.headers['retry-after']) ?? params.retryDelayMs?.(response);
      this.noteRateLimit(params, response, hinted);
      if (hinted !== undefined && hinted > this.options.maxRetryAfterMs) return response;
      const jittered = hinted !== undefined ? hinted + Math.random() * 100 : backoff.duration;
      await sleep(jittered);
      backoff = backoff.next(undefined);
    }
  }

  private async send<T>(params: ConnectionParams, req: VendorRequest, token: string): Promise<VendorResponse<T>> {
    const url = buildUrl(params.apiBaseUrl, req.path, req.query);
    // Lower-cased so a caller's "Accept" replaces the default and no spelling of Authorization survives beside ours.
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;
    headers.authorization = params.auth.authorizationHeader(token);
    let body: string | Uint8Array | undefined;
    if (req.body !== undefined) {
      body = typeof req.body === 'string' || req.body instanceof Uint8Array ? req.body : JSON.stringify(req.body);
      if (headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    }
    // fetch asked for compressed answers and decoded them; the transport does the same.
    if (headers['accept-encoding'] === undefined) headers['accept-encoding'] = 'gzip, deflate, br';
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs;
    const started = performance.now();
    let res: TransportResponse;
    try {
      res = await transportSend({ method: req.method, url, headers, body, timeoutMs, followRedirects: req.followRedirects !== false, maxResponseBytes: req.maxResponseBytes });
    } catch (err) {
      const failure = err instanceof TransportError ? err : new TransportError('network', 'request', (err as Error).message);
      // Kind 'other': an oversized answer says nothing about the vendor's health (the breaker ignores it).
      if (failure.kind === 'too_large') throw new VendorError(params.vendor, 0, 'RESPONSE_TOO_LARGE', `the answer is larger than ${req.maxResponseBytes} bytes`, 'other');
      const timedOut = failure.kind === 'timeout';
      this.metrics?.vendorRequests.inc({ vendor: params.vendor, status: timedOut ? 'timeout' : 'network_error' });
      this.logger?.warn({ vendor: params.vendor, method: req.method, path: req.path, error: failure.message }, 'vendor request failed');
      if (failure.phase === 'request') {
        throw timedOut
          ? new VendorError(params.vendor, 0, 'TIMEOUT', `${params.vendor} did not answer within ${timeoutMs} ms`, 'timeout')
          : new VendorError(params.vendor, 0, 'NETWORK_ERROR', `could not reach ${params.vendor}: ${failure.message}`, 'unavailable');
      }
      throw timedOut
        ? new VendorError(params.vendor, 0, 'TIMEOUT', `${params.vendor} did not finish its answer within ${timeoutMs} ms`, 'timeout')
        : new VendorError(params.vendor, 0, 'NETWORK_ERROR', `${params.vendor} answer broke off: ${failure.message}`, 'unavailable');
    }
    const raw = res.body;
    const text = raw.byteLength ? utf8.decode(raw) : '';
    const seconds = (performance.now() - started) / 1000;
    this.metrics?.vendorRequests.inc({ vendor: params.vendor, status: String(res.status) });
    this.metrics?.vendorDuration.observe({ vendor: params.vendor }, seconds);
    this.logger?.debug({ vendor: params.vendor, method: req.method, path: req.path, status: res.status, ms: Math.round(seconds * 1000) }, 'vendor request');
    let parsed: unknown = text;
    if (text && (res.headers['content-type'] ?? '').includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    } else if (!text) {
      parsed = null;
    }
    return { status: res.status, headers: res.headers, body: parsed as T, ...(req.keepBytes ? { bytes: raw } : {}) };
  }
}

const utf8 = new TextDecoder();

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
