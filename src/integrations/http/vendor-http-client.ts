import { BrokenCircuitError, CircuitBreakerPolicy, circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen } from 'cockatiel';
import type { Logger } from 'pino';
import type { MetricsService } from '../../observability/metrics';
import { TransportError, type TransportResponse, transportSend } from './node-transport';
import { type RateWindowHint, type VendorAuthSettings, type VendorConnection, VendorError, type VendorRequest, type VendorResponse, type VendorSlug } from '../contract';

/**
 * The one HTTP client every adapter uses to reach a vendor: access-token injection with one
 * refresh on 401, a timeout, retries with exponential backoff and jitter on 429 and 5xx that
 * honour Retry-After (and the vendor's own rate-limit hints), proactive pacing against the
 * vendor's rolling request windows (VendorAuthSettings.rateWindows), no blind retry of
 * non-idempotent writes, and a circuit breaker per linked account. Failures become VendorError.
 *
 * Two kinds of caller: interactive ones (live reads, writes, pass-through; the default) have
 * someone waiting, so a 429 is retried `maxAttempts` times at most and then returned (the API
 * answers 429 + Retry-After). Background ones (`ConnectionParams.background`: the stored sync)
 * have nobody waiting: an idempotent request that meets 429s without a long hint keeps backing
 * off, pausing the whole account, for up to `backgroundRateLimitPatienceMs` (see withRetries).
 * Every caller of the account, interactive ones too, waits out a pause shorter than
 * `maxRetryAfterMs` before sending; a longer one fails at once as rate_limited.
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
  /**
   * Background connections only: how long an idempotent request keeps retrying 429s that carry no
   * hint or one up to `maxRetryAfterMs`, counted from the first 429 (or account pause) it met. The
   * request never waits past it: when the next wait would, the 429 is returned as for any caller.
   */
  backgroundRateLimitPatienceMs: number;
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
}

export const DEFAULT_VENDOR_HTTP_OPTIONS: VendorHttpOptions = {
  timeoutMs: 30_000,
  maxAttempts: 4,
  initialBackoffMs: 200,
  maxBackoffMs: 8_000,
  maxRetryAfterMs: 30_000,
  backgroundRateLimitPatienceMs: 60_000,
  breakerThreshold: 8,
  breakerHalfOpenAfterMs: 15_000,
};

export interface ConnectionParams {
  vendor: VendorSlug;
  linkedAccountId: string;
  apiBaseUrl: string;
  /** `rateWindows`, when the vendor reports rolling windows, turns on proactive pacing of the account. */
  auth: Pick<VendorAuthSettings, 'authorizationHeader' | 'rateWindows'>;
  tokens: AccessTokenSource;
  /** Vendor hint: how long to wait before retrying this answer (e.g. HubSpot's interval header). */
  retryDelayMs?: (res: VendorResponse) => number | undefined;
  /** Vendor hint: the budget headers of a successful answer say it is spent; hold the account's next request this long. */
  budgetDelayMs?: (res: VendorResponse) => number | undefined;
  /**
   * Nobody is waiting for these calls (the stored sync): idempotent requests ride out short rate
   * limits (VendorHttpOptions.backgroundRateLimitPatienceMs) instead of failing after `maxAttempts`.
   */
  background?: boolean;
}

/** What one request has met of the account's rate limits so far. */
interface LimitWait {
  /** When it first met a 429 or an account pause; undefined while it has met none. */
  since?: number;
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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Time as the client sees it; tests inject a fake one to check pacing without waiting. */
export interface VendorClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const systemClock: VendorClock = { now: () => Date.now(), sleep };

/** Windows longer than this are not paced from a request log (the log would hold a day of requests). */
const MAX_PACED_WINDOW_MS = 60_000;
/** How often a request re-checks when the window is full of requests still in flight (nothing to wait for yet). */
const IN_FLIGHT_POLL_MS = 25;

/** One rolling window of an account: when each request counted in it stops counting. */
interface PacedWindow {
  limit: number;
  windowMs: number;
  /** Ascending times at which a request of ours (or one the vendor counted that we did not send) leaves the window. */
  releases: number[];
}

interface AccountPacing {
  inFlight: number;
  windows: Map<string, PacedWindow>;
}

function prune(w: PacedWindow, now: number): void {
  let n = 0;
  while (n < w.releases.length && w.releases[n] <= now) n++;
  if (n) w.releases.splice(0, n);
}

function insertSorted(xs: number[], x: number): void {
  let i = xs.length;
  while (i > 0 && xs[i - 1] > x) i--;
  xs.splice(i, 0, x);
}

export class VendorHttpClient {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  /**
   * Per linked account: until when the vendor asked us (429 + Retry-After or its own hint) to stop,
   * or a background request backs off after a 429 without a hint. Every caller of the account
   * (adapters, pass-through, sync) shares it, so one caller's 429 is honoured by all instead of
   * each spending more of the vendor's budget.
   */
  private readonly cooldowns = new Map<string, number>();
  /**
   * Per linked account: proactive pacing against the vendor's rolling windows (HubSpot's
   * TEN_SECONDLY_ROLLING). A request is sent only while fewer than `limit` requests of the account
   * are in flight or finished less than `windowMs` ago, so the window is used up to its allowance
   * and never past it, whether the vendor counts in a rolling or a fixed window. A request counts
   * from the moment its answer arrived (never earlier than the vendor counted it), so latency
   * cannot make the vendor see more than `limit`. Requests the vendor counted but this process
   * did not send (other processes, other apps) are added from the answer's `remaining`.
   */
  private readonly pacing = new Map<string, AccountPacing>();
  readonly options: VendorHttpOptions;

  constructor(
    options: Partial<VendorHttpOptions> = {},
    private readonly metrics?: MetricsService,
    private readonly logger?: Logger,
    private readonly clock: VendorClock = systemClock,
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

  /**
   * Waits out a short cooldown of the account; a long one fails fast as rate_limited, and so does
   * one that would keep a background request past its patience.
   */
  private async honourCooldown(params: ConnectionParams, limited: LimitWait): Promise<void> {
    const until = this.cooldowns.get(params.linkedAccountId);
    if (until === undefined) return;
    const now = this.clock.now();
    const remaining = until - now;
    if (remaining <= 0) {
      this.cooldowns.delete(params.linkedAccountId);
      return;
    }
    limited.since ??= now;
    const pastPatience = params.background === true && until - limited.since > this.options.backgroundRateLimitPatienceMs;
    if (remaining > this.options.maxRetryAfterMs || pastPatience) {
      throw new VendorError(params.vendor, 429, 'RATE_LIMITED', `${params.vendor} asked to pause requests of this account`, 'rate_limited', [], Math.ceil(remaining / 1000));
    }
    await this.clock.sleep(remaining);
  }

  /**
   * Waits until the account's rolling windows have room for one more request, then counts it as in
   * flight. Returns the account's pacing state (undefined when the vendor reports no windows).
   */
  private async reserve(params: ConnectionParams): Promise<AccountPacing | undefined> {
    if (!params.auth.rateWindows) return undefined;
    let state = this.pacing.get(params.linkedAccountId);
    if (!state) {
      state = { inFlight: 0, windows: new Map() };
      if (this.pacing.size > 10_000) this.pacing.delete(this.pacing.keys().next().value as string);
      this.pacing.set(params.linkedAccountId, state);
    }
    for (;;) {
      const now = this.clock.now();
      let until = 0;
      for (const w of state.windows.values()) {
        prune(w, now);
        if (w.releases.length + state.inFlight < w.limit) continue;
        // Full: wait for the oldest counted request to leave (or, all in flight, for one to finish).
        const at = w.releases.length ? w.releases[0] : now + IN_FLIGHT_POLL_MS;
        until = Math.max(until, at);
      }
      if (until <= now) break;
      await this.clock.sleep(until - now);
    }
    state.inFlight++;
    return state;
  }

  /** The request is over: it counts in every window until `windowMs` after now; the vendor's headers correct the picture. */
  private settle(params: ConnectionParams, state: AccountPacing | undefined, res: VendorResponse | undefined): void {
    if (!state) return;
    state.inFlight--;
    const now = this.clock.now();
    let hints: RateWindowHint[];
    try {
      hints = res ? (params.auth.rateWindows?.(res) ?? []) : [];
    } catch {
      hints = []; // unreadable headers: keep pacing from our own log
    }
    for (const h of hints) {
      if (!(h.limit > 0) || !Number.isFinite(h.limit) || !(h.windowMs > 0) || h.windowMs > MAX_PACED_WINDOW_MS) continue;
      const w = state.windows.get(h.name);
      if (w) {
        w.limit = h.limit;
        w.windowMs = h.windowMs;
      } else state.windows.set(h.name, { limit: h.limit, windowMs: h.windowMs, releases: [] });
    }
    for (const w of state.windows.values()) {
      prune(w, now);
      insertSorted(w.releases, now + w.windowMs);
    }
    for (const h of hints) {
      const w = state.windows.get(h.name);
      if (!w || !Number.isFinite(h.remaining)) continue;
      // The vendor counted more than we know of (other senders): count the difference as sent just now.
      const missing = Math.min(w.limit, w.limit - Math.max(0, h.remaining)) - (w.releases.length + state.inFlight);
      for (let i = 0; i < missing; i++) insertSorted(w.releases, now + w.windowMs);
    }
  }

  private noteRateLimit(params: ConnectionParams, res: VendorResponse, hintedMs: number | undefined): void {
    if (res.status !== 429) return;
    this.notePause(params, hintedMs);
  }

  private notePause(params: ConnectionParams, pauseMs: number | undefined): void {
    if (pauseMs === undefined || pauseMs <= 0) return;
    const until = this.clock.now() + pauseMs;
    if ((this.cooldowns.get(params.linkedAccountId) ?? 0) < until) this.cooldowns.set(params.linkedAccountId, until);
    if (this.cooldowns.size > 10_000) this.cooldowns.delete(this.cooldowns.keys().next().value as string);
  }

  private async withRetries<T>(params: ConnectionParams, req: VendorRequest): Promise<VendorResponse<T>> {
    const idempotent = req.idempotent ?? (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || req.method === 'PUT' || req.method === 'DELETE');
    let backoff = new ExponentialBackoff({ initialDelay: this.options.initialBackoffMs, maxDelay: this.options.maxBackoffMs }).next();
    let token = await params.tokens.getAccessToken();
    let refreshed = false;
    const limited: LimitWait = {};
    for (let attempt = 1; ; attempt++) {
      let response: VendorResponse<T>;
      await this.honourCooldown(params, limited);
      const pacing = await this.reserve(params);
      try {
        response = await this.send<T>(params, req, token);
        this.settle(params, pacing, response);
      } catch (err) {
        this.settle(params, pacing, undefined);
        const vendorErr = err as VendorError;
        // A network error or timeout may have reached the vendor: only idempotent requests are retried.
        if (!idempotent || attempt >= this.options.maxAttempts) throw vendorErr;
        // An oversized answer stays oversized; a caller with its own deadline wants the timeout now.
        if (vendorErr.vendorCode === 'RESPONSE_TOO_LARGE' || (vendorErr.kind === 'timeout' && req.retryTimeouts === false)) throw vendorErr;
        await this.clock.sleep(backoff.duration);
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
      if (!retryable) return response;
      const hinted = parseRetryAfter(response.headers['retry-after']) ?? params.retryDelayMs?.(response);
      // Background and idempotent: a 429 without a long hint is a short limit (a windowed budget, a
      // concurrency limit) that passes if we wait. Keep backing off with jitter, at least as long
      // as any hint, and pause the whole account for that time so its other callers wait on the
      // pause instead of each spending a 429; give up (as below) once the next wait would pass the
      // patience. Long hints (a spent daily budget) and non-429 answers take the path below.
      if (params.background === true && idempotent && response.status === 429 && (hinted === undefined || hinted <= this.options.maxRetryAfterMs)) {
        const now = this.clock.now();
        limited.since ??= now;
        const wait = Math.max(hinted !== undefined ? hinted + Math.random() * 100 : 0, backoff.duration);
        if (now + wait - limited.since > this.options.backgroundRateLimitPatienceMs) return response;
        this.notePause(params, wait);
        backoff = backoff.next(undefined);
        attempt--; // bounded by the patience, not by maxAttempts (left for 5xx and network errors)
        continue; // honourCooldown waits out the pause
      }
      // A 429 was not processed, so even a create may be retried; a 5xx only when idempotent.
      if (attempt >= this.options.maxAttempts || (!idempotent && response.status !== 429)) return response;
      this.noteRateLimit(params, response, hinted);
      if (hinted !== undefined && hinted > this.options.maxRetryAfterMs) return response;
      const jittered = hinted !== undefined ? hinted + Math.random() * 100 : backoff.duration;
      await this.clock.sleep(jittered);
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
