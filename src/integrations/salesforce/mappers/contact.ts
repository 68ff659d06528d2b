import type { Address, EmailAddress, PhoneNumber } from '../../contract';
import type { SfRecord } from '../api';
import { copyIn, copyOut, iso, type Mapped, readAddress, readEmails, readPhones, ref, refId, type VendorBody, writeAddress, writePhones } from './common';
import { type ModelDef, reverse, writableList } from './types';

const PLAIN = { first_name: 'FirstName', last_name: 'LastName' };
export const PERSON_PHONES: [string, string][] = [
  ['Phone', 'WORK'],
  ['MobilePhone', 'MOBILE'],
  ['HomePhone', 'HOME'],
  ['OtherPhone', 'OTHER'],
  ['Fax', 'FAX'],
];

export function readContact(rec: SfRecord, track = true): Mapped {
  const used = track ? ['AccountId', 'OwnerId', 'LastActivityDate', 'Name'] : null;
  const fields: Mapped['fields'] = {};
  copyOut(rec, PLAIN, fields, used);
  fields.account = ref('Account', rec.AccountId);
  fields.owner = ref('User', rec.OwnerId);
  // Mailing is the contact's own address, Other a second one; neither is billing nor shipping.
  fields.addresses = [readAddress(rec, 'Mailing', null, used), readAddress(rec, 'Other', null, used)].filter((a): a is Address => !!a);
  fields.email_addresses = readEmails(rec, 'Email', used);
  fields.phone_numbers = readPhones(rec, PERSON_PHONES, used);
  fields.last_activity_at = iso(rec.LastActivityDate);
  fields.remote_created_at = iso(rec.CreatedDate);
  return { fields, used };
}

export function writeEmail(body: VendorBody, emails: EmailAddress[] | null | undefined): void {
  body.Email = emails?.[0]?.email_address ?? null;
}

export const contactDef: ModelDef = {
  model: 'Contact',
  sources: [
    {
      object: 'Contact',
      read: readContact,
      relationFields: { account: 'AccountId', owner: 'OwnerId' },
      stringFields: { first_name: 'FirstName', last_name: 'LastName' },
      emailFields: ['Email'],
      phoneFields: PERSON_PHONES.map(([f]) => f),
    },
  ],
  write: {
    objectForCreate: () => 'Contact',
    toBody(input) {
      const f = input.fields;
      const body: VendorBody = {};
      copyIn(body, f, PLAIN);
      if ('account' in f) body.AccountId = refId(f.account);
      if ('owner' in f) body.OwnerId = refId(f.owner);
      if ('addresses' in f) {
        const list = (f.addresses ?? []) as Address[];
        writeAddress(body, 'Mailing', list[0]);
        if (list.length > 1) writeAddress(body, 'Other', list[1]);
      }
      if ('email_addresses' in f) writeEmail(body, f.email_addresses as EmailAddress[]);
      if ('phone_numbers' in f) writePhones(body, PERSON_PHONES, f.phone_numbers as PhoneNumber[]);
      return body;
    },
    commonName: reverse({ ...PLAIN, account: 'AccountId', owner: 'OwnerId', email_addresses: 'Email', phone_numbers: 'Phone', addresses: 'MailingStreet' }),
    writable: writableList([
      ['first_name', false],
      ['last_name', true],
      ['account', false],
      ['owner', false],
      ['addresses', false],
      ['email_addresses', false],
      ['phone_numbers', false],
    ]),
  },
};
