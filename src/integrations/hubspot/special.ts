import type { ListFilters, ListPage, ListQuery, RemoteFieldClassRef, RemoteRecord, VendorConnection, VendorPageState } from '../contract';
import { HubspotApi } from './api';
import { compareIds, matches } from './filters';
import { dealStages, type PipelineStage } from './metadata';
import { ENGAGEMENT_TYPES } from './mappers/engagement';

/**
 * Models that are not CRM objects: User (owners), Stage (deal pipeline stages) and EngagementType
 * (synthetic: call, meeting, email).
 */

// ---- User <- owners --------------------------------------------------------------------------

interface HubOwner {
  id: string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  userId?: number | null;
  userIdIncludingInactive?: number | null;
  type?: string;
  teams?: unknown[];
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
}

const OWNER_FIELD_CLASSES: RemoteFieldClassRef[] = [
  { name: 'userId', display_name: 'User ID', description: 'The HubSpot user id of an active owner.', field_type: 'number', is_custom: false, is_required: false, field_choices: [] },
  { name: 'userIdIncludingInactive', display_name: 'User ID (including inactive)', description: null, field_type: 'number', is_custom: false, is_required: false, field_choices: [] },
  { name: 'type', display_name: 'Owner type', description: null, field_type: 'enum', is_custom: false, is_required: false, field_choices: ['PERSON', 'QUEUE'] },
  { name: 'teams', display_name: 'Teams', description: null, field_type: 'list', is_custom: false, is_required: false, field_choices: [] },
];

export const ownerFieldClasses = () => OWNER_FIELD_CLASSES;

function userRecord(o: HubOwner): RemoteRecord {
  const name = [o.firstName, o.lastName].filter(Boolean).join(' ');
  const raw = o as unknown as Record<string, unknown>;
  return {
    model: 'User',
    remoteId: String(o.id),
    fields: { name: name || null, email: o.email ?? null, is_active: o.archived !== true },
    remoteCreatedAt: o.createdAt ? new Date(o.createdAt).toISOString() : null,
    remoteUpdatedAt: o.updatedAt ? new Date(o.updatedAt).toISOString() : null,
    remoteWasDeleted: false,
    remoteData: [{ path: `/crm/v3/owners/${o.id}`, data: o }],
    remoteFields: OWNER_FIELD_CLASSES.map((c) => ({ remote_field_class: c, value: raw[c.name] ?? null })),
  };
}

/** Active owners (archived=false) then deactivated ones (archived=true, is_active false): HubSpot keeps both. */
async function ownerPage(api: HubspotApi, archived: boolean, limit: number, after: string | undefined, email?: string) {
  const res = await api.call<{ results?: HubOwner[]; paging?: { next?: { after?: string } } }>({
    method: 'GET',
    path: '/crm/v3/owners/',
    query: { limit, after, archived: archived ? 'true' : 'false', email },
  });
  return { results: res.body.results ?? [], after: res.body.paging?.next?.after };
}

export async function listUsers(conn: VendorConnection, q: ListQuery): Promise<ListPage> {
  const api = new HubspotApi(conn);
  let st = { s: Number(q.state?.s ?? 0), a: typeof q.state?.a === 'string' ? q.state.a : undefined };
  const records: RemoteRecord[] = [];
  const email = q.filters.strings?.email;
  let calls = 0;
  while (st.s < 2 && records.length < q.pageSize) {
    const page = await ownerPage(api, st.s === 1, Math.min(100, q.pageSize - records.length), st.a, email);
    calls++;
    for (const o of page.results) {
      const r = userRecord(o);
      if (matches('User', r, q.filters)) records.push(r);
    }
    st = page.after ? { s: st.s, a: page.after } : { s: st.s + 1, a: undefined };
    if (records.length > 0 && calls >= 8) break;
  }
  return { records, nextState: st.s >= 2 ? null : ({ s: st.s, ...(st.a ? { a: st.a } : {}) } as VendorPageState) };
}

/** Owners have no batch read: every page of both lists (owners are few) instead of one call per id. */
export async function getUsers(conn: VendorConnection, ids: string[]): Promise<RemoteRecord[]> {
  const want = new Set(ids);
  const api = new HubspotApi(conn);
  const found = new Map<string, RemoteRecord>();
  for (const archived of [false, true]) {
    let after: string | undefined;
    do {
      const page = await ownerPage(api, archived, 500, after);
      for (const o of page.results) if (want.has(String(o.id))) found.set(String(o.id), userRecord(o));
      after = page.after;
    } while (after && found.size < want.size);
    if (found.size === want.size) break;
  }
  return ids.map((id) => found.get(id)).filter((r): r is RemoteRecord => !!r);
}

// ---- Stage <- deal pipeline stages ------------------------------------------------------------

function stageRecord(s: PipelineStage): RemoteRecord {
  const raw = s.raw as { createdAt?: string; updatedAt?: string; archived?: boolean };
  return {
    model: 'Stage',
    remoteId: s.id,
    fields: { name: s.label },
    remoteCreatedAt: raw.createdAt ? new Date(raw.createdAt).toISOString() : null,
    remoteUpdatedAt: raw.updatedAt ? new Date(raw.updatedAt).toISOString() : null,
    remoteWasDeleted: raw.archived === true,
    remoteData: [{ path: `/crm/v3/pipelines/deals/${s.pipelineId}/stages/${s.id}`, data: s.raw }],
    remoteFields: [],
  };
}

async function keysetStatic(all: RemoteRecord[], model: 'Stage' | 'EngagementType', q: ListQuery): Promise<ListPage> {
  const after = typeof q.state?.k === 'string' ? q.state.k : null;
  const sorted = [...all].sort((a, b) => compareIds(a.remoteId, b.remoteId));
  const rest = sorted.filter((r) => (after === null || compareIds(r.remoteId, after) > 0) && matches(model, r, q.filters));
  const records = rest.slice(0, q.pageSize);
  return { records, nextState: rest.length > q.pageSize ? { k: records[records.length - 1].remoteId } : null };
}

/** Stages of every deal pipeline, keyset on the stage id (one call, cached). */
export async function listStages(conn: VendorConnection, q: ListQuery): Promise<ListPage> {
  return keysetStatic((await dealStages(conn)).map(stageRecord), 'Stage', q);
}

export async function getStages(conn: VendorConnection, ids: string[]): Promise<RemoteRecord[]> {
  const by = new Map((await dealStages(conn)).map((s) => [s.id, s]));
  return ids.map((id) => by.get(id)).filter((s): s is PipelineStage => !!s).map(stageRecord);
}

// ---- EngagementType (synthetic) ---------------------------------------------------------------

function engagementTypeRecord(t: (typeof ENGAGEMENT_TYPES)[number]): RemoteRecord {
  return {
    model: 'EngagementType',
    remoteId: t.remoteId,
    fields: { activity_type: t.activity_type, name: t.name },
    remoteCreatedAt: null,
    remoteUpdatedAt: null,
    remoteWasDeleted: false,
    remoteData: [{ path: `/crm/v3/objects/${t.source.type}`, data: { objectType: t.source.type } }],
    remoteFields: [],
  };
}

export const listEngagementTypes = (q: ListQuery) => keysetStatic(ENGAGEMENT_TYPES.map(engagementTypeRecord), 'EngagementType', q);

export const getEngagementTypes = (ids: string[]) =>
  ids.map((id) => ENGAGEMENT_TYPES.find((t) => t.remoteId === id)).filter((t): t is (typeof ENGAGEMENT_TYPES)[number] => !!t).map(engagementTypeRecord);

export type { ListFilters };
