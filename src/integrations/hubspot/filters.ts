import { MODELS, type ModelName } from '../../models/spec';
import type { EmailAddress, ListFilters, PhoneNumber, RemoteRecord, RemoteRef } from '../contract';

/**
 * The client-side check of every ListFilters entry on a mapped record. Vendor queries pre-select
 * (see each mapper's serverFilters); this decides, so a filter HubSpot cannot express exactly
 * (substring names, additional emails, phone formats, relations on archived records) still holds.
 */

const digits = (s: string) => s.replace(/\D+/g, '');
const time = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : NaN);

function refMatches(v: unknown, id: string): boolean {
  if (Array.isArray(v)) return v.some((x) => (x as RemoteRef)?.remoteId === id);
  return !!v && typeof v === 'object' && (v as RemoteRef).remoteId === id;
}

function inRange(value: number, gt?: Date, lt?: Date): boolean {
  if (Number.isNaN(value)) return !gt && !lt;
  if (gt && !(value > gt.getTime())) return false;
  if (lt && !(value < lt.getTime())) return false;
  return true;
}

export function matches(model: ModelName, r: RemoteRecord, f: ListFilters): boolean {
  if (r.remoteWasDeleted && !f.includeDeleted) return false;
  if (f.remoteId !== undefined && r.remoteId !== f.remoteId) return false;
  if ((f.createdAfter || f.createdBefore) && !inRange(time(r.remoteCreatedAt), f.createdAfter, f.createdBefore)) return false;
  if ((f.modifiedAfter || f.modifiedBefore) && !inRange(time(r.remoteUpdatedAt), f.modifiedAfter, f.modifiedBefore)) return false;
  // for-in, not Object.entries: this runs for every record of every page, and the maps are usually empty.
  const { relations, strings, enums, datetimes } = f;
  if (relations) for (const field in relations) if (!refMatches(r.fields[field], relations[field])) return false;
  const specFilters = MODELS[model].filters;
  if (strings) for (const field in strings) {
    const want = strings[field];
    const have = r.fields[field];
    if (typeof have !== 'string') return false;
    const spec = specFilters.find((x) => x.kind === 'string' && x.field === field) as { match?: string } | undefined;
    const a = have.toLowerCase();
    const b = want.toLowerCase();
    if (spec?.match === 'contains' ? !a.includes(b) : a !== b) return false;
  }
  if (f.email !== undefined) {
    const list = (r.fields.email_addresses ?? []) as EmailAddress[];
    if (!list.some((e) => e.email_address.toLowerCase() === f.email!.toLowerCase())) return false;
  }
  if (f.phone !== undefined) {
    const want = digits(f.phone);
    const list = (r.fields.phone_numbers ?? []) as PhoneNumber[];
    if (!list.some((p) => (want ? digits(p.phone_number) === want : p.phone_number === f.phone))) return false;
  }
  if (enums) for (const field in enums) if (r.fields[field] !== enums[field]) return false;
  if (datetimes) for (const field in datetimes) {
    const range = datetimes[field];
    const v = field === 'remote_created_at' ? (r.fields.remote_created_at ?? r.remoteCreatedAt) : r.fields[field];
    if (!inRange(time(v), range.gt, range.lt)) return false;
  }
  return true;
}

/** Numeric id order (HubSpot ids are decimal strings of varying length). */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length && /^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
