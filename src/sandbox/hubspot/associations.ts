import { OBJECTS, type ObjectName } from './schema';

/**
 * Association types between the served objects. Each pair is stored on one side only, the
 * "child" (a contact holds its company, a deal its company and contact, an engagement its
 * contact, company and deal); the other direction is answered from a reverse index.
 */

const CHILD_TARGETS: Partial<Record<ObjectName, readonly ObjectName[]>> = {
  contacts: ['companies'],
  deals: ['companies', 'contacts'],
  leads: ['contacts', 'companies'],
  tasks: ['contacts', 'companies', 'deals'],
  notes: ['contacts', 'companies', 'deals'],
  calls: ['contacts', 'companies', 'deals'],
  meetings: ['contacts', 'companies', 'deals'],
  emails: ['contacts', 'companies', 'deals'],
};

/** HubSpot-defined association type ids: [child->parent, parent->child]. */
const TYPE_IDS: Record<string, [number, number]> = {
  'contacts>companies': [279, 280],
  'deals>companies': [341, 342],
  'deals>contacts': [3, 4],
  'leads>contacts': [578, 579],
  'leads>companies': [610, 611],
  'notes>contacts': [202, 201],
  'notes>companies': [190, 189],
  'notes>deals': [214, 213],
  'calls>contacts': [194, 193],
  'calls>companies': [182, 181],
  'calls>deals': [206, 205],
  'emails>contacts': [198, 197],
  'emails>companies': [186, 185],
  'emails>deals': [210, 209],
  'meetings>contacts': [200, 199],
  'meetings>companies': [188, 187],
  'meetings>deals': [212, 211],
  'tasks>contacts': [204, 203],
  'tasks>companies': [192, 191],
  'tasks>deals': [216, 215],
};
/** "Primary" labelled types (contact's and deal's primary company and the reverse). */
const PRIMARY: Record<string, [number, number]> = { 'contacts>companies': [1, 2], 'deals>companies': [5, 6] };

export interface AssocLink {
  /** The object that stores the link. */
  child: ObjectName;
  parent: ObjectName;
  /** True when `from` is the child (forward read), false when it is the parent (reverse). */
  forward: boolean;
}

export function linkBetween(from: ObjectName, to: ObjectName): AssocLink | undefined {
  if (CHILD_TARGETS[from]?.includes(to)) return { child: from, parent: to, forward: true };
  if (CHILD_TARGETS[to]?.includes(from)) return { child: to, parent: from, forward: false };
  return undefined;
}

export interface AssocType {
  category: 'HUBSPOT_DEFINED';
  typeId: number;
  label: string | null;
}

/** v4 associationTypes of a from->to link. */
export function v4Types(from: ObjectName, to: ObjectName): AssocType[] {
  const link = linkBetween(from, to);
  if (!link) return [];
  const key = `${link.child}>${link.parent}`;
  const k = link.forward ? 0 : 1;
  const types: AssocType[] = [];
  if (PRIMARY[key]) types.push({ category: 'HUBSPOT_DEFINED', typeId: PRIMARY[key][k], label: 'Primary' });
  types.push({ category: 'HUBSPOT_DEFINED', typeId: TYPE_IDS[key][k], label: null });
  return types;
}

/** v3 association type name, e.g. "contact_to_company". */
export function v3TypeName(from: ObjectName, to: ObjectName): string {
  return `${OBJECTS[from].singular}_to_${OBJECTS[to].singular}`;
}

/** Which object a HubSpot-defined association type id (seen from `from`) points to. */
export function targetOfTypeId(from: ObjectName, typeId: number): ObjectName | undefined {
  for (const [key, ids] of Object.entries({ ...TYPE_IDS })) {
    const [child, parent] = key.split('>') as [ObjectName, ObjectName];
    const primary = PRIMARY[key];
    if (child === from && (ids[0] === typeId || primary?.[0] === typeId)) return parent;
    if (parent === from && (ids[1] === typeId || primary?.[1] === typeId)) return child;
  }
  return undefined;
}
