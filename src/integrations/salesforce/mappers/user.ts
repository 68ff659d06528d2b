import type { SfRecord } from '../api';
import { type Mapped, str } from './common';
import type { ModelDef } from './types';

export function readUser(rec: SfRecord, track = true): Mapped {
  const name = str(rec.Name) ?? ([str(rec.FirstName), str(rec.LastName)].filter(Boolean).join(' ') || null);
  return { fields: { name, email: str(rec.Email), is_active: typeof rec.IsActive === 'boolean' ? rec.IsActive : null }, used: track ? ['Name', 'Email', 'IsActive'] : null };
}

export const userDef: ModelDef = {
  model: 'User',
  sources: [{ object: 'User', read: readUser, stringFields: { email: 'Email', name: 'Name' }, emailFields: ['Email'] }],
};
