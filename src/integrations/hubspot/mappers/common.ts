import type { ModelName } from '../../../models/spec';
import type { Address, CommonValue, EmailAddress, ListFilters, PhoneNumber, RemoteRef } from '../../contract';
import { isUtcDateTimeHead } from '../../datetimes';
import type { SearchFilter } from '../api';
import type { SourceSpec } from './types';

/** Small conversions shared by the HubSpot mappers. */

export const str = (v: string | null | undefined): string | null => (v === undefined || v === null || v === '' ? null : v);

/** HubSpot datetimes (ISO with ms, or epoch ms) -> ISO 8601 UTC. */
/** Already canonical (what HubSpot sends for datetimes): returned as is, no parse and format. */
const CANONICAL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function iso(v: string | null | undefined): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (v.length === 24 && v.charCodeAt(23) === 90 /* Z */ && isUtcDateTimeHead(v, true)) return v;
  if (CANONICAL_ISO.test(v) && !Number.isNaN(Date.parse(v))) return v;
  const t = /^\d{10,}$/.test(v) ? Number(v) : Date.parse(v);
  return Number.isNaN(t) ? v : new Date(t).toISOString();
}

export function num(v: string | null | undefined): number | null {
  if (v === undefined || v === null || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export function int(v: string | null | undefined): number | null {
  const n = num(v);
  return n === null ? null : Math.round(n);
}

export const ref = (model: ModelName, id: string | null | undefined): RemoteRef | null => (id ? { model, remoteId: String(id) } : null);

export const first = (m: Map<string, string[]> | undefined, id: string): string | null => m?.get(id)?.[0] ?? null;

// ISO 3166 alpha-2 <-> English country names (from the runtime's ICU data).
const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
const NAME_TO_CODE = new Map<string, string>();
/** Region codes ICU names that are not ISO 3166-1 alpha-2 country codes. */
const NOT_ISO = new Set(['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ']);
/** A current alpha-2 code (deprecated aliases such as DD, FX, UK canonicalize to another code). */
const isCurrentCode = (code: string) => !NOT_ISO.has(code) && Intl.getCanonicalLocales(`und-${code}`)[0] === `und-${code}`;
for (let a = 65; a <= 90; a++) {
  for (let b = 65; b <= 90; b++) {
    const code = String.fromCharCode(a, b);
    try {
      const name = regionNames.of(code);
      if (name && name !== code && isCurrentCode(code)) NAME_TO_CODE.set(name.toLowerCase(), code);
    } catch {
      // not a region code
    }
  }
}
for (const [alias, code] of [
  ['usa', 'US'], ['united states of america', 'US'], ['us', 'US'], ['uk', 'GB'], ['england', 'GB'], ['great britain', 'GB'],
  ['deutschland', 'DE'], ['españa', 'ES'], ['россия', 'RU'], ['south korea', 'KR'], ['czech republic', 'CZ'], ['holland', 'NL'],
] as const) NAME_TO_CODE.set(alias, code);

/** A HubSpot country (free text, usually the English name) -> alpha-2 when it maps, else as is. */
export function countryCode(v: string | null | undefined): string | null {
  const s = str(v);
  if (!s) return null;
  if (/^[A-Za-z]{2}$/.test(s) && isCurrentCode(s.toUpperCase()) && regionNames.of(s.toUpperCase()) !== s.toUpperCase()) return s.toUpperCase();
  return NAME_TO_CODE.get(s.trim().toLowerCase()) ?? s;
}

/** Alpha-2 -> the English name HubSpot's country property holds; anything else as is. */
export function countryName(v: string | null | undefined): string {
  if (!v) return '';
  if (/^[A-Za-z]{2}$/.test(v)) {
    const name = regionNames.of(v.toUpperCase());
    if (name && name !== v.toUpperCase()) return name;
  }
  return v;
}

export function address(p: Record<string, string | null>, type: string | null): Address[] {
  const a: Address = {
    street_1: str(p.address),
    street_2: str(p.address2),
    city: str(p.city),
    state: str(p.state),
    postal_code: str(p.zip),
    country: countryCode(p.country),
    address_type: type,
  };
  return a.street_1 || a.street_2 || a.city || a.state || a.postal_code || a.country ? [a] : [];
}

export function phones(p: Record<string, string | null>): PhoneNumber[] {
  const out: PhoneNumber[] = [];
  if (str(p.phone)) out.push({ phone_number: p.phone as string, phone_number_type: 'WORK' });
  if (str(p.mobilephone)) out.push({ phone_number: p.mobilephone as string, phone_number_type: 'MOBILE' });
  return out;
}

export function emails(p: Record<string, string | null>): EmailAddress[] {
  const out: EmailAddress[] = [];
  if (str(p.email)) out.push({ email_address: p.email as string, email_address_type: 'PRIMARY' });
  for (const extra of (p.hs_additional_emails ?? '').split(';').map((e) => e.trim()).filter(Boolean)) {
    out.push({ email_address: extra, email_address_type: 'SECONDARY' });
  }
  return out;
}

// ---- writes -------------------------------------------------------------------------------

/** A common value -> HubSpot property string ('' clears). */
export function out(v: CommonValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** ISO datetime -> what HubSpot datetime properties take (ISO 8601 is accepted as is). */
export function outDate(v: CommonValue | undefined): string {
  if (v === null || v === undefined || v === '') return '';
  const t = Date.parse(String(v));
  return Number.isNaN(t) ? String(v) : new Date(t).toISOString();
}

export const refId = (v: CommonValue | undefined): string | null | undefined => {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && !Array.isArray(v) && 'remoteId' in v) return (v as RemoteRef).remoteId;
  return undefined;
};

export const refIds = (v: CommonValue | undefined): string[] | undefined => {
  if (v === undefined) return undefined;
  if (v === null) return [];
  if (Array.isArray(v)) return (v as unknown[]).map((x) => (typeof x === 'string' ? x : (x as RemoteRef).remoteId)).filter(Boolean);
  const one = refId(v);
  return one ? [one] : [];
};

export function writeAddress(props: Record<string, string>, v: CommonValue | undefined): void {
  if (v === undefined) return;
  const a = (Array.isArray(v) ? v[0] : null) as Address | null | undefined;
  props.address = a?.street_1 ?? '';
  if (a?.street_2 !== undefined) props.address2 = a?.street_2 ?? '';
  props.city = a?.city ?? '';
  props.state = a?.state ?? '';
  props.zip = a?.postal_code ?? '';
  props.country = countryName(a?.country ?? '');
}

export function writePhones(props: Record<string, string>, v: CommonValue | undefined, withMobile: boolean): void {
  if (v === undefined) return;
  const list = (Array.isArray(v) ? v : []) as PhoneNumber[];
  const mobile = withMobile ? list.find((p) => /mobile|cell/i.test(p.phone_number_type ?? '')) : undefined;
  const main = list.find((p) => p !== mobile);
  props.phone = main?.phone_number ?? '';
  if (withMobile) props.mobilephone = mobile?.phone_number ?? '';
}

export function writeEmails(props: Record<string, string>, v: CommonValue | undefined): void {
  if (v === undefined) return;
  const list = (Array.isArray(v) ? v : []) as EmailAddress[];
  props.email = list[0]?.email_address ?? '';
}

export function ownerOut(props: Record<string, string>, v: CommonValue | undefined): void {
  const id = refId(v);
  if (id !== undefined) props.hubspot_owner_id = id ?? '';
}

// ---- filters ------------------------------------------------------------------------------

const ms = (d: Date) => String(d.getTime());

/** created / modified / owner filters every object supports in search. */
export function baseFilters(source: SourceSpec, f: ListFilters): SearchFilter[] {
  const out: SearchFilter[] = [];
  if (f.createdAfter) out.push({ propertyName: source.created, operator: 'GT', value: ms(f.createdAfter) });
  if (f.createdBefore) out.push({ propertyName: source.created, operator: 'LT', value: ms(f.createdBefore) });
  if (f.modifiedAfter) out.push({ propertyName: source.modified, operator: 'GT', value: ms(f.modifiedAfter) });
  if (f.modifiedBefore) out.push({ propertyName: source.modified, operator: 'LT', value: ms(f.modifiedBefore) });
  if (f.remoteId) out.push({ propertyName: 'hs_object_id', operator: 'EQ', value: f.remoteId });
  if (f.relations?.owner) out.push({ propertyName: 'hubspot_owner_id', operator: 'EQ', value: f.relations.owner });
  return out;
}

export function datetimeFilters(prop: string, range: { gt?: Date; lt?: Date } | undefined): SearchFilter[] {
  const out: SearchFilter[] = [];
  if (range?.gt) out.push({ propertyName: prop, operator: 'GT', value: ms(range.gt) });
  if (range?.lt) out.push({ propertyName: prop, operator: 'LT', value: ms(range.lt) });
  return out;
}

export const ENGAGEMENT_MAPPED_SYSTEM = ['hs_timestamp', 'hubspot_owner_id'];
