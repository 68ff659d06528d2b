import type { ModelName } from '../../../models/spec';
import type { Address, CommonValue, EmailAddress, PhoneNumber, RemoteRef } from '../../contract';
import { isSfId, type SfRecord, soqlString, toIso } from '../api';

/** Shared helpers of the per-model mappers. */

/** What a vendor record becomes: common fields plus the vendor fields that produced them. */
export interface Mapped {
  fields: Record<string, CommonValue>;
  /**
   * Vendor fields consumed into `fields` (everything else goes to remoteFields); null when not
   * tracked (`read(rec, false)`: the mapped projection shows no remote fields, and the tracking was
   * a quarter of a Contact's mapping time).
   */
  used: string[] | null;
}

/** A body for POST/PATCH /sobjects/X, from common fields. */
export type VendorBody = Record<string, unknown>;

export const SYSTEM_FIELDS = ['Id', 'IsDeleted', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp'];

export function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function ref(model: ModelName, id: unknown): RemoteRef | null {
  return typeof id === 'string' && id !== '' ? { model, remoteId: id } : null;
}

/** Key prefixes of the polymorphic lookups (WhoId, WhatId, ParentId). */
export const PREFIX_MODEL: Record<string, ModelName> = { '003': 'Contact', '00Q': 'Lead', '001': 'Account', '006': 'Opportunity', '005': 'User' };

export function modelOfId(id: unknown): ModelName | undefined {
  return isSfId(id) ? PREFIX_MODEL[id.slice(0, 3)] : undefined;
}

/** The id when it belongs to `model` (by key prefix), else null. */
export function refIf(model: ModelName, id: unknown): RemoteRef | null {
  return modelOfId(id) === model ? { model, remoteId: id as string } : null;
}

export function refId(v: CommonValue | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && !Array.isArray(v) && 'remoteId' in v) return v.remoteId;
  return null;
}

export function refIds(v: CommonValue | undefined): string[] {
  if (Array.isArray(v)) return v.map((x) => refId(x as CommonValue)).filter((x): x is string => !!x);
  const one = refId(v);
  return one ? [one] : [];
}

// ---- countries: ISO 3166 alpha-2 <-> English name, from the runtime's ICU data --------------

let countryByName: Map<string, string> | undefined;
let countryCodes: Set<string> | undefined;
let regionNames: Intl.DisplayNames | undefined;
const EXTRA_NAMES: Record<string, string> = { usa: 'US', 'united states of america': 'US', uk: 'GB', 'great britain': 'GB', england: 'GB', 'south korea': 'KR', russia: 'RU' };

function names(): Map<string, string> {
  if (countryByName) return countryByName;
  countryByName = new Map(Object.entries(EXTRA_NAMES));
  regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const A = 'A'.charCodeAt(0);
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) {
      const code = String.fromCharCode(A + i, A + j);
      // Skip aliases (DD -> DE, FX -> FR, UK -> GB) and groupings (EU, UN, QO).
      if (Intl.getCanonicalLocales(`und-${code}`)[0] !== `und-${code}` || ['EU', 'EZ', 'UN', 'QO', 'ZZ'].includes(code)) continue;
      const name = regionNames.of(code);
      if (name && name !== code && !countryByName.has(name.toLowerCase())) countryByName.set(name.toLowerCase(), code);
    }
  }
  countryCodes = new Set(countryByName.values());
  return countryByName;
}

/** A vendor country (name or code) to ISO 3166 alpha-2 when it maps, else the value as is. */
export function toCountryCode(value: unknown): string | null {
  const s = str(value);
  if (!s) return null;
  const trimmed = s.trim();
  if (/^[A-Za-z]{2}$/.test(trimmed)) {
    names();
    const upper = trimmed.toUpperCase();
    if (countryCodes!.has(upper)) return upper;
  }
  return names().get(trimmed.toLowerCase()) ?? s;
}

/** ISO alpha-2 to the English name Salesforce orgs store in free-text country fields. */
export function fromCountryCode(value: unknown): string | null {
  const s = str(value);
  if (!s) return null;
  if (/^[A-Z]{2}$/.test(s)) {
    names();
    const name = regionNames?.of(s);
    if (name && name !== s) return name;
  }
  return s;
}

// ---- addresses, emails, phones ----------------------------------------------------------------

/** One address from `<prefix>Street/City/State/PostalCode/Country` (null when all are empty). */
/** Field names per address prefix, built once (this runs for every record of every page). */
const ADDRESS_KEYS = new Map<string, string[]>();

export function readAddress(rec: SfRecord, prefix: string, type: string | null, used: string[] | null): Address | null {
  let keys = ADDRESS_KEYS.get(prefix);
  if (!keys) ADDRESS_KEYS.set(prefix, (keys = ['Street', 'City', 'State', 'PostalCode', 'Country'].map((k) => `${prefix}${k}`)));
  if (used) for (const k of keys) if (k in rec) used.push(k);
  const street = str(rec[keys[0]!]);
  const city = str(rec[keys[1]!]);
  const state = str(rec[keys[2]!]);
  const postal = str(rec[keys[3]!]);
  const country = str(rec[keys[4]!]);
  if (!street && !city && !state && !postal && !country) return null;
  const lines = street && (street.includes('\n') || street.includes('\r')) ? street.split(/\r?\n/) : [street ?? ''];
  return {
    street_1: lines[0] || null,
    street_2: lines.slice(1).join('\n') || null,
    city,
    state,
    postal_code: postal,
    country: toCountryCode(country),
    address_type: type,
  };
}

export function writeAddress(body: VendorBody, prefix: string, a: Address | null | undefined): void {
  const street = a ? [a.street_1, a.street_2].filter((x) => x).join('\n') || null : null;
  body[`${prefix}Street`] = street;
  body[`${prefix}City`] = a?.city ?? null;
  body[`${prefix}State`] = a?.state ?? null;
  body[`${prefix}PostalCode`] = a?.postal_code ?? null;
  body[`${prefix}Country`] = fromCountryCode(a?.country ?? null);
}

export function readPhones(rec: SfRecord, map: [field: string, type: string][], used: string[] | null): PhoneNumber[] {
  const out: PhoneNumber[] = [];
  for (const [field, type] of map) {
    if (used && field in rec) used.push(field);
    const v = str(rec[field]);
    if (v) out.push({ phone_number: v, phone_number_type: type });
  }
  return out;
}

/** Phones to vendor fields: a phone whose type names a field goes there, the others fill the free ones in order. */
export function writePhones(body: VendorBody, map: [field: string, type: string][], phones: PhoneNumber[] | null | undefined): void {
  const list = phones ?? [];
  const free = new Set(map.map(([f]) => f));
  for (const [field] of map) body[field] = null;
  const rest: PhoneNumber[] = [];
  for (const p of list) {
    const hit = map.find(([f, t]) => free.has(f) && (p.phone_number_type ?? '').toUpperCase() === t);
    if (hit) {
      body[hit[0]] = p.phone_number;
      free.delete(hit[0]);
    } else rest.push(p);
  }
  for (const p of rest) {
    const field = map.find(([f]) => free.has(f));
    if (!field) break;
    body[field[0]] = p.phone_number;
    free.delete(field[0]);
  }
}

export function readEmails(rec: SfRecord, field: string, used: string[] | null): EmailAddress[] {
  if (used && field in rec) used.push(field);
  const v = str(rec[field]);
  return v ? [{ email_address: v, email_address_type: 'WORK' }] : [];
}

export const iso = toIso;

/** Plain common fields -> vendor fields (strings, numbers), for those present in the input. */
export function copyIn(body: VendorBody, fields: Record<string, CommonValue>, map: Record<string, string>): void {
  for (const [common, vendor] of Object.entries(map)) if (common in fields) body[vendor] = fields[common] ?? null;
}

/** Plain vendor fields -> common fields. */
/** Entries of the mappers' constant field tables, listed once instead of once per record. */
const ENTRIES = new WeakMap<Record<string, string>, [string, string][]>();

export function copyOut(rec: SfRecord, map: Record<string, string>, out: Record<string, CommonValue>, used: string[] | null): void {
  let entries = ENTRIES.get(map);
  if (!entries) ENTRIES.set(map, (entries = Object.entries(map)));
  for (const [common, vendor] of entries) {
    if (!(vendor in rec)) continue;
    used?.push(vendor);
    const v = rec[vendor];
    out[common] = v === undefined ? null : (v as CommonValue);
  }
}

/** A SOQL IN list of string literals. */
export function soqlIn(values: string[]): string {
  return `(${values.map(soqlString).join(', ')})`;
}
