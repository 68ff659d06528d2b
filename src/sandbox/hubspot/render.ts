import { v3TypeName } from './associations';
import { idOf } from './ids';
import type { HubRecord } from './records';
import { OBJECTS, type ObjectDef, type ObjectName } from './schema';
import type { PortalData } from './store';
import { isoTime } from './time';

/**
 * JSON of HubSpot objects (SimplePublicObject[WithAssociations]) built as strings: list pages are
 * the hot path, so no intermediate objects are made per record.
 */

// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON must escape
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029]/;
/** JSON string literal; the common case (nothing to escape) skips JSON.stringify. */
const q = (v: string) => (NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`);

/** Properties to show: the requested ones HubSpot knows (or the defaults) plus the system ones, sorted. */
const listCache = new Map<string, string[]>();

export function propertyList(def: ObjectDef, requested: string[] | undefined): string[] {
  const key = `${def.name}|${requested ? requested.join(',') : ''}`;
  const hit = listCache.get(key);
  if (hit) return hit;
  const list = computeList(def, requested);
  if (listCache.size < 10_000) listCache.set(key, list);
  return list;
}

function computeList(def: ObjectDef, requested: string[] | undefined): string[] {
  const names = new Set<string>(requested && requested.length ? requested.filter((n) => def.byName.has(n)) : def.defaultProps);
  names.add(def.createdProp);
  names.add(def.modifiedProp);
  names.add('hs_object_id');
  return [...names].sort();
}

/** Parses `properties` given repeated and/or comma-separated. */
export function parseList(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => String(v).split(','));
  const out = parts.map((s) => s.trim()).filter(Boolean);
  return out.length ? out : undefined;
}

export interface RenderOptions {
  props: string[];
  associations?: ObjectName[];
  portal: PortalData;
}

/** Keyed by record identity (never copied along by object spreads, unlike a field would be). */
const memo = new WeakMap<HubRecord, { k: string[]; j: string }>();

export function renderRecord(object: ObjectName, position: number, rec: HubRecord, o: RenderOptions, archivedAt?: number): string {
  const plain = archivedAt === undefined && !o.associations?.length;
  // Records are immutable (writes replace them), so a rendering can be memoised on the record for
  // one property list: repeated reads of the same page skip the formatting.
  if (plain) {
    const m = memo.get(rec);
    if (m !== undefined && m.k === o.props) return m.j;
  }
  let s = `{"id":"${idOf(object, position)}","properties":{`;
  const props = o.props;
  for (let i = 0; i < props.length; i++) {
    const v = rec.p[props[i]];
    s += `${i ? ',' : ''}"${props[i]}":${v === undefined || v === null ? 'null' : q(v)}`;
  }
  s += `},"createdAt":"${isoTime(rec.c)}","updatedAt":"${isoTime(archivedAt ?? rec.m)}","archived":${archivedAt === undefined ? 'false' : `true,"archivedAt":"${isoTime(archivedAt)}"`}`;
  if (!plain && archivedAt === undefined) {
    const parts: string[] = [];
    for (const to of o.associations ?? []) {
      const linked = o.portal.associated(object, position, to);
      if (!linked.length) continue;
      const type = v3TypeName(object, to);
      parts.push(`${q(to)}:{"results":[${linked.map((p) => `{"id":"${idOf(to, p)}","type":"${type}"}`).join(',')}]}`);
    }
    if (parts.length) s += `,"associations":{${parts.join(',')}}`;
  }
  s += '}';
  if (plain) memo.set(rec, { k: o.props, j: s });
  return s;
}

export function defOf(object: ObjectName): ObjectDef {
  return OBJECTS[object];
}
