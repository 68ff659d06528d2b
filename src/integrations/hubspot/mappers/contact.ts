import type { ModelMapper, SourceSpec } from './types';
import { address, baseFilters, emails, first, iso, out, ownerOut, phones, ref, refIds, str, writeAddress, writeEmails, writePhones } from './common';

/** contacts -> Contact (account = the primary associated company). */
export const contactsSource: SourceSpec = {
  type: 'contacts',
  created: 'createdate',
  modified: 'lastmodifieddate',
  mapped: ['firstname', 'lastname', 'email', 'hs_additional_emails', 'phone', 'mobilephone', 'address', 'address2', 'city', 'state', 'zip', 'country', 'hubspot_owner_id', 'notes_last_updated'],
  required: [],
  assoc: ['companies'],
  assocTypeIds: { companies: 279 },
};

const FIELD_OF: Record<string, string> = {
  firstname: 'first_name', lastname: 'last_name', email: 'email_addresses', hs_additional_emails: 'email_addresses', phone: 'phone_numbers', mobilephone: 'phone_numbers',
  address: 'addresses', address2: 'addresses', city: 'addresses', state: 'addresses', zip: 'addresses', country: 'addresses', hubspot_owner_id: 'owner', notes_last_updated: 'last_activity_at',
};

export function phoneFilterGroups(phone: string | undefined): { propertyName: string; operator: string; value: string }[][] | undefined {
  if (!phone) return undefined;
  return [[{ propertyName: 'phone', operator: 'EQ', value: phone }], [{ propertyName: 'mobilephone', operator: 'EQ', value: phone }]];
}

export const contactMapper: ModelMapper = {
  model: 'Contact',
  sources: [contactsSource],
  read: (_s, o, ctx) => {
    const p = o.properties;
    return {
      first_name: str(p.firstname),
      last_name: str(p.lastname),
      account: ref('Account', first(ctx.assoc.companies, o.id)),
      owner: ref('User', p.hubspot_owner_id),
      addresses: address(p, null),
      email_addresses: emails(p),
      phone_numbers: phones(p),
      last_activity_at: iso(p.notes_last_updated),
      remote_created_at: iso(p.createdate ?? o.createdAt),
    };
  },
  write: (f) => {
    const props: Record<string, string> = {};
    if (f.first_name !== undefined) props.firstname = out(f.first_name);
    if (f.last_name !== undefined) props.lastname = out(f.last_name);
    writeEmails(props, f.email_addresses);
    writePhones(props, f.phone_numbers, true);
    writeAddress(props, f.addresses);
    ownerOut(props, f.owner);
    const associations: Record<string, string[]> = {};
    const account = refIds(f.account);
    if (account) associations.companies = account;
    return { source: contactsSource, properties: props, associations };
  },
  fieldOf: (p) => FIELD_OF[p] ?? p,
  writable: () => ['first_name', 'last_name', 'account', 'owner', 'addresses', 'email_addresses', 'phone_numbers'].map((field) => ({ field, required: false })),
  relationParents: { account: 'companies' },
  serverFilters: (s, f) => {
    const base = baseFilters(s, f);
    if (f.email) base.push({ propertyName: 'email', operator: 'EQ', value: f.email });
    const alternatives = phoneFilterGroups(f.phone);
    return alternatives ? alternatives.map((alt) => [...base, ...alt]) : [base];
  },
};
