import { expect } from 'vitest';
import { MODELS, type ModelName } from '../../src/models/spec';
import type { PrismaService } from '../../src/database/prisma.service';

/**
 * "The store ends equal to the emulator": every record a live read of the vendor returns is stored
 * exactly once under the same id, remote id and content, and nothing else is stored as alive.
 */

export interface LiveReader {
  request(path: string, init: { apiKey: string; headers: Record<string, string> }): Promise<{ status: number; body: any; text: string }>;
}

/** Every record the live REST path returns for a model (through the same API a customer uses). */
export async function liveAll(t: LiveReader, apiKey: string, accountToken: string, model: ModelName): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ page_size: '100', include_remote_data: 'true' });
    if (cursor) q.set('cursor', cursor);
    const res = await t.request(`/api/crm/v1/${MODELS[model].route}?${q}`, { apiKey, headers: { 'x-account-token': accountToken, 'x-read-mode': 'live' } });
    if (res.status !== 200) throw new Error(`live read of ${model}: ${res.status} ${res.text.slice(0, 300)}`);
    out.push(...res.body.results);
    cursor = res.body.next;
  } while (cursor);
  return out;
}

interface StoredRow {
  id: string;
  remote_id: string;
  data: Record<string, unknown>;
  remote_data: unknown;
  remote_was_deleted: boolean;
}

const OMIT = new Set(['created_at', 'modified_at', 'remote_data', 'remote_fields', 'remote_was_deleted', 'field_mappings', 'id', 'remote_id']);
const strip = (r: Record<string, any>) => Object.fromEntries(Object.entries(r).filter(([k]) => !OMIT.has(k)));

/** Asserts the stored copy of `models` equals the vendor; returns the live counts per model. */
export async function expectStoreEqualsVendor(
  t: LiveReader,
  prisma: PrismaService,
  auth: { apiKey: string; accountToken: string; linkedAccountId: string },
  models: ModelName[],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const model of models) {
    const live = await liveAll(t, auth.apiKey, auth.accountToken, model);
    const rows = await prisma.sql.query<StoredRow>(
      `SELECT id::text AS id, remote_id, data, remote_data, remote_was_deleted FROM crm_records WHERE linked_account_id = $1::uuid AND model = $2`,
      [auth.linkedAccountId, model],
    );
    const alive = rows.filter((r) => !r.remote_was_deleted);
    // Nothing duplicated: one row per remote id.
    expect(new Set(rows.map((r) => r.remote_id)).size, `${model}: duplicate remote ids`).toBe(rows.length);
    // Nothing lost, nothing extra.
    expect(alive.map((r) => r.remote_id).sort(), `${model}: stored remote ids`).toEqual(live.map((r) => r.remote_id).sort());
    const byId = new Map(alive.map((r) => [r.id, r]));
    for (const rec of live) {
      const row = byId.get(rec.id);
      expect(row, `${model} ${rec.remote_id}: same id as the live read`).toBeDefined();
      expect(row!.data, `${model} ${rec.remote_id}`).toEqual(strip(rec));
      expect(row!.remote_data, `${model} ${rec.remote_id} remote_data`).toEqual(rec.remote_data);
    }
    counts[model] = live.length;
  }
  return counts;
}
