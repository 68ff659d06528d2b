import type { CommonValue } from '../../contract';
import { copy, dt, ref, refId, seRef, str, writeLookup } from './common';
import type { ModuleMapper } from './types';

/** The Parent_Id of a note / What_Id of an activity from the first relation given (opportunity, contact, account). */
export function writeParent(out: Record<string, unknown>, field: string, f: Record<string, CommonValue>, order: [string, string][]): void {
  let touched = false;
  for (const [common, module] of order) {
    if (f[common] === undefined) continue;
    touched = true;
    const id = refId(f[common]);
    if (id) {
      out[field] = { id };
      out.$se_module = module;
      return;
    }
  }
  if (touched) out[field] = null;
}

/** Notes -> Note: Parent_Id + $se_module (Contacts, Accounts, Deals) gives contact / account / opportunity. */
export const noteMapper: ModuleMapper = {
  model: 'Note',
  module: 'Notes',
  mapped: ['Owner', 'Note_Content', 'Parent_Id', '$se_module', 'Created_Time', 'Modified_Time'],
  fieldOf: { Owner: 'owner', Note_Content: 'content', Parent_Id: 'contact', $se_module: 'contact' },
  relationField: { owner: 'Owner', contact: 'Parent_Id', account: 'Parent_Id', opportunity: 'Parent_Id' },
  read: (r) => ({
    owner: ref('User', r.Owner),
    content: str(r.Note_Content),
    contact: seRef(r, 'Parent_Id', 'Contacts', 'Contact'),
    account: seRef(r, 'Parent_Id', 'Accounts', 'Account'),
    opportunity: seRef(r, 'Parent_Id', 'Deals', 'Opportunity'),
    remote_created_at: dt(r.Created_Time),
    remote_updated_at: dt(r.Modified_Time),
  }),
  write(f) {
    const out: Record<string, unknown> = {};
    copy(out, f, { content: 'Note_Content' });
    writeLookup(out, 'Owner', f.owner);
    writeParent(out, 'Parent_Id', f, [
      ['opportunity', 'Deals'],
      ['contact', 'Contacts'],
      ['account', 'Accounts'],
    ]);
    return out;
  },
  writable: [
    { field: 'owner', requiredOnCreate: false },
    { field: 'content', requiredOnCreate: true },
    // Zoho needs one parent (Parent_Id): any one of these.
    { field: 'contact', requiredOnCreate: false },
    { field: 'account', requiredOnCreate: false },
    { field: 'opportunity', requiredOnCreate: false },
  ],
};
