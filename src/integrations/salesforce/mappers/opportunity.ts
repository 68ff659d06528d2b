import type { SfRecord } from '../api';
import { toSfDate } from '../api';
import { copyIn, copyOut, iso, type Mapped, ref, refId, type VendorBody } from './common';
import { type ModelDef, reverse, writableList } from './types';

const PLAIN = { name: 'Name', description: 'Description', amount: 'Amount' };

/** IsWon -> WON, IsClosed -> LOST, else OPEN (the stage's own flags decide, whatever its name). */
export function opportunityStatus(rec: SfRecord): string | null {
  if (rec.IsWon === true) return 'WON';
  if (rec.IsClosed === true) return 'LOST';
  if (rec.IsClosed === false) return 'OPEN';
  return null;
}

export function readOpportunity(rec: SfRecord, track = true): Mapped {
  const used = track ? ['OwnerId', 'AccountId', 'StageName', 'IsClosed', 'IsWon', 'LastActivityDate', 'CloseDate'] : null;
  const fields: Mapped['fields'] = {};
  copyOut(rec, PLAIN, fields, used);
  fields.owner = ref('User', rec.OwnerId);
  fields.account = ref('Account', rec.AccountId);
  // Stage remote id = the stage's ApiName, which is the value StageName holds.
  fields.stage = ref('Stage', rec.StageName);
  fields.status = opportunityStatus(rec);
  fields.last_activity_at = iso(rec.LastActivityDate);
  fields.close_date = iso(rec.CloseDate);
  fields.remote_created_at = iso(rec.CreatedDate);
  return { fields, used };
}

export const opportunityDef: ModelDef = {
  model: 'Opportunity',
  sources: [
    {
      object: 'Opportunity',
      read: readOpportunity,
      relationFields: { account: 'AccountId', owner: 'OwnerId', stage: 'StageName' },
      stringFields: { name: 'Name' },
      datetimeFields: { remote_created_at: 'CreatedDate' },
      enumClause(field, value) {
        if (field !== 'status') return undefined;
        if (value === 'WON') return 'IsWon = true';
        if (value === 'LOST') return '(IsClosed = true AND IsWon = false)';
        if (value === 'OPEN') return 'IsClosed = false';
        return undefined;
      },
    },
  ],
  write: {
    objectForCreate: () => 'Opportunity',
    toBody(input) {
      const f = input.fields;
      const body: VendorBody = {};
      copyIn(body, f, PLAIN);
      if ('owner' in f) body.OwnerId = refId(f.owner);
      if ('account' in f) body.AccountId = refId(f.account);
      if ('stage' in f) body.StageName = refId(f.stage);
      if ('close_date' in f) body.CloseDate = toSfDate(f.close_date);
      // status has no field of its own at Salesforce: the stage decides it (IsClosed/IsWon).
      return body;
    },
    commonName: reverse({ ...PLAIN, owner: 'OwnerId', account: 'AccountId', stage: 'StageName', close_date: 'CloseDate' }),
    writable: writableList([
      ['name', true],
      ['description', false],
      ['amount', false],
      ['owner', false],
      ['account', false],
      ['stage', true],
      ['close_date', true],
    ]),
  },
};
