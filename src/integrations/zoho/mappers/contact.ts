import { address, addressFields, copy, dt, emails, phones, ref, str, writeAddress, writeLookup, writeTyped } from './common';
import type { ModuleMapper } from './types';

export const CONTACT_EMAILS = { Email: 'PRIMARY', Secondary_Email: 'SECONDARY' };
const PHONES = { Phone: 'PHONE', Mobile: 'MOBILE', Home_Phone: 'HOME', Other_Phone: 'OTHER', Asst_Phone: 'ASSISTANT', Fax: 'FAX' };

/** Contacts -> Contact. Mailing_* and Other_* addresses (no billing/shipping type). */
export const contactMapper: ModuleMapper = {
  model: 'Contact',
  module: 'Contacts',
  mapped: ['First_Name', 'Last_Name', 'Account_Name', 'Owner', ...addressFields('Mailing_', 'Zip'), ...addressFields('Other_', 'Zip'), ...Object.keys(CONTACT_EMAILS), ...Object.keys(PHONES), 'Last_Activity_Time', 'Created_Time', 'Modified_Time'],
  fieldOf: { First_Name: 'first_name', Last_Name: 'last_name', Account_Name: 'account', Owner: 'owner', Email: 'email_addresses', Secondary_Email: 'email_addresses', Phone: 'phone_numbers', Mobile: 'phone_numbers', Mailing_Street: 'addresses' },
  relationField: { account: 'Account_Name', owner: 'Owner' },
  read: (r) => ({
    first_name: str(r.First_Name),
    last_name: str(r.Last_Name),
    account: ref('Account', r.Account_Name),
    owner: ref('User', r.Owner),
    addresses: [...address(r, 'Mailing_', 'Zip', null), ...address(r, 'Other_', 'Zip', null)],
    email_addresses: emails(r, CONTACT_EMAILS),
    phone_numbers: phones(r, PHONES),
    last_activity_at: dt(r.Last_Activity_Time),
    remote_created_at: dt(r.Created_Time),
  }),
  write(f) {
    const out: Record<string, unknown> = {};
    copy(out, f, { first_name: 'First_Name', last_name: 'Last_Name' });
    writeLookup(out, 'Account_Name', f.account);
    writeLookup(out, 'Owner', f.owner);
    writeAddress(out, f.addresses, 'Mailing_', 'Zip', null);
    writeTyped(out, f.email_addresses, CONTACT_EMAILS);
    writeTyped(out, f.phone_numbers, { Phone: 'PHONE', Mobile: 'MOBILE' });
    return out;
  },
  writable: [
    { field: 'first_name', requiredOnCreate: false },
    { field: 'last_name', requiredOnCreate: true },
    { field: 'account', requiredOnCreate: false },
    { field: 'owner', requiredOnCreate: false },
    { field: 'addresses', requiredOnCreate: false },
    { field: 'email_addresses', requiredOnCreate: false },
    { field: 'phone_numbers', requiredOnCreate: false },
  ],
};
