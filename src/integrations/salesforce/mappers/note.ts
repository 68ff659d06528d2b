import type { SfRecord } from '../api';
import { iso, type Mapped, ref, refId, refIf, str, type VendorBody } from './common';
import { type ModelDef, writableList } from './types';

export function readNote(rec: SfRecord, track = true): Mapped {
  const used = track ? ['OwnerId', 'Body'] : null;
  const fields: Mapped['fields'] = {};
  fields.owner = ref('User', rec.OwnerId);
  fields.content = str(rec.Body);
  // ParentId is polymorphic: 003 contact, 001 account, 006 opportunity; a Lead parent stays in remoteFields.
  fields.contact = refIf('Contact', rec.ParentId);
  fields.account = refIf('Account', rec.ParentId);
  fields.opportunity = refIf('Opportunity', rec.ParentId);
  if (fields.contact || fields.account || fields.opportunity) used?.push('ParentId');
  fields.remote_created_at = iso(rec.CreatedDate);
  fields.remote_updated_at = iso(rec.LastModifiedDate);
  return { fields, used };
}

export const noteDef: ModelDef = {
  model: 'Note',
  sources: [
    {
      object: 'Note',
      read: readNote,
      relationFields: { contact: 'ParentId', account: 'ParentId', opportunity: 'ParentId', owner: 'OwnerId' },
    },
  ],
  write: {
    objectForCreate: () => 'Note',
    toBody(input, op) {
      const f = input.fields;
      const body: VendorBody = {};
      if ('owner' in f) body.OwnerId = refId(f.owner);
      if ('content' in f) body.Body = f.content ?? null;
      if (op === 'create') {
        // ParentId is set on create only: the most specific parent given.
        const parent = refId(f.opportunity) ?? refId(f.contact) ?? refId(f.account);
        if (parent) body.ParentId = parent;
        // Title is required at Salesforce and absent from the common model: derive it from the content.
        const text = typeof f.content === 'string' ? f.content.trim() : '';
        body.Title = (text.split(/\r?\n/)[0] ?? '').slice(0, 80) || 'Note';
      }
      return body;
    },
    commonName: (v) => ({ Body: 'content', OwnerId: 'owner', ParentId: 'contact' })[v],
    writable: writableList([
      ['content', false],
      ['owner', false],
      ['contact', false, false],
      ['account', false, false],
      ['opportunity', false, false],
    ]),
  },
};
