import type { Address, PhoneNumber } from '../../contract';
import type { SfRecord } from '../api';
import { copyIn, copyOut, iso, type Mapped, readAddress, readPhones, ref, refId, type VendorBody, writeAddress, writePhones } from './common';
import { type ModelDef, reverse, writableList } from './types';

const PLAIN = { name: 'Name', description: 'Description', industry: 'Industry', website: 'Website', number_of_employees: 'NumberOfEmployees' };
const PHONES: [string, string][] = [
  ['Phone', 'WORK'],
  ['Fax', 'FAX'],
];

export function readAccount(rec: SfRecord, track = true): Mapped {
  const used = track ? ['OwnerId', 'LastActivityDate'] : null;
  const fields: Mapped['fields'] = {};
  copyOut(rec, PLAIN, fields, used);
  fields.owner = ref('User', rec.OwnerId);
  fields.addresses = [readAddress(rec, 'Billing', 'BILLING', used), readAddress(rec, 'Shipping', 'SHIPPING', used)].filter((a): a is Address => !!a);
  fields.phone_numbers = readPhones(rec, PHONES, used);
  fields.last_activity_at = iso(rec.LastActivityDate);
  fields.remote_created_at = iso(rec.CreatedDate);
  fields.remote_updated_at = iso(rec.LastModifiedDate);
  return { fields, used };
}

export const accountDef: ModelDef = {
  model: 'Account',
  sources: [
    {
      object: 'Account',
      read: readAccount,
      relationFields: { owner: 'OwnerId' },
      stringFields: { name: 'Name', website: 'Website', industry: 'Industry' },
      phoneFields: PHONES.map(([f]) => f),
    },
  ],
  write: {
    objectForCreate: () => 'Account',
    toBody(input) {
      const f = input.fields;
      const body: VendorBody = {};
      copyIn(body, f, PLAIN);
      if ('owner' in f) body.OwnerId = refId(f.owner);
      if ('addresses' in f) {
        const list = (f.addresses ?? []) as Address[];
        const billing = list.find((a) => (a.address_type ?? '').toUpperCase() === 'BILLING') ?? list.find((a) => !a.address_type);
        const shipping = list.find((a) => (a.address_type ?? '').toUpperCase() === 'SHIPPING');
        writeAddress(body, 'Billing', billing);
        writeAddress(body, 'Shipping', shipping);
      }
      if ('phone_numbers' in f) writePhones(body, PHONES, f.phone_numbers as PhoneNumber[]);
      return body;
    },
    commonName: reverse({ ...PLAIN, owner: 'OwnerId', addresses: 'BillingStreet', phone_numbers: 'Phone' }),
    writable: writableList([
      ['name', true],
      ['description', false],
      ['industry', false],
      ['website', false],
      ['number_of_employees', false],
      ['owner', false],
      ['addresses', false],
      ['phone_numbers', false],
    ]),
  },
};
