import { zohoDateTime } from './format';
import type { ZRecord } from './modules';
import type { ModuleStore } from './tenant';

/** Turns stored records into Zoho's JSON, field by field, building the string directly. */

export type Getter = (store: ModuleStore, position: number, r: ZRecord) => unknown;

const SPECIAL: Record<string, Getter> = {
  id: (s, p) => s.id(p),
  Created_Time: (_s, _p, r) => zohoDateTime(r.createdAt),
  Modified_Time: (_s, _p, r) => zohoDateTime(r.modifiedAt),
  Created_By: (s, _p, r) => s.tenant.user(r.createdBy),
  Modified_By: (s, _p, r) => s.tenant.user(r.modifiedBy),
};

export function fieldValue(store: ModuleStore, position: number, r: ZRecord, name: string): unknown {
  const special = SPECIAL[name];
  if (special) return special(store, position, r);
  const v = r.f[name];
  return v === undefined ? null : v;
}

/** JSON of shared objects (user refs are cached per tenant, so this hits). */
const objectJson = new WeakMap<object, string>();

/** A value as JSON, with fast paths for the shapes records hold. */
export function jsonValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      const cached = objectJson.get(v as object);
      if (cached !== undefined) return cached;
      const o = v as { name?: unknown; id?: unknown; email?: unknown };
      let out: string;
      // Lookup references {name, id[, email]}
      if (typeof o.id === 'string' && 'name' in o && Object.keys(o).length <= 3) {
        out = `{"name":${o.name === null || o.name === undefined ? 'null' : JSON.stringify(o.name)},"id":"${o.id}"${'email' in o ? `,"email":${JSON.stringify(o.email)}` : ''}}`;
      } else {
        out = JSON.stringify(v);
      }
      if ('email' in o) objectJson.set(v as object, out); // user refs are long-lived shared objects
      return out;
    }
    default:
      return JSON.stringify(v) ?? 'null';
  }
}

type Part = (store: ModuleStore, position: number, r: ZRecord) => string;

export interface Projection {
  keys: string[];
  parts: Part[];
  /** Identity of the projection for the render cache. */
  signature: string;
}

function partFor(key: string): Part {
  const quoted = `${JSON.stringify(key)}:`;
  switch (key) {
    case 'id':
      return (s, p) => `${quoted}"${s.id(p)}"`;
    case 'Created_Time':
      return (_s, _p, r) => `${quoted}"${zohoDateTime(r.createdAt)}"`;
    case 'Modified_Time':
      return (_s, _p, r) => `${quoted}"${zohoDateTime(r.modifiedAt)}"`;
    case 'Created_By':
      return (s, _p, r) => quoted + jsonValue(s.tenant.user(r.createdBy));
    case 'Modified_By':
      return (s, _p, r) => quoted + jsonValue(s.tenant.user(r.modifiedBy));
    case '$se_module':
      return (_s, _p, r) => (r.f.$se_module === undefined ? '' : quoted + jsonValue(r.f.$se_module));
    default:
      return (_s, _p, r) => quoted + jsonValue(r.f[key]);
  }
}

/** The fields to render: `id` first, then the requested ones (all the module's when null). */
export function projection(store: ModuleStore, fields: string[] | null): Projection {
  const names = fields ?? store.def.fields.map((f) => f.api);
  const keys = ['id'];
  for (const n of names) if (n !== 'id' && !keys.includes(n)) keys.push(n);
  // A multi-module lookup travels with its $se_module.
  if ((keys.includes('What_Id') || keys.includes('Parent_Id')) && !keys.includes('$se_module')) keys.push('$se_module');
  return { keys, parts: keys.map(partFor), signature: keys.join(',') };
}

export function renderRecord(store: ModuleStore, position: number, r: ZRecord, proj: Projection): string {
  let out = '{';
  const parts = proj.parts;
  for (let i = 0; i < parts.length; i++) {
    const s = parts[i](store, position, r);
    if (s === '') continue;
    if (i > 0) out += ',';
    out += s;
  }
  return out + '}';
}

/**
 * renderRecord with a per-module cache of rendered rows, valid while nothing in the tenant changed
 * (tenant.version) and for the same projection. `record` is only read on a miss, so a hit costs no
 * record generation at all.
 */
export function renderCached(store: ModuleStore, position: number, record: () => ZRecord, proj: Projection): string {
  const c = store.renderCache;
  const slot = position & (c.pos.length - 1);
  const version = store.tenant.version;
  if (c.pos[slot] === position && c.ver[slot] === version && c.proj[slot] === proj.signature) return c.json[slot];
  const json = renderRecord(store, position, record(), proj);
  if (c.seen[slot] !== position) {
    c.seen[slot] = position;
    return json;
  }
  c.pos[slot] = position;
  c.ver[slot] = version;
  c.proj[slot] = proj.signature;
  c.json[slot] = json;
  return json;
}
