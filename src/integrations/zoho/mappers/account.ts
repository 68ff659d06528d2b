import { address, addressFields, copy, dt, int, phones, ref, str, writeAddress, writeLookup, writeTyped } from './common';
import type { ModuleMapper } from './types';

const PHONES = { Phone: 'PHONE', Fax: 'FAX' };

/** Accounts -> Account. Billing_* and Shipping_* are the BILLING and SHIPPING addresses. */
export const accountMapper: ModuleMapper = {
  model: 'Account',
  module: 'Accounts',
  mapped: ['Owner', 'Account_Name', 'Description', 'Industry', 'Website', 'Employees', ...addressFields('Billing_', 'Code'), ...addressFields('Shipping_', 'Code'), ...Object.keys(PHONES), 'Last_Activity_Time', 'Created_Time', 'Modified_Time'],
  fieldOf: { Owner: 'owner', Account_Name: 'name', Description: 'description', Industry: 'industry', Website: 'website', Employees: 'number_of_employees', Phone: 'phone_numbers', Billing_Street: 'addresses', Shipping_Street: 'addresses' },
  relationField: { owner: 'Owner' },
  read: (r) => ({
    owner: ref('User', r.Owner),
    name: str(r.Account_Name),
    description: str(r.Description),
    industry: str(r.Industry),
    website: str(r.Website),
    number_of_employees: int(r.Employees),
    addresses: [...address(r, 'Billing_', 'Code', 'BILLING'), ...address(r, 'Shipping_', 'Code', 'SHIPPING')],
    phone_numbers: phones(r, PHONES),
    last_activity_at: dt(r.Last_Activity_Time),
    remote_created_at: dt(r.Created_Time),
    remote_updated_at: dt(r.Modified_Time),
  }),
  write(f) {
    const out: Record<string, unknown> = {};
    copy(out, f, { name: 'Account_Name', description: 'Description', industry: 'Industry', website: 'Website', number_of_employees: 'Employees' });
    writeLookup(out, 'Owner', f.owner);
    writeAddress(out, f.addresses, 'Billing_', 'Code', 'BILLING');
    writeAddress(out, f.addresses, 'Shipping_', 'Code', 'SHIPPING');
    writeTyped(out, f.phone_numbers, PHONES);
    return out;
  },
  writable: [
    { field: 'owner', requiredOnCreate: false },
    { field: 'name', requiredOnCreate: true },
    { field: 'description', requiredOnCreate: false },
    { field: 'industry', requiredOnCreate: false },
    { field: 'website', requiredOnCreate: false },
    { field: 'number_of_employees', requiredOnCreate: false },
    { field: 'addresses', requiredOnCreate: false },
    { field: 'phone_numbers', requiredOnCreate: false },
  ],
};
