import type { ModelMapper, SourceSpec } from './types';
import { address, baseFilters, int, iso, out, ownerOut, phones, ref, str, writeAddress, writePhones } from './common';

/** companies -> Account. */
const companies: SourceSpec = {
  type: 'companies',
  created: 'createdate',
  modified: 'hs_lastmodifieddate',
  mapped: ['name', 'description', 'industry', 'website', 'domain', 'numberofemployees', 'address', 'address2', 'city', 'state', 'zip', 'country', 'phone', 'hubspot_owner_id', 'notes_last_updated'],
  required: [],
  assoc: [],
  assocTypeIds: {},
};

const FIELD_OF: Record<string, string> = {
  name: 'name', description: 'description', industry: 'industry', website: 'website', domain: 'website', numberofemployees: 'number_of_employees',
  address: 'addresses', address2: 'addresses', city: 'addresses', state: 'addresses', zip: 'addresses', country: 'addresses', phone: 'phone_numbers',
  hubspot_owner_id: 'owner', notes_last_updated: 'last_activity_at',
};

export const accountMapper: ModelMapper = {
  model: 'Account',
  sources: [companies],
  read: (_s, o) => {
    const p = o.properties;
    return {
      owner: ref('User', p.hubspot_owner_id),
      name: str(p.name),
      description: str(p.description),
      industry: str(p.industry),
      website: str(p.website) ?? str(p.domain),
      number_of_employees: int(p.numberofemployees),
      addresses: address(p, 'BILLING'),
      phone_numbers: phones(p),
      last_activity_at: iso(p.notes_last_updated),
      remote_created_at: iso(p.createdate ?? o.createdAt),
      remote_updated_at: iso(p.hs_lastmodifieddate ?? o.updatedAt),
    };
  },
  write: (f) => {
    const props: Record<string, string> = {};
    for (const [field, prop] of [['name', 'name'], ['description', 'description'], ['industry', 'industry'], ['website', 'website']] as const) {
      if (f[field] !== undefined) props[prop] = out(f[field]);
    }
    if (f.number_of_employees !== undefined) props.numberofemployees = out(f.number_of_employees);
    writeAddress(props, f.addresses);
    writePhones(props, f.phone_numbers, false);
    ownerOut(props, f.owner);
    return { source: companies, properties: props, associations: {} };
  },
  fieldOf: (p) => FIELD_OF[p] ?? p,
  writable: () =>
    ['owner', 'name', 'description', 'industry', 'website', 'number_of_employees', 'addresses', 'phone_numbers'].map((field) => ({ field, required: false })),
  relationParents: {},
  serverFilters: (s, f) => {
    const filters = baseFilters(s, f);
    const name = f.strings?.name;
    // CONTAINS_TOKEN matches words; a single word with wildcards pre-selects, the exact "contains" check runs on our side.
    if (name && /^[^\s*]+$/.test(name)) filters.push({ propertyName: 'name', operator: 'CONTAINS_TOKEN', value: `*${name}*` });
    return [filters];
  },
};
