/**
 * Zoho OAuth scope checks: `ZohoCRM.modules.ALL`, `ZohoCRM.modules.contacts.READ`,
 * `ZohoCRM.settings.ALL`, `ZohoCRM.settings.fields.READ`, `ZohoCRM.users.READ`, `ZohoCRM.org.READ`,
 * `ZohoCRM.notifications.ALL`, `ZohoCRM.coql.READ`. Case-insensitive.
 */
export type Access = 'READ' | 'CREATE' | 'UPDATE' | 'DELETE';

export function accessOf(method: string): Access {
  switch (method) {
    case 'POST':
      return 'CREATE';
    case 'PUT':
    case 'PATCH':
      return 'UPDATE';
    case 'DELETE':
      return 'DELETE';
    default:
      return 'READ';
  }
}

const memo = new Map<string, boolean>();

/** True when `granted` (comma/space separated) allows `family[.sub]` with `access` (memoized). */
export function hasScope(granted: string, family: string, sub: string | null, access: Access): boolean {
  const key = `${granted}|${family}|${sub ?? ''}|${access}`;
  let v = memo.get(key);
  if (v === undefined) {
    v = computeHasScope(granted, family, sub, access);
    if (memo.size > 10_000) memo.clear();
    memo.set(key, v);
  }
  return v;
}

function computeHasScope(granted: string, family: string, sub: string | null, access: Access): boolean {
  const scopes = granted.split(/[\s,]+/).filter(Boolean).map((s) => s.toLowerCase());
  const f = family.toLowerCase();
  const a = access.toLowerCase();
  for (const s of scopes) {
    const parts = s.split('.');
    if (parts[0] !== 'zohocrm' || parts[1] !== f) continue;
    if (parts.length === 3 && (parts[2] === 'all' || parts[2] === a)) return true;
    if (parts.length === 4 && sub && parts[2] === sub.toLowerCase() && (parts[3] === 'all' || parts[3] === a)) return true;
    if (parts.length === 4 && parts[2] === 'all' && (parts[3] === 'all' || parts[3] === a)) return true;
  }
  return false;
}
