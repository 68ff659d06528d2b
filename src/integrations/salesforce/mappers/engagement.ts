import type { CommonValue, WriteInput } from '../../contract';
import { type SfRecord, soqlDateTime, toSfDate } from '../api';
import { iso, type Mapped, ref, refId, refIds, refIf, str, type VendorBody } from './common';
import { ENGAGEMENT_SUBTYPES } from './task';
import { type ModelDef, writableList } from './types';

/**
 * Engagements come from two objects: Tasks whose TaskSubtype is Call or Email (ListEmail too), and
 * Events (meetings). Engagement types are synthetic: "Call", "Email", "Meeting".
 */

export const ENGAGEMENT_TASK_WHERE = `TaskSubtype IN (${ENGAGEMENT_SUBTYPES.map((s) => `'${s}'`).join(', ')})`;

export function engagementTypeOfTask(rec: SfRecord): 'Call' | 'Email' {
  return rec.TaskSubtype === 'Call' ? 'Call' : 'Email';
}

const DIRECTION: Record<string, string> = { Inbound: 'INBOUND', Outbound: 'OUTBOUND' };
const DIRECTION_OUT: Record<string, string> = { INBOUND: 'Inbound', OUTBOUND: 'Outbound' };

function shift(isoTime: string | null, seconds: number): string | null {
  if (!isoTime) return null;
  return new Date(Date.parse(isoTime) - seconds * 1000).toISOString();
}

function contactsOf(whoId: unknown): CommonValue {
  const c = refIf('Contact', whoId);
  return c ? [c] : [];
}

export function readEngagementTask(rec: SfRecord, track = true): Mapped {
  const used = track ? ['Subject', 'Description', 'OwnerId', 'AccountId', 'TaskSubtype', 'CallType', 'CompletedDateTime'] : null;
  const fields: Mapped['fields'] = {};
  const type = engagementTypeOfTask(rec);
  fields.subject = str(rec.Subject);
  fields.content = str(rec.Description);
  fields.owner = ref('User', rec.OwnerId);
  // CallType: Inbound / Outbound map; Internal (or an org's own value) comes back as is.
  fields.direction = typeof rec.CallType === 'string' && rec.CallType ? (DIRECTION[rec.CallType] ?? rec.CallType) : null;
  fields.engagement_type = ref('EngagementType', type);
  // A logged call ends at CompletedDateTime and lasted CallDurationInSeconds; an email is one instant.
  const end = iso(rec.CompletedDateTime);
  const duration = typeof rec.CallDurationInSeconds === 'number' ? rec.CallDurationInSeconds : null;
  if (end) {
    fields.start_time = duration !== null ? shift(end, duration) : end;
    fields.end_time = end;
    if (duration !== null) used?.push('CallDurationInSeconds');
  } else {
    fields.start_time = iso(rec.ActivityDate);
    fields.end_time = null;
    used?.push('ActivityDate');
  }
  fields.account = ref('Account', rec.AccountId) ?? refIf('Account', rec.WhatId);
  fields.contacts = contactsOf(rec.WhoId);
  if (refIf('Contact', rec.WhoId)) used?.push('WhoId');
  if (refIf('Account', rec.WhatId)) used?.push('WhatId');
  return { fields, used };
}

export function readEngagementEvent(rec: SfRecord, track = true): Mapped {
  const used = track ? ['Subject', 'Description', 'OwnerId', 'AccountId', 'StartDateTime', 'EndDateTime'] : null;
  const fields: Mapped['fields'] = {};
  fields.subject = str(rec.Subject);
  fields.content = str(rec.Description);
  fields.owner = ref('User', rec.OwnerId);
  fields.direction = null;
  fields.engagement_type = ref('EngagementType', 'Meeting');
  fields.start_time = iso(rec.StartDateTime ?? rec.ActivityDateTime ?? rec.ActivityDate);
  fields.end_time = iso(rec.EndDateTime);
  fields.account = ref('Account', rec.AccountId) ?? refIf('Account', rec.WhatId);
  fields.contacts = contactsOf(rec.WhoId);
  if (refIf('Contact', rec.WhoId)) used?.push('WhoId');
  if (refIf('Account', rec.WhatId)) used?.push('WhatId');
  return { fields, used };
}

export function engagementObjectForType(typeId: string | null): 'Task' | 'Event' {
  return typeId === 'Meeting' ? 'Event' : 'Task';
}

export const engagementDef: ModelDef = {
  model: 'Engagement',
  sources: [
    {
      object: 'Task',
      where: ENGAGEMENT_TASK_WHERE,
      accepts: (rec) => typeof rec.TaskSubtype === 'string' && ENGAGEMENT_SUBTYPES.includes(rec.TaskSubtype),
      read: readEngagementTask,
      archivable: true,
      datetimePrefilter(field, range) {
        // start_time = CompletedDateTime - duration (<= CompletedDateTime), else ActivityDate: a start
        // after T needs a completion after T, or no completion and an activity day on or after T's day.
        if (field !== 'start_time' || !range.gt) return [];
        const t = soqlDateTime(range.gt, 'floor');
        return [`(CompletedDateTime >= ${t} OR (CompletedDateTime = null AND ActivityDate >= ${range.gt.toISOString().slice(0, 10)}))`];
      },
      // start_time is derived (CompletedDateTime - duration): filtered on the mapped records.
      relationFields: { account: 'AccountId', owner: 'OwnerId', contacts: 'WhoId' },
      stringFields: { subject: 'Subject' },
    },
    {
      object: 'Event',
      read: readEngagementEvent,
      archivable: true,
      relationFields: { account: 'AccountId', owner: 'OwnerId', contacts: 'WhoId' },
      stringFields: { subject: 'Subject' },
      datetimeFields: { start_time: 'StartDateTime', end_time: 'EndDateTime' },
    },
  ],
  write: {
    objectForCreate: (input: WriteInput) => engagementObjectForType(refId(input.fields.engagement_type)),
    toBody(input, op, object) {
      const f = input.fields;
      const body: VendorBody = {};
      if ('subject' in f) body.Subject = f.subject ?? null;
      if ('content' in f) body.Description = f.content ?? null;
      if ('owner' in f) body.OwnerId = refId(f.owner);
      if ('account' in f) body.WhatId = refId(f.account);
      // One WhoId per activity (shared activities are not used): the first contact.
      if ('contacts' in f) body.WhoId = refIds(f.contacts)[0] ?? null;
      const start = typeof f.start_time === 'string' ? f.start_time : null;
      const end = typeof f.end_time === 'string' ? f.end_time : null;
      if (object === 'Event') {
        if ('start_time' in f) body.StartDateTime = start;
        if ('end_time' in f) body.EndDateTime = end;
        if (op === 'create' && start && !end) body.DurationInMinutes = 30;
      } else {
        if (op === 'create') {
          const type = refId(f.engagement_type);
          body.TaskSubtype = type === 'Call' ? 'Call' : 'Email';
          // A logged call or email has happened: Completed unless remote fields say otherwise.
          body.Status = 'Completed';
        }
        if ('direction' in f) body.CallType = typeof f.direction === 'string' ? (DIRECTION_OUT[f.direction] ?? f.direction) : null;
        if ('start_time' in f) body.ActivityDate = toSfDate(start);
        if (start && end) body.CallDurationInSeconds = Math.max(0, Math.round((Date.parse(end) - Date.parse(start)) / 1000));
      }
      return body;
    },
    commonName: (v) =>
      ({ Subject: 'subject', Description: 'content', OwnerId: 'owner', WhatId: 'account', WhoId: 'contacts', StartDateTime: 'start_time', ActivityDateTime: 'start_time', EndDateTime: 'end_time', DurationInMinutes: 'end_time', CallType: 'direction', ActivityDate: 'start_time', TaskSubtype: 'engagement_type' })[v],
    writable: writableList([
      ['engagement_type', true, false],
      ['subject', false],
      ['content', false],
      ['owner', false],
      ['direction', false],
      ['start_time', false],
      ['end_time', false],
      ['account', false],
      ['contacts', false],
    ]),
  },
};
