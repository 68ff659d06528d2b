import { OBJECT_NAMES, type ObjectName } from './schema';

/**
 * Record ids are HubSpot-style numeric strings with a fixed width (12 digits) and an
 * order-preserving mapping to collection positions: id = base(object) + position. So an id range
 * is a position range, `hs_object_id GT x` is a seek, and ids of different objects never collide.
 */

const SPAN = 10_000_000_000; // positions per object type
const BASES = new Map<ObjectName, number>(OBJECT_NAMES.map((o, k) => [o, (10 + k) * SPAN]));

export function idOf(object: ObjectName, position: number): string {
  return String((BASES.get(object) as number) + position);
}

/** Position of an id of that object, or -1 when the text is not one of its ids. */
export function positionOf(object: ObjectName, id: string | number): number {
  const s = typeof id === 'number' ? String(id) : id;
  if (s.length !== 12 || !/^\d{12}$/.test(s)) return -1;
  const p = Number(s) - (BASES.get(object) as number);
  return p >= 0 && p < SPAN ? p : -1;
}

/** Owner ids (8 digits) and user ids, from the seed user index. */
export const OWNER_BASE = 41_000_000;
export const USER_BASE = 5_200_000;
export const ownerIdOf = (userIndex: number): string => String(OWNER_BASE + userIndex);
export function ownerIndexOf(id: string): number {
  if (!/^\d{1,12}$/.test(id)) return -1;
  const n = Number(id) - OWNER_BASE;
  return n >= 0 && n < 1_000_000 ? n : -1;
}

/**
 * List paging cursor (`after`): like HubSpot's object lists, the id of the next record to return
 * (ids are order-preserving, so this is a seek). Base64 cursors of a position ("NTI1", the shape in
 * HubSpot's docs) are accepted too.
 */
export function encodeAfter(object: ObjectName, position: number): string {
  return idOf(object, position);
}

export function encodeAfterBase64(position: number): string {
  return Buffer.from(String(position)).toString('base64url');
}

export function decodeAfter(object: ObjectName, after: string): number | undefined {
  if (/^\d{12}$/.test(after)) {
    const p = positionOf(object, after);
    return p < 0 ? undefined : p;
  }
  const text = Buffer.from(after.replace(/=+$/, ''), 'base64url').toString('utf8').trim();
  if (!/^\d{1,10}$/.test(text)) return undefined;
  return Number(text);
}
