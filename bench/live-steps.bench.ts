import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { startStandalone } from '../src/sandbox/common/standalone';
import { createEmulator } from '../src/sandbox/registry';
import type { SandboxVendor } from '../src/sandbox/common/emulator';
import type { RemoteRecord, VendorConnection, VendorRequest, VendorResponse, VendorSlug } from '../src/integrations/contract';
import { adapterFor } from '../src/integrations/registry';
import { IdentitiesService } from '../src/crm/identities.service';
import type { PrismaService } from '../src/database/prisma.service';
import { keysOf, serializeRecord } from '../src/crm/serializer';
import type { ModelName } from '../src/models/spec';
import { fmt } from './support';

/**
 * bench:live-steps: where one live list of 100 contacts spends its in-process CPU, step by step,
 * with the real adapters, id resolution (cache warm, so no query), serializer and JSON, on one
 * vendor answer fetched once from the emulator. The HTTP layers on both sides are left out (bench:live
 * measures them). Each step runs `ROUNDS` times in a row, and the median of `REPEATS` such runs is
 * quoted, in µs per page.
 */

const ROUNDS = Number(process.env.BENCH_STEP_ROUNDS ?? 400);
const REPEATS = Number(process.env.BENCH_STEP_REPEATS ?? 7);
const PAGE = 100;

/** A connection that answers each request from the emulator's answer to it, fetched once (raw text, parsed per call as the HTTP client does). */
function replayingConnection(vendor: VendorSlug, apiBaseUrl: string, authorization: string, raw: Map<string, string>): VendorConnection & { parses: number } {
  const conn = {
    vendor,
    linkedAccountId: randomUUID(),
    apiBaseUrl,
    parses: 0,
    async request<T>(req: VendorRequest): Promise<VendorResponse<T>> {
      const url = new URL(req.path.startsWith('http') ? req.path : `${apiBaseUrl}${req.path}`);
      for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
      let text = raw.get(url.href);
      if (text === undefined) {
        const res = await fetch(url, { method: req.method, headers: { authorization, accept: 'application/json' } });
        text = await res.text();
        if (res.status !== 200) throw new Error(`emulator answered ${res.status}: ${text}`);
        raw.set(url.href, text);
      }
      conn.parses++;
      return { status: 200, headers: {}, body: JSON.parse(text) as T };
    },
  };
  return conn;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** µs per call of `fn`, the median of REPEATS runs of ROUNDS calls. */
async function time(fn: () => unknown): Promise<number> {
  for (let i = 0; i < 50; i++) await fn();
  const runs: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < ROUNDS; i++) await fn();
    runs.push(((performance.now() - t0) * 1000) / ROUNDS);
  }
  return median(runs);
}

async function main(): Promise<void> {
  const vendors = (process.env.BENCH_VENDORS ?? 'salesforce,hubspot,zoho').split(',').map((v) => v.trim()) as VendorSlug[];
  const lines = [`bench:live-steps  in-process CPU of one live list of ${PAGE} contacts, µs per page (median of ${REPEATS} x ${ROUNDS})`, ''];
  lines.push('  vendor       answer KB   parse   adapter list   ids   serialize   stringify   page KB   sum');
  for (const vendor of vendors) {
    const running = await startStandalone(createEmulator(vendor as SandboxVendor, { seed: 7, contacts: 1000 }), { port: 0 });
    try {
      const adapter = adapterFor(vendor)!;
      const tokenRes = await fetch(`${running.url}/__sandbox/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const parsed = adapter.auth.parseTokenResponse(200, (await tokenRes.json()) as Record<string, string>, {});
      if ('error' in parsed) throw new Error(parsed.description);
      const raw = new Map<string, string>();
      const conn = replayingConnection(vendor, parsed.apiBaseUrl ?? running.url, adapter.auth.authorizationHeader(parsed.accessToken), raw);
      const listOnce = () => adapter.list(conn, 'Contact', { pageSize: PAGE, state: null, filters: {}, projection: 'mapped' });
      const first = await listOnce();
      if (first.records.length !== PAGE) throw new Error(`${vendor}: a page of ${first.records.length}`);
      // The page's own answer (the largest one replayed; describe answers are cached by the adapter).
      const answer = [...raw.values()].sort((a, b) => b.length - a.length)[0];
      const parse = await time(() => JSON.parse(answer));
      const before = conn.parses;
      await listOnce();
      const parsesPerList = conn.parses - before;
      const list = await time(listOnce);
      // Ids: the real service with a warm cache (every id of the page known), so no query runs.
      const noDatabase = { sql: { query: () => Promise.reject(new Error('bench:live-steps: the id cache should answer')) } } as unknown as PrismaService;
      const identities = new IdentitiesService(noDatabase);
      const records: RemoteRecord[] = first.records;
      const byModel = new Map<ModelName, Map<string, string>>();
      for (const k of keysOf(records)) {
        if (!byModel.has(k.model)) byModel.set(k.model, new Map());
        byModel.get(k.model)!.set(k.remoteId, randomUUID());
      }
      for (const [model, ids] of byModel) identities.remember(conn.linkedAccountId, model, ids);
      // As CrmReadService.serializeMany does for a page.
      const idsOnce = () => identities.idsFor(conn.linkedAccountId, keysOf(records));
      const ids = await idsOnce();
      const opts = { includeRemoteData: false, includeRemoteFields: false };
      const ids_ = await time(idsOnce);
      const serializeOnce = () => records.map((r) => serializeRecord(r, { ids, expanded: new Map(), expand: [] }, opts));
      const serialize = await time(serializeOnce);
      const page = { next: 'x'.repeat(120), previous: null, results: serializeOnce() };
      const stringify = await time(() => JSON.stringify(page));
      const pageKb = Buffer.byteLength(JSON.stringify(page)) / 1024;
      // adapter list includes its parse(s) of the answer; the sum counts them once.
      const sum = list + ids_ + serialize + stringify;
      lines.push(
        `  ${vendor.padEnd(12)} ${fmt(Buffer.byteLength(answer) / 1024, 1).padStart(9)} ${fmt(parse).padStart(7)} ${`${fmt(list)}${parsesPerList > 1 ? ` (${fmt(parsesPerList, 1)} answers)` : ''}`.padStart(14)} ${fmt(ids_).padStart(5)} ${fmt(serialize).padStart(11)} ${fmt(stringify).padStart(11)} ${fmt(pageKb, 1).padStart(9)} ${fmt(sum).padStart(5)}`,
      );
    } finally {
      await running.close();
    }
  }
  lines.push('', '  adapter list: parse of the vendor answer plus mapping to common records; ids: IdentitiesService.idsFor with every id cached; serialize: serializeRecord of the page; stringify: JSON.stringify of the page', '');
  process.stdout.write(lines.join('\n'));
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench:live-steps failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
