import type { RemoteFieldClassRef, VendorConnection } from '../contract';
import { call } from './api';

/**
 * Field metadata, pipelines and modules of one linked account, cached briefly (metadata endpoints
 * are slow and cost API credits on the real vendor).
 */

export interface ZohoField {
  api_name: string;
  field_label?: string;
  display_label?: string;
  data_type?: string;
  json_type?: string;
  custom_field?: boolean;
  system_mandatory?: boolean;
  read_only?: boolean;
  field_read_only?: boolean;
  pick_list_values?: { display_value?: string; actual_value?: string }[];
  tooltip?: { name?: string; value?: string } | null;
}

export interface StageInfo {
  id: string;
  name: string;
  /** The picklist value records carry in Deals.Stage. */
  value: string;
  pipeline: string;
  /** Open | Closed Won | Closed Lost */
  forecastType: string | null;
  raw: unknown;
  path: string;
}

const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 2000;
const cache = new Map<string, { at: number; value: Promise<unknown> }>();

function cached<T>(conn: VendorConnection, key: string, load: () => Promise<T>): Promise<T> {
  const k = `${conn.linkedAccountId}|${conn.apiBaseUrl}|${key}`;
  const hit = cache.get(k);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value as Promise<T>;
  const value = load();
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(k, { at: Date.now(), value });
  // A failed load is not cached.
  value.catch(() => {
    if (cache.get(k)?.value === value) cache.delete(k);
  });
  return value;
}

/** Drops this account's cached metadata (tests, or after a field-metadata change). */
export function clearMetadataCache(conn?: VendorConnection): void {
  if (!conn) return cache.clear();
  const prefix = `${conn.linkedAccountId}|${conn.apiBaseUrl}|`;
  for (const k of [...cache.keys()]) if (k.startsWith(prefix)) cache.delete(k);
}

export function moduleFields(conn: VendorConnection, module: string): Promise<ZohoField[]> {
  return cached(conn, `fields:${module}`, async () => {
    const res = await call<{ fields?: ZohoField[] }>(conn, { method: 'GET', path: '/settings/fields', query: { module } });
    return res.status === 204 ? [] : (res.body?.fields ?? []);
  });
}

export function modulesInfo(conn: VendorConnection): Promise<Record<string, unknown>[]> {
  return cached(conn, 'modules', async () => {
    const res = await call<{ modules?: Record<string, unknown>[] }>(conn, { method: 'GET', path: '/settings/modules' });
    return res.body?.modules ?? [];
  });
}

interface PipelineMap {
  id?: string;
  display_value?: string;
  actual_value?: string;
  forecast_type?: string;
  sequence_number?: number;
}

/** Every stage of every Deals pipeline (all layouts), deduplicated by id, in id order. */
export function dealStages(conn: VendorConnection): Promise<StageInfo[]> {
  return cached(conn, 'stages', async () => {
    const layouts = await call<{ layouts?: { id: string }[] }>(conn, { method: 'GET', path: '/settings/layouts', query: { module: 'Deals' } });
    const byId = new Map<string, StageInfo>();
    for (const layout of layouts.body?.layouts ?? []) {
      const path = `/crm/v8/settings/pipeline?layout_id=${layout.id}`;
      const res = await call<{ pipeline?: { display_value?: string; actual_value?: string; maps?: PipelineMap[] }[] }>(conn, {
        method: 'GET',
        path: '/settings/pipeline',
        query: { layout_id: layout.id },
      });
      for (const p of res.body?.pipeline ?? []) {
        for (const m of p.maps ?? []) {
          if (!m.id || byId.has(String(m.id))) continue;
          byId.set(String(m.id), {
            id: String(m.id),
            name: m.display_value ?? m.actual_value ?? '',
            value: m.actual_value ?? m.display_value ?? '',
            pipeline: p.actual_value ?? p.display_value ?? '',
            forecastType: m.forecast_type ?? null,
            raw: m,
            path,
          });
        }
      }
    }
    return [...byId.values()].sort((a, b) => compareIds(a.id, b.id));
  });
}

/** Zoho ids are numeric strings: compare by length, then lexically (= numerically). */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function fieldType(f: ZohoField): string {
  switch (f.data_type) {
    case 'integer':
    case 'bigint':
    case 'double':
    case 'currency':
    case 'decimal':
    case 'autonumber':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'picklist':
      return 'enum';
    case 'multiselectpicklist':
    case 'participants':
    case 'multiselectlookup':
      return 'list';
    case 'lookup':
    case 'ownerlookup':
    case 'userlookup':
      return 'object';
    default:
      return 'string';
  }
}

export function fieldClass(f: ZohoField): RemoteFieldClassRef {
  return {
    name: f.api_name,
    display_name: f.display_label ?? f.field_label ?? f.api_name,
    description: f.tooltip?.value ?? null,
    field_type: fieldType(f),
    is_custom: f.custom_field === true,
    is_required: f.system_mandatory === true,
    field_choices: (f.pick_list_values ?? []).map((v) => v.actual_value ?? v.display_value ?? '').filter((v) => v && v !== '-None-'),
  };
}

/** A class for a vendor key the metadata does not describe (system keys, user attributes). */
export function syntheticClass(name: string, value: unknown): RemoteFieldClassRef {
  const t = typeof value;
  return {
    name,
    display_name: name.replace(/_/g, ' '),
    description: null,
    field_type: Array.isArray(value) ? 'list' : value !== null && t === 'object' ? 'object' : t === 'number' ? 'number' : t === 'boolean' ? 'boolean' : 'string',
    is_custom: false,
    is_required: false,
    field_choices: [],
  };
}
