import type { SfRecord } from '../api';
import { toSfDate } from '../api';
import { iso, type Mapped, ref, refId, refIf, str, type VendorBody } from './common';
import { type ModelDef, writableList } from './types';

/** TaskSubtype values that are engagements; every other Task (null, Task, Cadence, LinkedIn, …) is a Task. */
export const ENGAGEMENT_SUBTYPES = ['Call', 'Email', 'ListEmail'];
export const TASK_WHERE = `(TaskSubtype = null OR TaskSubtype NOT IN (${ENGAGEMENT_SUBTYPES.map((s) => `'${s}'`).join(', ')}))`;

export function isTaskRow(rec: SfRecord): boolean {
  return typeof rec.TaskSubtype !== 'string' || !ENGAGEMENT_SUBTYPES.includes(rec.TaskSubtype);
}

/** Task status: IsClosed decides (closed statuses are org-defined); without it the raw Status. */
export function taskStatus(rec: SfRecord): string | null {
  if (rec.IsClosed === true) return 'CLOSED';
  if (rec.IsClosed === false) return 'OPEN';
  return str(rec.Status);
}

export function readTask(rec: SfRecord, track = true): Mapped {
  const used = track ? ['Subject', 'Description', 'OwnerId', 'AccountId', 'CompletedDateTime', 'ActivityDate', 'Status', 'IsClosed'] : null;
  const fields: Mapped['fields'] = {};
  fields.subject = str(rec.Subject);
  fields.content = str(rec.Description);
  fields.owner = ref('User', rec.OwnerId);
  // AccountId is Salesforce's own resolution of WhatId/WhoId to an account.
  fields.account = ref('Account', rec.AccountId) ?? refIf('Account', rec.WhatId);
  fields.opportunity = refIf('Opportunity', rec.WhatId);
  fields.contact = refIf('Contact', rec.WhoId);
  if (fields.opportunity || refIf('Account', rec.WhatId)) used?.push('WhatId');
  if (fields.contact) used?.push('WhoId');
  fields.completed_date = iso(rec.CompletedDateTime);
  fields.due_date = iso(rec.ActivityDate);
  fields.status = taskStatus(rec);
  return { fields, used };
}

export const taskDef: ModelDef = {
  model: 'Task',
  sources: [
    {
      object: 'Task',
      where: TASK_WHERE,
      accepts: isTaskRow,
      read: readTask,
      archivable: true,
      relationFields: { account: 'AccountId', opportunity: 'WhatId', contact: 'WhoId', owner: 'OwnerId' },
      stringFields: { subject: 'Subject' },
      enumClause(field, value) {
        if (field !== 'status') return undefined;
        if (value === 'CLOSED') return 'IsClosed = true';
        if (value === 'OPEN') return 'IsClosed = false';
        return undefined;
      },
    },
  ],
  write: {
    objectForCreate: () => 'Task',
    toBody(input, op) {
      const f = input.fields;
      const body: VendorBody = {};
      if (op === 'create') body.TaskSubtype = 'Task';
      if ('subject' in f) body.Subject = f.subject ?? null;
      if ('content' in f) body.Description = f.content ?? null;
      if ('owner' in f) body.OwnerId = refId(f.owner);
      if ('contact' in f) body.WhoId = refId(f.contact);
      // WhatId holds one record: the opportunity when given, else the account.
      if ('opportunity' in f && refId(f.opportunity)) body.WhatId = refId(f.opportunity);
      else if ('account' in f) body.WhatId = refId(f.account);
      else if ('opportunity' in f) body.WhatId = null;
      if ('due_date' in f) body.ActivityDate = toSfDate(f.due_date);
      if ('status' in f) body.Status = f.status === 'CLOSED' ? 'Completed' : f.status === 'OPEN' ? 'Not Started' : (f.status ?? null);
      return body;
    },
    commonName: (v) => ({ Subject: 'subject', Description: 'content', OwnerId: 'owner', WhoId: 'contact', WhatId: 'account', ActivityDate: 'due_date', Status: 'status' })[v],
    writable: writableList([
      ['subject', false],
      ['content', false],
      ['owner', false],
      ['account', false],
      ['opportunity', false],
      ['contact', false],
      ['due_date', false],
      ['status', false],
    ]),
  },
};
