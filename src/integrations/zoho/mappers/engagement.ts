import type { RemoteRef } from '../../contract';
import { copy, dt, enumOf, lookupId, ref, refIds, seRef, str, writeDateTime, writeLookup } from './common';
import { writeParent } from './note';
import type { ModuleMapper, Raw } from './types';

/** Engagement types are the two activity modules (stable remote ids = module API names). */
export const ENGAGEMENT_TYPE_IDS = { call: 'Calls', meeting: 'Events' } as const;

export const DIRECTION: Record<string, string> = { Inbound: 'INBOUND', Outbound: 'OUTBOUND' };
const DIRECTION_OUT: Record<string, string> = { INBOUND: 'Inbound', OUTBOUND: 'Outbound' };

function durationSeconds(r: Raw): number | null {
  const s = Number(r.Call_Duration_in_seconds);
  if (Number.isFinite(s) && r.Call_Duration_in_seconds !== null && r.Call_Duration_in_seconds !== '') return s;
  const m = typeof r.Call_Duration === 'string' ? /^(\d+):(\d{1,2})$/.exec(r.Call_Duration) : null;
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

function mmss(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function contactsOf(r: Raw): RemoteRef[] {
  const ids: string[] = [];
  const who = lookupId(r.Who_Id);
  if (who) ids.push(who);
  if (Array.isArray(r.Participants)) {
    for (const p of r.Participants as Record<string, unknown>[]) {
      if (p && p.type === 'contact' && p.participant) ids.push(String(p.participant));
    }
  }
  return [...new Set(ids)].map((remoteId) => ({ model: 'Contact', remoteId }));
}

/** Calls -> Engagement (CALL): Call_Type Inbound/Outbound -> direction, end = start + duration. */
export const callMapper: ModuleMapper = {
  model: 'Engagement',
  module: 'Calls',
  mapped: ['Owner', 'Description', 'Subject', 'Call_Type', 'Call_Start_Time', 'Call_Duration', 'Call_Duration_in_seconds', 'What_Id', '$se_module', 'Who_Id', 'Created_Time', 'Modified_Time'],
  fieldOf: { Owner: 'owner', Description: 'content', Subject: 'subject', Call_Type: 'direction', Call_Start_Time: 'start_time', Call_Duration: 'end_time', What_Id: 'account', Who_Id: 'contacts' },
  datetimeField: { start_time: 'Call_Start_Time' },
  read(r) {
    const start = dt(r.Call_Start_Time);
    const dur = durationSeconds(r);
    return {
      owner: ref('User', r.Owner),
      content: str(r.Description),
      subject: str(r.Subject),
      direction: enumOf(r.Call_Type, DIRECTION),
      engagement_type: { model: 'EngagementType', remoteId: ENGAGEMENT_TYPE_IDS.call },
      start_time: start,
      end_time: start && dur !== null ? new Date(Date.parse(start) + dur * 1000).toISOString() : null,
      account: seRef(r, 'What_Id', 'Accounts', 'Account'),
      contacts: contactsOf(r),
    };
  },
  write(f, _ctx, op) {
    const out: Record<string, unknown> = {};
    copy(out, f, { content: 'Description', subject: 'Subject' });
    writeLookup(out, 'Owner', f.owner);
    if (f.direction !== undefined) out.Call_Type = f.direction === null ? null : (DIRECTION_OUT[String(f.direction)] ?? f.direction);
    else if (op === 'create') out.Call_Type = 'Outbound';
    const start = writeDateTime(f.start_time);
    if (start !== undefined) out.Call_Start_Time = start;
    if (typeof f.start_time === 'string' && typeof f.end_time === 'string') {
      const secs = (Date.parse(f.end_time) - Date.parse(f.start_time)) / 1000;
      if (Number.isFinite(secs) && secs >= 0) out.Call_Duration = mmss(secs);
    }
    const contacts = refIds(f.contacts);
    if (contacts !== undefined) out.Who_Id = contacts.length ? { id: contacts[0] } : null;
    writeParent(out, 'What_Id', f, [['account', 'Accounts']]);
    return out;
  },
  writable: [
    { field: 'owner', requiredOnCreate: false },
    { field: 'content', requiredOnCreate: false },
    { field: 'subject', requiredOnCreate: true },
    { field: 'direction', requiredOnCreate: false },
    { field: 'engagement_type', requiredOnCreate: false },
    { field: 'start_time', requiredOnCreate: true },
    { field: 'end_time', requiredOnCreate: false },
    { field: 'account', requiredOnCreate: false },
    { field: 'contacts', requiredOnCreate: false },
  ],
};

/** Events (UI "Meetings") -> Engagement (MEETING): Participants of type contact -> contacts. */
export const eventMapper: ModuleMapper = {
  model: 'Engagement',
  module: 'Events',
  mapped: ['Owner', 'Description', 'Event_Title', 'Start_DateTime', 'End_DateTime', 'What_Id', '$se_module', 'Who_Id', 'Participants', 'Created_Time', 'Modified_Time'],
  fieldOf: { Owner: 'owner', Description: 'content', Event_Title: 'subject', Start_DateTime: 'start_time', End_DateTime: 'end_time', What_Id: 'account', Who_Id: 'contacts', Participants: 'contacts' },
  datetimeField: { start_time: 'Start_DateTime' },
  read: (r) => ({
    owner: ref('User', r.Owner),
    content: str(r.Description),
    subject: str(r.Event_Title),
    direction: null,
    engagement_type: { model: 'EngagementType', remoteId: ENGAGEMENT_TYPE_IDS.meeting },
    start_time: dt(r.Start_DateTime),
    end_time: dt(r.End_DateTime),
    account: seRef(r, 'What_Id', 'Accounts', 'Account'),
    contacts: contactsOf(r),
  }),
  write(f) {
    const out: Record<string, unknown> = {};
    copy(out, f, { content: 'Description', subject: 'Event_Title' });
    writeLookup(out, 'Owner', f.owner);
    const start = writeDateTime(f.start_time);
    if (start !== undefined) out.Start_DateTime = start;
    const end = writeDateTime(f.end_time);
    if (end !== undefined) out.End_DateTime = end;
    const contacts = refIds(f.contacts);
    if (contacts !== undefined) {
      out.Who_Id = contacts.length ? { id: contacts[0] } : null;
      out.Participants = contacts.map((id) => ({ type: 'contact', participant: id }));
    }
    writeParent(out, 'What_Id', f, [['account', 'Accounts']]);
    return out;
  },
  writable: [
    { field: 'owner', requiredOnCreate: false },
    { field: 'content', requiredOnCreate: false },
    { field: 'subject', requiredOnCreate: true },
    { field: 'engagement_type', requiredOnCreate: false },
    { field: 'start_time', requiredOnCreate: true },
    { field: 'end_time', requiredOnCreate: true },
    { field: 'account', requiredOnCreate: false },
    { field: 'contacts', requiredOnCreate: false },
  ],
};
