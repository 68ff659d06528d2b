import type { Address, EmailAddress, PhoneNumber } from '../../contract';
import type { SfRecord } from '../api';
import { copyIn, copyOut, iso, type Mapped, readAddress, readEmails, readPhones, ref, refId, soqlIn, type VendorBody, writeAddress, writePhones } from './common';
import { PERSON_PHONES, writeEmail } from './contact';
import { type ModelDef, reverse, writableList } from './types';

const PLAIN = { first_name: 'FirstName', last_name: 'LastName', company: 'Company', title: 'Title', lead_source: 'LeadSource' };

/** The standard Lead Status picklist; values an org added that are not here come back as is. */
export const LEAD_STATUS: Record<string, string> = {
  'Open - Not Contacted': 'OPEN',
  'Working - Contacted': 'OPEN',
  Open: 'OPEN',
  Working: 'OPEN',
  New: 'OPEN',
  Contacted: 'OPEN',
  Qualified: 'QUALIFIED',
  'Closed - Converted': 'CLOSED',
  Converted: 'CLOSED',
  Closed: 'CLOSED',
  'Closed - Not Converted': 'UNQUALIFIED',
  Unqualified: 'UNQUALIFIED',
  Disqualified: 'UNQUALIFIED',
};
/** Common status -> the picklist value a write sends. */
const LEAD_STATUS_OUT: Record<string, string> = { OPEN: 'Open - Not Contacted', QUALIFIED: 'Qualified', CLOSED: 'Closed - Converted', UNQUALIFIED: 'Closed - Not Converted' };

export function leadStatus(value: unknown): string | null {
  if (typeof value !== 'string' || !value) return null;
  return LEAD_STATUS[value] ?? value;
}

export function readLead(rec: SfRecord, track = true): Mapped {
  const used = track ? ['OwnerId', 'Status', 'ConvertedDate', 'ConvertedContactId', 'ConvertedAccountId', 'Name'] : null;
  const fields: Mapped['fields'] = {};
  copyOut(rec, PLAIN, fields, used);
  fields.owner = ref('User', rec.OwnerId);
  fields.addresses = [readAddress(rec, '', null, used)].filter((a): a is Address => !!a);
  fields.email_addresses = readEmails(rec, 'Email', used);
  fields.phone_numbers = readPhones(rec, PERSON_PHONES, used);
  fields.remote_created_at = iso(rec.CreatedDate);
  fields.remote_updated_at = iso(rec.LastModifiedDate);
  fields.converted_date = iso(rec.ConvertedDate);
  fields.converted_contact = ref('Contact', rec.ConvertedContactId);
  fields.converted_account = ref('Account', rec.ConvertedAccountId);
  fields.status = leadStatus(rec.Status);
  return { fields, used };
}

export const leadDef: ModelDef = {
  model: 'Lead',
  sources: [
    {
      object: 'Lead',
      read: readLead,
      relationFields: { owner: 'OwnerId', converted_account: 'ConvertedAccountId', converted_contact: 'ConvertedContactId' },
      stringFields: { company: 'Company', first_name: 'FirstName', last_name: 'LastName', title: 'Title', lead_source: 'LeadSource' },
      emailFields: ['Email'],
      phoneFields: PERSON_PHONES.map(([f]) => f),
      enumClause(field, value) {
        if (field !== 'status') return undefined;
        const values = Object.entries(LEAD_STATUS).filter(([, c]) => c === value).map(([v]) => v);
        return `Status IN ${soqlIn(values.length ? values : [value])}`;
      },
    },
  ],
  write: {
    objectForCreate: () => 'Lead',
    toBody(input) {
      const f = input.fields;
      const body: VendorBody = {};
      copyIn(body, f, PLAIN);
      if ('owner' in f) body.OwnerId = refId(f.owner);
      if ('addresses' in f) writeAddress(body, '', ((f.addresses ?? []) as Address[])[0]);
      if ('email_addresses' in f) writeEmail(body, f.email_addresses as EmailAddress[]);
      if ('phone_numbers' in f) writePhones(body, PERSON_PHONES, f.phone_numbers as PhoneNumber[]);
      if ('status' in f) body.Status = typeof f.status === 'string' ? (LEAD_STATUS_OUT[f.status] ?? f.status) : null;
      return body;
    },
    commonName: reverse({ ...PLAIN, owner: 'OwnerId', status: 'Status', email_addresses: 'Email', phone_numbers: 'Phone', addresses: 'Street' }),
    writable: writableList([
      ['first_name', false],
      ['last_name', true],
      ['company', true],
      ['title', false],
      ['lead_source', false],
      ['owner', false],
      ['addresses', false],
      ['email_addresses', false],
      ['phone_numbers', false],
      ['status', false],
    ]),
  },
};
