import { VendorError, type VendorConnection, type VendorRequest, type VendorResponse } from '../contract';
import { hubspotRetryDelayMs } from './auth';

/**
 * HubSpot CRM v3/v4 calls used by the adapter: object list, search, batch read, single writes,
 * associations v4 batch read, owners, pipelines, properties. Non-2xx answers become VendorError
 * with the vendor's category and message verbatim.
 */

export interface HubObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
  archivedAt?: string;
  /** v3 inline associations (GET list/read with `associations=`): target type -> linked ids. */
  associations?: Record<string, InlineAssociations>;
}

export interface InlineAssociations {
  /** `type` is e.g. "contact_to_company" (the primary one) or "contact_to_company_unlabeled". */
  results?: { id: string | number; type?: string }[];
  /** Present when the record has more links than fit inline: read them from v4 instead. */
  paging?: { next?: { after?: string } };
}

export interface HubPage {
  results: HubObject[];
  /** `paging.next.after` when more exist. */
  after?: string;
}

export interface SearchFilter {
  propertyName: string;
  operator: string;
  value?: string;
  highValue?: string;
  values?: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Vendor property names a VALIDATION_ERROR names ("Property values were not valid: [{..., name}]"). */
export function propertyNamesOf(body: Record<string, unknown>): string[] {
  const names = new Set<string>();
  const message = typeof body.message === 'string' ? body.message : '';
  const bracket = message.indexOf('[');
  if (bracket >= 0) {
    try {
      const problems = JSON.parse(message.slice(bracket)) as unknown;
      if (Array.isArray(problems)) for (const p of problems) if (isObject(p) && typeof p.name === 'string') names.add(p.name);
    } catch {
      // not a JSON problem list
    }
  }
  for (const e of Array.isArray(body.errors) ? body.errors : []) {
    const ctx = isObject(e) && isObject(e.context) ? e.context : {};
    for (const key of ['propertyName', 'properties']) {
      const v = ctx[key];
      for (const n of Array.isArray(v) ? v : [v]) if (typeof n === 'string') names.add(n);
    }
  }
  return [...names];
}

/** Maps a non-2xx HubSpot answer to a VendorError; `fieldOf` turns vendor property names into common field names. */
export function toVendorError(res: VendorResponse, fieldOf: (prop: string) => string = (p) => p): VendorError {
  const body = isObject(res.body) ? res.body : {};
  const message = typeof body.message === 'string' ? body.message : typeof res.body === 'string' && res.body ? res.body.slice(0, 500) : `HubSpot answered ${res.status}`;
  const code =
    (typeof body.category === 'string' && body.category) ||
    (typeof body.errorType === 'string' && body.errorType) ||
    (typeof body.status === 'string' && body.status !== 'error' && body.status) ||
    `HTTP_${res.status}`;
  const s = res.status;
  const kind =
    s === 409 || code === 'CONFLICT'
      ? 'duplicate'
      : s === 404
        ? 'not_found'
        : s === 401 || s === 403
          ? 'auth'
          : s === 429
            ? 'rate_limited'
            : s === 400 || s === 422
              ? 'validation'
              : s >= 500
                ? 'unavailable'
                : 'other';
  const fields = kind === 'validation' ? [...new Set(propertyNamesOf(body).map(fieldOf))] : [];
  const retry = s === 429 ? hubspotRetryDelayMs(res) : undefined;
  return new VendorError('hubspot', s, code, message, kind, fields, retry !== undefined ? Math.ceil(retry / 1000) : undefined);
}

export class HubspotApi {
  constructor(readonly conn: VendorConnection) {}

  async call<T>(req: VendorRequest, fieldOf?: (prop: string) => string): Promise<VendorResponse<T>> {
    const res = await this.conn.request<T>(req);
    if (res.status >= 200 && res.status < 300) return res;
    if (res.status === 207) return res;
    throw toVendorError(res, fieldOf);
  }

  /** GET /crm/v3/objects/{type}: id order, `after` is HubSpot's cursor. */
  async list(type: string, opts: { limit: number; after?: string; properties: string[]; archived?: boolean; associations?: readonly string[] }): Promise<HubPage> {
    const res = await this.call<{ results: HubObject[]; paging?: { next?: { after?: string } } }>({
      method: 'GET',
      path: `/crm/v3/objects/${type}`,
      query: {
        limit: opts.limit,
        after: opts.after,
        properties: opts.properties.join(','),
        associations: opts.associations?.length ? opts.associations.join(',') : undefined,
        archived: opts.archived ? 'true' : undefined,
      },
    });
    return { results: res.body.results ?? [], after: res.body.paging?.next?.after };
  }

  /** POST /crm/v3/objects/{type}/search sorted by id ascending. */
  async search(type: string, body: { filterGroups: { filters: SearchFilter[] }[]; properties: string[]; limit: number; after?: string }): Promise<HubPage & { total: number }> {
    const res = await this.call<{ total: number; results: HubObject[]; paging?: { next?: { after?: string } } }>({
      method: 'POST',
      path: `/crm/v3/objects/${type}/search`,
      body: { ...body, sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }], after: body.after ?? '0' },
      idempotent: true,
    });
    return { results: res.body.results ?? [], after: res.body.paging?.next?.after, total: Number(res.body.total ?? 0) };
  }

  /** POST /crm/v3/objects/{type}/batch/read (≤ 100 ids a call); missing ids are absent. */
  async batchRead(type: string, ids: string[], properties: string[], archived = false): Promise<HubObject[]> {
    const out: HubObject[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids.slice(i, i + 100);
      const res = await this.call<{ results?: HubObject[] }>({
        method: 'POST',
        path: `/crm/v3/objects/${type}/batch/read`,
        query: archived ? { archived: 'true' } : undefined,
        body: { inputs: chunk.map((id) => ({ id })), properties, propertiesWithHistory: [] },
        idempotent: true,
      });
      out.push(...(res.body.results ?? []));
    }
    return out;
  }

  /** POST /crm/v4/associations/{from}/{to}/batch/read: from id -> associated ids (in vendor order). */
  async associations(from: string, to: string, ids: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      const res = await this.call<{ results?: { from: { id: string | number }; to: { toObjectId: string | number; associationTypes?: { label?: string | null; typeId?: number }[] }[] }[] }>({
        method: 'POST',
        path: `/crm/v4/associations/${from}/${to}/batch/read`,
        body: { inputs: chunk.map((id) => ({ id })) },
        idempotent: true,
      });
      for (const r of res.body.results ?? []) {
        // A "Primary" labelled association first: that is the record's main company.
        const sorted = [...(r.to ?? [])].sort((a, b) => Number(isPrimary(b)) - Number(isPrimary(a)));
        out.set(String(r.from.id), sorted.map((t) => String(t.toObjectId)));
      }
    }
    return out;
  }

  /** GET /crm/v4/objects/{from}/{id}/associations/{to}, every page. */
  async associatedIds(from: string, id: string, to: string): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    for (;;) {
      const res = await this.conn.request<{ results?: { toObjectId: string | number }[]; paging?: { next?: { after?: string } } }>({
        method: 'GET',
        path: `/crm/v4/objects/${from}/${encodeURIComponent(id)}/associations/${to}`,
        query: { limit: 500, after },
      });
      if (res.status === 404) return ids;
      if (res.status >= 300) throw toVendorError(res);
      for (const r of res.body.results ?? []) ids.push(String(r.toObjectId));
      after = res.body.paging?.next?.after;
      if (!after) return ids;
    }
  }
}

function isPrimary(t: { associationTypes?: { label?: string | null }[] }): boolean {
  return (t.associationTypes ?? []).some((a) => a.label === 'Primary');
}
