import type { ModelName } from '../../../models/spec';
import type { Address, CommonValue, EmailAddress, PhoneNumber, RemoteRef } from '../../contract';
import { isoUtc, zohoDate, zohoDateTime } from '../api';
import type { Raw } from './types';

/** Helpers shared by the per-model mappers. */

export function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v === '' || v === '-None-' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

export function num(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

export function int(v: unknown): number | null {
  const n = num(v);
  return n === null ? null : Math.trunc(n);
}

export const dt = isoUtc;

/** A Zoho date (YYYY-MM-DD) as an ISO 8601 UTC datetime at midnight. */
export function dateAsIso(v: unknown): string | null {
  if (typeof v !== 'string' || !v) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return `${v}T00:00:00.000Z`;
  return isoUtc(v);
}

export function lookupId(v: unknown): string | null {
  if (v && typeof v === 'object' && 'id' in v) {
    const id = (v as { id: unknown }).id;
    return id === null || id === undefined || id === '' ? null : String(id);
  }
  if (typeof v === 'string' && v) return v;
  return null;
}

export function ref(model: ModelName, v: unknown): RemoteRef | null {
  const id = lookupId(v);
  return id ? { model, remoteId: id } : null;
}

/** The lookup of a multi-module field (What_Id / Parent_Id) when `$se_module` is `module`. */
export function seRef(raw: Raw, field: string, module: string, model: ModelName): RemoteRef | null {
  const se = raw.$se_module;
  if (typeof se === 'string' && se !== module) return null;
  if (typeof se !== 'string') return null;
  return ref(model, raw[field]);
}

// ---- countries -------------------------------------------------------------------------------

const EXCEPTIONAL = new Set(['FX', 'UK', 'EU', 'EZ', 'UN', 'QO', 'ZZ', 'DD', 'YU', 'CS', 'SU', 'TP', 'ZR', 'BU', 'NT', 'AN']);
let COUNTRY_CODES: Map<string, string> | undefined;
function countryCodes(): Map<string, string> {
  if (COUNTRY_CODES) return COUNTRY_CODES;
  const m = new Map<string, string>();
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  const A = 'A'.charCodeAt(0);
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) {
      const code = String.fromCharCode(A + i, A + j);
      let name: string | undefined;
      try {
        name = names.of(code);
      } catch {
        name = undefined;
      }
      // First code wins; skip exceptional reservations (FX metropolitan France, UK, EU, UN, ...).
      if (name && name !== code && !EXCEPTIONAL.has(code) && !m.has(name.toLowerCase())) m.set(name.toLowerCase(), code);
    }
  }
  for (const [alias, code] of Object.entries({ usa: 'US', 'united states of america': 'US', us: 'US', uk: 'GB', 'great britain': 'GB', england: 'GB', uae: 'AE', 'south korea': 'KR', russia: 'RU' })) m.set(alias, code);
  COUNTRY_CODES = m;
  return m;
}

/** ISO 3166 alpha-2 when the vendor's value maps, else the vendor's value. */
export function country(v: unknown): string | null {
  const s = str(v);
  if (s === null) return null;
  const t = s.trim();
  if (/^[A-Za-z]{2}$/.test(t)) return t.toUpperCase();
  return countryCodes().get(t.toLowerCase()) ?? s;
}

/** An address from `{prefix}Street/City/State/{zip}/Country`, or none when all are empty. */
export function address(raw: Raw, prefix: string, zip: string, type: string | null): Address[] {
  // Field names built once per prefix: a key concatenated per call costs a fresh string and hash on every record.
  const [street, city, state, postal, countryField] = addressKeys(prefix, zip);
  const a: Address = {
    street_1: str(raw[street]),
    street_2: null,
    city: str(raw[city]),
    state: str(raw[state]),
    postal_code: str(raw[postal]),
    country: country(raw[countryField]),
    address_type: type,
  };
  return a.street_1 || a.city || a.state || a.postal_code || a.country ? [a] : [];
}

export function addressFields(prefix: string, zip: string): string[] {
  return [`${prefix}Street`, `${prefix}City`, `${prefix}State`, `${prefix}${zip}`, `${prefix}Country`];
}

const ADDRESS_KEYS = new Map<string, Map<string, readonly string[]>>();
function addressKeys(prefix: string, zip: string): readonly string[] {
  let byZip = ADDRESS_KEYS.get(prefix);
  if (!byZip) ADDRESS_KEYS.set(prefix, (byZip = new Map()));
  let keys = byZip.get(zip);
  if (!keys) byZip.set(zip, (keys = addressFields(prefix, zip)));
  return keys;
}

/** Writes the first address of the given type (or the first one) into prefix fields. */
export function writeAddress(out: Raw, value: CommonValue | undefined, prefix: string, zip: string, type: string | null): void {
  if (value === undefined) return;
  const list = (Array.isArray(value) ? value : []) as Address[];
  const a = list.find((x) => type === null || x.address_type === type) ?? (type === null ? list[0] : undefined);
  out[`${prefix}Street`] = a ? [a.street_1, a.street_2].filter(Boolean).join('\n') || null : null;
  out[`${prefix}City`] = a?.city ?? null;
  out[`${prefix}State`] = a?.state ?? null;
  out[`${prefix}${zip}`] = a?.postal_code ?? null;
  out[`${prefix}Country`] = a?.country ?? null;
}

/** email / phone sub-objects from vendor fields, typed by field. */
/** Entries of the mappers' constant field tables, listed once instead of once per record. */
const ENTRIES = new WeakMap<Record<string, string>, [string, string][]>();
function entriesOf(fields: Record<string, string>): [string, string][] {
  let e = ENTRIES.get(fields);
  if (!e) ENTRIES.set(fields, (e = Object.entries(fields)));
  return e;
}

export function emails(raw: Raw, fields: Record<string, string>): EmailAddress[] {
  const out: EmailAddress[] = [];
  for (const [f, type] of entriesOf(fields)) {
    const v = str(raw[f]);
    if (v) out.push({ email_address: v, email_address_type: type });
  }
  return out;
}

export function phones(raw: Raw, fields: Record<string, string>): PhoneNumber[] {
  const out: PhoneNumber[] = [];
  for (const [f, type] of entriesOf(fields)) {
    const v = str(raw[f]);
    if (v) out.push({ phone_number: v, phone_number_type: type });
  }
  return out;
}

/** Writes a list of emails/phones back: each vendor field takes the entry of its type, else the next untyped entry in order. */
export function writeTyped(out: Raw, value: CommonValue | undefined, fields: Record<string, string>): void {
  type T = EmailAddress | PhoneNumber;
  const valueOf = (t: T) => ('email_address' in t ? t.email_address : t.phone_number);
  if (value === undefined) return;
  const list = ((Array.isArray(value) ? value : []) as T[]).slice();
  const typeOf = (t: T) => ('email_address_type' in t ? t.email_address_type : (t as PhoneNumber).phone_number_type);
  const used = new Set<T>();
  const entries = Object.entries(fields);
  for (const [f, type] of entries) {
    const hit = list.find((t) => !used.has(t) && typeOf(t) === type);
    if (hit) {
      used.add(hit);
      out[f] = valueOf(hit);
    }
  }
  for (const [f] of entries) {
    if (f in out) continue;
    const next = list.find((t) => !used.has(t) && !entries.some(([, ty]) => ty === typeOf(t)));
    if (next) {
      used.add(next);
      out[f] = valueOf(next);
    } else out[f] = null;
  }
}

export function refId(v: CommonValue | undefined): string | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (Array.isArray(v)) return (v[0] as RemoteRef | undefined)?.remoteId ?? null;
  if (typeof v === 'object' && 'remoteId' in v) return v.remoteId;
  if (typeof v === 'string') return v;
  return null;
}

export function refIds(v: CommonValue | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  if (v === null) return [];
  if (Array.isArray(v)) return (v as RemoteRef[]).map((r) => (typeof r === 'string' ? r : r.remoteId)).filter(Boolean);
  const one = refId(v);
  return one ? [one] : [];
}

/** Sets `out[field]` = `{id}` / null when the common relation is given. */
export function writeLookup(out: Raw, field: string, v: CommonValue | undefined): void {
  const id = refId(v);
  if (id === undefined) return;
  out[field] = id === null ? null : { id };
}

export function writeDateTime(v: CommonValue | undefined): string | null | undefined {
  if (v === undefined) return undefined;
  if (v === null || v === '') return null;
  const ms = Date.parse(String(v));
  return Number.isNaN(ms) ? String(v) : zohoDateTime(new Date(ms));
}

export function writeDate(v: CommonValue | undefined): string | null | undefined {
  if (v === undefined) return undefined;
  return zohoDate(v);
}

/** Copies the common scalar fields given into vendor fields. */
export function copy(out: Raw, fields: Record<string, CommonValue>, map: Record<string, string>): void {
  for (const [common, vendor] of Object.entries(map)) {
    if (fields[common] !== undefined) out[vendor] = fields[common];
  }
}

/** Maps an enum by table; values not in it come back as the vendor's raw string. */
export function enumOf(v: unknown, table: Record<string, string>): string | null {
  const s = str(v);
  if (s === null) return null;
  return table[s] ?? table[s.toLowerCase()] ?? s;
}
