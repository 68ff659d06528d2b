import type { ModelName } from '../../models/spec';
import type { ListPage, ListQuery, RemoteRecord, VendorConnection } from '../contract';
import { API_PREFIX, call, isoUtc } from './api';
import { matchesFilters } from './filters';
import { compareIds, dealStages, modulesInfo, syntheticClass } from './metadata';
import { ENGAGEMENT_TYPE_IDS } from './mappers/engagement';

/**
 * The small models: users, pipeline stages and engagement types. Each is read whole (users page by
 * page, at most a few hundred in a Zoho org), ordered by id and paged by keyset on the id, so a
 * walk returns each exactly once even while users change.
 */

type Raw = Record<string, unknown>;

const USER_MAPPED = new Set(['id', 'full_name', 'email', 'status', 'Created_Time', 'Modified_Time', 'created_time']);

export function userRecord(u: Raw, path: string): RemoteRecord {
  const name = typeof u.full_name === 'string' && u.full_name ? u.full_name : [u.first_name, u.last_name].filter((x) => typeof x === 'string' && x).join(' ') || null;
  return {
    model: 'User',
    remoteId: String(u.id),
    fields: { name, email: typeof u.email === 'string' ? u.email : null, is_active: u.status === 'active' },
    remoteCreatedAt: isoUtc(u.Created_Time ?? u.created_time),
    remoteUpdatedAt: isoUtc(u.Modified_Time),
    remoteWasDeleted: u.status === 'deleted',
    remoteData: [{ path, data: u }],
    remoteFields: Object.entries(u)
      .filter(([k]) => !USER_MAPPED.has(k))
      .map(([k, v]) => ({ remote_field_class: syntheticClass(k, v), value: v })),
  };
}

async function allUsers(conn: VendorConnection): Promise<RemoteRecord[]> {
  const out: RemoteRecord[] = [];
  for (let page = 1; page <= 50; page++) {
    const res = await call<{ users?: Raw[]; info?: { more_records?: boolean } }>(conn, { method: 'GET', path: '/users', query: { type: 'AllUsers', per_page: 200, page } });
    if (res.status === 204) break;
    for (const u of res.body?.users ?? []) out.push(userRecord(u, `${API_PREFIX}/users`));
    if (!res.body?.info?.more_records) break;
  }
  return out;
}

async function allStages(conn: VendorConnection): Promise<RemoteRecord[]> {
  return (await dealStages(conn)).map((s) => ({
    model: 'Stage' as const,
    remoteId: s.id,
    fields: { name: s.name },
    remoteCreatedAt: null,
    remoteUpdatedAt: null,
    remoteWasDeleted: false,
    remoteData: [{ path: s.path, data: s.raw }],
    remoteFields: [
      { remote_field_class: syntheticClass('pipeline', s.pipeline), value: s.pipeline },
      { remote_field_class: syntheticClass('forecast_type', s.forecastType), value: s.forecastType },
    ],
  }));
}

async function allEngagementTypes(conn: VendorConnection): Promise<RemoteRecord[]> {
  let modules: Raw[] = [];
  try {
    modules = await modulesInfo(conn);
  } catch {
    modules = []; // without the modules scope the two types are still known
  }
  const types: [string, 'CALL' | 'MEETING', string][] = [
    [ENGAGEMENT_TYPE_IDS.call, 'CALL', 'Call'],
    [ENGAGEMENT_TYPE_IDS.meeting, 'MEETING', 'Meeting'],
  ];
  return types.map(([id, activity, fallback]) => {
    const m = modules.find((x) => x.api_name === id);
    return {
      model: 'EngagementType' as const,
      remoteId: id,
      fields: { activity_type: activity, name: typeof m?.singular_label === 'string' ? m.singular_label : fallback },
      remoteCreatedAt: null,
      remoteUpdatedAt: null,
      remoteWasDeleted: false,
      remoteData: m ? [{ path: `${API_PREFIX}/settings/modules`, data: m }] : [],
      remoteFields: [],
    };
  });
}

export const SMALL_MODELS: ModelName[] = ['User', 'Stage', 'EngagementType'];

export async function allOf(conn: VendorConnection, model: ModelName): Promise<RemoteRecord[]> {
  const records = model === 'User' ? await allUsers(conn) : model === 'Stage' ? await allStages(conn) : await allEngagementTypes(conn);
  return records.sort((a, b) => compareIds(a.remoteId, b.remoteId));
}

export async function listSmall(conn: VendorConnection, model: ModelName, q: ListQuery): Promise<ListPage> {
  const after = typeof q.state?.a === 'string' ? q.state.a : null;
  const matching = (await allOf(conn, model)).filter((r) => (after === null || compareIds(r.remoteId, after) > 0) && matchesFilters(r, q.filters));
  const records = matching.slice(0, q.pageSize);
  const more = matching.length > q.pageSize;
  return { records, nextState: more ? { a: records[records.length - 1].remoteId } : null };
}

export async function getSmall(conn: VendorConnection, model: ModelName, ids: string[]): Promise<RemoteRecord[]> {
  if (model === 'User' && ids.length > 0 && ids.length <= 100) {
    const res = await conn.request<{ users?: Raw[] }>({ method: 'GET', path: `${API_PREFIX}/users`, query: { ids: ids.join(',') } });
    if (res.status === 200) {
      const want = new Set(ids);
      return (res.body?.users ?? []).filter((u) => want.has(String(u.id))).map((u) => userRecord(u, `${API_PREFIX}/users`));
    }
  }
  const want = new Set(ids);
  return (await allOf(conn, model)).filter((r) => want.has(r.remoteId));
}
