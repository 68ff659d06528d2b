import { copy, dateAsIso, dt, enumOf, ref, seRef, str, writeDate, writeLookup } from './common';
import { writeParent } from './note';
import type { ModuleMapper } from './types';

export const TASK_STATUS: Record<string, string> = {
  Completed: 'CLOSED',
  'Not Started': 'OPEN',
  'In Progress': 'OPEN',
  Deferred: 'OPEN',
  'Waiting for input': 'OPEN',
  'Waiting on someone else': 'OPEN',
};
const TASK_STATUS_OUT: Record<string, string> = { CLOSED: 'Completed', OPEN: 'Not Started' };

/** Tasks -> Task: What_Id + $se_module (Accounts / Deals), Who_Id the contact, Closed_Time the completion. */
export const taskMapper: ModuleMapper = {
  model: 'Task',
  module: 'Tasks',
  mapped: ['Subject', 'Description', 'Owner', 'What_Id', '$se_module', 'Who_Id', 'Closed_Time', 'Due_Date', 'Status', 'Created_Time', 'Modified_Time'],
  fieldOf: { Subject: 'subject', Description: 'content', Owner: 'owner', What_Id: 'account', Who_Id: 'contact', Due_Date: 'due_date', Status: 'status' },
  relationField: { owner: 'Owner', account: 'What_Id', opportunity: 'What_Id', contact: 'Who_Id' },
  read: (r) => ({
    subject: str(r.Subject),
    content: str(r.Description),
    owner: ref('User', r.Owner),
    account: seRef(r, 'What_Id', 'Accounts', 'Account'),
    opportunity: seRef(r, 'What_Id', 'Deals', 'Opportunity'),
    contact: ref('Contact', r.Who_Id),
    completed_date: dt(r.Closed_Time),
    due_date: dateAsIso(r.Due_Date),
    status: enumOf(r.Status, TASK_STATUS),
  }),
  write(f) {
    const out: Record<string, unknown> = {};
    copy(out, f, { subject: 'Subject', content: 'Description' });
    writeLookup(out, 'Owner', f.owner);
    writeLookup(out, 'Who_Id', f.contact);
    writeParent(out, 'What_Id', f, [
      ['opportunity', 'Deals'],
      ['account', 'Accounts'],
    ]);
    if (f.due_date !== undefined) out.Due_Date = writeDate(f.due_date);
    if (f.status !== undefined) out.Status = f.status === null ? null : (TASK_STATUS_OUT[String(f.status)] ?? f.status);
    return out;
  },
  writable: [
    { field: 'subject', requiredOnCreate: true },
    { field: 'content', requiredOnCreate: false },
    { field: 'owner', requiredOnCreate: false },
    { field: 'account', requiredOnCreate: false },
    { field: 'opportunity', requiredOnCreate: false },
    { field: 'contact', requiredOnCreate: false },
    { field: 'due_date', requiredOnCreate: false },
    { field: 'status', requiredOnCreate: false },
  ],
};
