import type { RemoteFieldClassRef, VendorConnection } from '../contract';
import { HubspotApi } from './api';

/**
 * Field metadata (GET /crm/v3/properties/{type}) and deal pipelines (GET /crm/v3/pipelines/deals),
 * cached per linked account for a few minutes: HubSpot's metadata endpoints are slow and rarely change.
 */

export interface HubProperty {
  name: string;
  label?: string;
  type?: string;
  fieldType?: string;
  description?: string;
  options?: { label?: string; value: string; hidden?: boolean }[];
  hubspotDefined?: boolean;
  calculated?: boolean;
  modificationMetadata?: { readOnlyValue?: boolean };
}

export interface PipelineStage {
  id: string;
  label: string;
  pipelineId: string;
  pipelineLabel: string;
  displayOrder: number;
  isClosed: boolean;
  probability: number | null;
  raw: unknown;
}

const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 5_000;
const cache = new Map<string, { at: number; value: Promise<unknown> }>();

async function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value as Promise<T>;
  const value = load();
  cache.set(key, { at: Date.now(), value });
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  value.catch(() => cache.delete(key));
  return value;
}

/** Drops the cached metadata of an account (tests, or after a property was created). */
export function forgetMetadata(linkedAccountId?: string): void {
  for (const key of [...cache.keys()]) if (!linkedAccountId || key.startsWith(`${linkedAccountId}|`)) cache.delete(key);
}

const keyOf = (conn: VendorConnection, what: string) => `${conn.linkedAccountId}|${conn.apiBaseUrl}|${what}`;

export function properties(conn: VendorConnection, objectType: string): Promise<HubProperty[]> {
  return cached(keyOf(conn, `props:${objectType}`), async () => {
    const res = await new HubspotApi(conn).call<{ results?: HubProperty[] }>({ method: 'GET', path: `/crm/v3/properties/${objectType}` });
    return res.body.results ?? [];
  });
}

export function dealStages(conn: VendorConnection): Promise<PipelineStage[]> {
  return cached(keyOf(conn, 'pipelines:deals'), async () => {
    const res = await new HubspotApi(conn).call<{ results?: { id: string; label: string; stages?: { id: string; label: string; displayOrder?: number; metadata?: Record<string, string> }[] }[] }>({
      method: 'GET',
      path: '/crm/v3/pipelines/deals',
    });
    const out: PipelineStage[] = [];
    for (const p of res.body.results ?? []) {
      for (const s of p.stages ?? []) {
        const prob = s.metadata?.probability;
        out.push({
          id: s.id,
          label: s.label,
          pipelineId: p.id,
          pipelineLabel: p.label,
          displayOrder: s.displayOrder ?? 0,
          isClosed: String(s.metadata?.isClosed) === 'true',
          probability: prob === undefined || prob === '' ? null : Number(prob),
          raw: s,
        });
      }
    }
    return out;
  });
}

/** WON / LOST / OPEN of a deal stage, from its pipeline metadata (closed with probability 1 or 0). */
export function stageStatus(stage: PipelineStage | undefined, stageId: string | null): string | null {
  if (!stage) {
    if (stageId === 'closedwon') return 'WON';
    if (stageId === 'closedlost') return 'LOST';
    return stageId;
  }
  if (!stage.isClosed) return 'OPEN';
  if (stage.probability !== null && stage.probability >= 1) return 'WON';
  if (stage.probability === 0) return 'LOST';
  return stage.id === 'closedwon' ? 'WON' : stage.id === 'closedlost' ? 'LOST' : stage.id;
}

const FIELD_TYPES: Record<string, string> = {
  string: 'string',
  number: 'number',
  enumeration: 'enum',
  datetime: 'datetime',
  date: 'date',
  bool: 'boolean',
  phone_number: 'string',
  object_coordinates: 'string',
  json: 'object',
};

export function fieldClass(p: HubProperty, required: readonly string[]): RemoteFieldClassRef {
  return {
    name: p.name,
    display_name: p.label ?? p.name,
    description: p.description ? p.description : null,
    field_type: p.fieldType === 'checkbox' && p.type === 'enumeration' ? 'list' : (FIELD_TYPES[p.type ?? 'string'] ?? p.type ?? 'string'),
    is_custom: p.hubspotDefined === false,
    is_required: required.includes(p.name),
    field_choices: (p.options ?? []).filter((o) => !o.hidden).map((o) => o.value),
  };
}
