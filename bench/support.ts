import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

/** Runs autocannon against one URL (loopback only) for a bounded time. */
export async function load(url: string, options: { connections?: number; seconds?: number; headers?: Record<string, string>; method?: 'GET' | 'POST'; body?: string } = {}): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: options.connections ?? 32,
    duration: options.seconds ?? 5,
    headers: options.headers,
    method: options.method ?? 'GET',
    body: options.body,
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, (v as { count: number }).count])),
  };
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** One side of a comparison: what autocannon loads. */
export interface LoadTarget {
  url: string;
  headers?: Record<string, string>;
  method?: 'GET' | 'POST';
  body?: string;
}

export interface LoadAverages {
  requestsPerSecond: number;
  p50Ms: number;
}

/**
 * Throughput of two targets in the same run: each warmed for 1 s, then loaded alternately `rounds`
 * times for `seconds` each, so drift on the machine hits both alike. Any non-2xx answer, error or
 * empty round throws. Returns the averages of `a` and of `b`.
 */
export async function compareLoad(a: LoadTarget, b: LoadTarget, options: { rounds: number; seconds: number; connections?: number }): Promise<[LoadAverages, LoadAverages]> {
  const run = (t: LoadTarget, seconds: number) => load(t.url, { seconds, connections: options.connections, headers: t.headers, method: t.method, body: t.body });
  await run(a, 1);
  await run(b, 1);
  const rounds: [LoadResult, LoadResult][] = [];
  for (let i = 0; i < options.rounds; i++) {
    const ra = await run(a, options.seconds);
    const rb = await run(b, options.seconds);
    if (ra.non2xx || rb.non2xx || ra.errors || rb.errors || !ra.requestsPerSecond || !rb.requestsPerSecond) throw new Error(`unexpected failures: ${JSON.stringify({ ra, rb })}`);
    rounds.push([ra, rb]);
  }
  const avg = (side: 0 | 1, key: 'requestsPerSecond' | 'p50Ms') => rounds.reduce((s, r) => s + r[side][key], 0) / rounds.length;
  return [
    { requestsPerSecond: avg(0, 'requestsPerSecond'), p50Ms: avg(0, 'p50Ms') },
    { requestsPerSecond: avg(1, 'requestsPerSecond'), p50Ms: avg(1, 'p50Ms') },
  ];
}
