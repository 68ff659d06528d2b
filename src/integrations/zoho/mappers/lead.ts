import { address, addressFields, copy, dt, emails, enumOf, phones, ref, str, writeAddress, writeLookup, writeTyped } from './common';
import type { ModuleMapper } from './types';

/** Zoho's standard Lead_Status values -> LeadStatus; custom values come back raw. */
export const LEAD_STATUS: Record<string, string> = {
  'Not Contacted': 'OPEN',
  'Attempted to Contact': 'OPEN',
  'Contact in Future': 'OPEN',
  Contacted: 'OPEN',
  'Pre-Qualified': 'QUALIFIED',
  Qualified: 'QUALIFIED',
  'Not Qualified': 'UNQUALIFIED',
  'Junk Lead': 'UNQUALIFIED',
  'Lost Lead': 'CLOSED',
};
export const LEAD_STATUS_OUT: Record<string, string> = { OPEN: 'Not Contacted', QUALIFIED: 'Pre-Qualified', UNQUALIFIED: 'Not Qualified', CLOSED: 'Lost Lead' };

const EMAILS = { Email: 'PRIMARY', Secondary_Email: 'SECONDARY' };
const PHONES = { Phone: 'PHONE', Mobile: 'MOBILE', Fax: 'FAX' };

/** Leads -> Lead (converted leads included: Converted__s, Converted_Date_Time, Converted_Contact/Account). */
export const leadMapper: ModuleMapper = {
  model: 'Lead',
  module: 'Leads',
  mapped: ['Owner', 'Lead_Source', 'Designation', 'Company', 'First_Name', 'Last_Name', ...addressFields('', 'Zip_Code'), ...Object.keys(EMAILS), ...Object.keys(PHONES), 'Created_Time', 'Modified_Time', 'Converted_Date_Time', 'Converted_Contact', 'Converted_Account', 'Lead_Status'],
  fieldOf: { Owner: 'owner', Lead_Source: 'lead_source', Designation: 'title', Company: 'company', First_Name: 'first_name', Last_Name: 'last_name', Email: 'email_addresses', Phone: 'phone_numbers', Street: 'addresses', Lead_Status: 'status' },
  relationField: { owner: 'Owner', converted_account: 'Converted_Account', converted_contact: 'Converted_Contact' },
  read: (r) => ({
    owner: ref('User', r.Owner),
    lead_source: str(r.Lead_Source),
    title: str(r.Designation),
    company: str(r.Company),
    first_name: str(r.First_Name),
    last_name: str(r.Last_Name),
    addresses: address(r, '', 'Zip_Code', null),
    email_addresses: emails(r, EMAILS),
    phone_numbers: phones(r, PHONES),
    remote_created_at: dt(r.Created_Time),
    remote_updated_at: dt(r.Modified_Time),
    converted_date: dt(r.Converted_Date_Time),
    converted_contact: ref('Contact', r.Converted_Contact),
    converted_account: ref('Account', r.Converted_Account),
    status: enumOf(r.Lead_Status, LEAD_STATUS),
  }),
  write(f) {
    const out: Record<string, unknown> = {};
    copy(out, f, { lead_source: 'Lead_Source', title: 'Designation', company: 'Company', first_name: 'First_Name', last_name: 'Last_Name' });
    writeLookup(out, 'Owner', f.owner);
    writeAddress(out, f.addresses, '', 'Zip_Code', null);
    writeTyped(out, f.email_addresses, { Email: 'PRIMARY' });
    writeTyped(out, f.phone_numbers, { Phone: 'PHONE', Mobile: 'MOBILE' });
    if (f.status !== undefined) out.Lead_Status = f.status === null ? null : (LEAD_STATUS_OUT[String(f.status)] ?? f.status);
    return out;
  },
  writable: [
    { field: 'owner', requiredOnCreate: false },
    { field: 'lead_source', requiredOnCreate: false },
    { field: 'title', requiredOnCreate: false },
    { field: 'company', requiredOnCreate: false },
    { field: 'first_name', requiredOnCreate: false },
    { field: 'last_name', requiredOnCreate: true },
    { field: 'addresses', requiredOnCreate: false },
    { field: 'email_addresses', requiredOnCreate: false },
    { field: 'phone_numbers', requiredOnCreate: false },
    { field: 'status', requiredOnCreate: false },
  ],
};
