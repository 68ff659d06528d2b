import type { CommonValue } from '../../contract';
import type { SourceSpec } from './types';
import { refIds } from './common';

/** Shared by notes, tasks and engagements (HubSpot's activity objects). */

export function activitySource(type: string, own: string[], ids: { contacts: number; companies: number; deals: number }): SourceSpec {
  return {
    type,
    created: 'hs_createdate',
    modified: 'hs_lastmodifieddate',
    mapped: [...own, 'hs_timestamp', 'hubspot_owner_id'],
    required: ['hs_timestamp'],
    assoc: ['contacts', 'companies', 'deals'],
    assocTypeIds: ids,
  };
}

/** account / contact / opportunity relations -> association targets. */
export function activityAssociations(f: Record<string, CommonValue>, contactsField: 'contact' | 'contacts' = 'contact'): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const contacts = refIds(f[contactsField]);
  if (contacts) out.contacts = contacts;
  const account = refIds(f.account);
  if (account) out.companies = account;
  const opportunity = refIds(f.opportunity);
  if (opportunity) out.deals = opportunity;
  return out;
}
