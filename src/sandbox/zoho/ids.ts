/**
 * Zoho CRM record ids: 19-digit numeric strings. The layout is fixed-width so that lexical order,
 * numeric order and position order coincide, which makes id ranges position ranges:
 *
 *   [7 digits tenant prefix][1 digit 0][2 digits object code][9 digits position]
 *
 * e.g. tenant 3652397, Contacts (code 03), position 41 -> "3652397003000000041".
 * Every value stays below 2^63, so the official SDK's BigInt conversion is exact.
 */

export const ID_LENGTH = 19;
const POSITION_DIGITS = 9;
export const MAX_POSITION = 10 ** POSITION_DIGITS - 1;

/** Object codes (the 2 digits after the tenant prefix). */
export const OBJECT_CODES = {
  org: 0,
  users: 1,
  Accounts: 2,
  Contacts: 3,
  Leads: 4,
  Deals: 5,
  Tasks: 6,
  Calls: 7,
  Events: 8,
  Notes: 9,
  roles: 10,
  profiles: 11,
  layouts: 12,
  pipelines: 13,
  stages: 14,
  fields: 15,
  modules: 16,
} as const;

export function encodeId(tenantPrefix: string, objectCode: number, position: number): string {
  if (!Number.isInteger(position) || position < 0 || position > MAX_POSITION) throw new Error(`position out of range: ${position}`);
  return `${tenantPrefix}0${objectCode < 10 ? '0' : ''}${objectCode}${String(position).padStart(POSITION_DIGITS, '0')}`;
}

/** The position an id stands for in that tenant and object, or -1 when the id is not one of them. */
export function decodeId(id: unknown, tenantPrefix: string, objectCode: number): number {
  if (typeof id !== 'string' || id.length !== ID_LENGTH) return -1;
  if (!id.startsWith(tenantPrefix)) return -1;
  const code = (objectCode < 10 ? '0' : '') + String(objectCode);
  if (id.charCodeAt(7) !== 48 || id.slice(8, 10) !== code) return -1;
  const tail = id.slice(10);
  if (!/^\d{9}$/.test(tail)) return -1;
  return Number(tail);
}

export function isZohoId(id: unknown): id is string {
  return typeof id === 'string' && /^\d{1,19}$/.test(id);
}
