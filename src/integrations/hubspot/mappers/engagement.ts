import { VendorError, type CommonValue } from '../../contract';
import type { SearchFilter } from '../api';
import type { ModelMapper, SourceSpec } from './types';
import { baseFilters, datetimeFilters, first, iso, num, out, outDate, ownerOut, ref, refId, str } from './common';
import { activityAssociations, activitySource } from './activity';

/**
 * calls, meetings and emails -> Engagement (listed in that order, one source after the other).
 * engagement_type is a synthetic EngagementType: "call", "meeting", "email".
 * direction: hs_call_direction INBOUND/OUTBOUND; hs_email_direction EMAIL -> OUTBOUND,
 * INCOMING_EMAIL -> INBOUND, anything else (FORWARDED_EMAIL) raw; meetings have none.
 */
export const callsSource = activitySource('calls', ['hs_call_title', 'hs_call_body', 'hs_call_direction', 'hs_call_duration'], { contacts: 194, companies: 182, deals: 206 });
export const meetingsSource = activitySource('meetings', ['hs_meeting_title', 'hs_meeting_body', 'hs_meeting_start_time', 'hs_meeting_end_time'], { contacts: 200, companies: 188, deals: 212 });
export const emailsSource = activitySource('emails', ['hs_email_subject', 'hs_email_text', 'hs_email_direction'], { contacts: 198, companies: 186, deals: 210 });

export const ENGAGEMENT_TYPES = [
  { remoteId: 'call', activity_type: 'CALL', name: 'Call', source: callsSource },
  { remoteId: 'meeting', activity_type: 'MEETING', name: 'Meeting', source: meetingsSource },
  { remoteId: 'email', activity_type: 'EMAIL', name: 'Email', source: emailsSource },
] as const;

const EMAIL_DIRECTION: Record<string, string> = { EMAIL: 'OUTBOUND', INCOMING_EMAIL: 'INBOUND' };
const EMAIL_DIRECTION_OUT: Record<string, string> = { OUTBOUND: 'EMAIL', INBOUND: 'INCOMING_EMAIL' };

const FIELD_OF: Record<string, string> = {
  hs_call_title: 'subject', hs_call_body: 'content', hs_call_direction: 'direction', hs_call_duration: 'end_time',
  hs_meeting_title: 'subject', hs_meeting_body: 'content', hs_meeting_start_time: 'start_time', hs_meeting_end_time: 'end_time',
  hs_email_subject: 'subject', hs_email_text: 'content', hs_email_direction: 'direction', hs_timestamp: 'start_time', hubspot_owner_id: 'owner',
};

function typeOfSource(s: SourceSpec) {
  return ENGAGEMENT_TYPES.find((t) => t.source.type === s.type) ?? ENGAGEMENT_TYPES[0];
}

function plusMs(start: string | null, ms: number | null): string | null {
  if (!start || ms === null) return null;
  const t = Date.parse(start);
  return Number.isNaN(t) ? null : new Date(t + ms).toISOString();
}

export const engagementMapper: ModelMapper = {
  model: 'Engagement',
  sources: [callsSource, meetingsSource, emailsSource],
  read: (s, o, ctx) => {
    const p = o.properties;
    const t = typeOfSource(s);
    let subject: string | null;
    let content: string | null;
    let direction: string | null = null;
    let start = iso(p.hs_timestamp);
    let end: string | null = null;
    if (s.type === 'calls') {
      subject = str(p.hs_call_title);
      content = str(p.hs_call_body);
      direction = str(p.hs_call_direction);
      end = plusMs(start, num(p.hs_call_duration));
    } else if (s.type === 'meetings') {
      subject = str(p.hs_meeting_title);
      content = str(p.hs_meeting_body);
      start = iso(p.hs_meeting_start_time) ?? start;
      end = iso(p.hs_meeting_end_time);
    } else {
      subject = str(p.hs_email_subject);
      content = str(p.hs_email_text);
      const d = str(p.hs_email_direction);
      direction = d === null ? null : (EMAIL_DIRECTION[d] ?? d);
    }
    return {
      owner: ref('User', p.hubspot_owner_id),
      content,
      subject,
      direction,
      engagement_type: ref('EngagementType', t.remoteId),
      start_time: start,
      end_time: end,
      account: ref('Account', first(ctx.assoc.companies, o.id)),
      contacts: (ctx.assoc.contacts?.get(o.id) ?? []).map((id) => ({ model: 'Contact' as const, remoteId: id })),
    };
  },
  write: (f, op, h, currentSource) => {
    let source = currentSource;
    const typeId = refId(f.engagement_type);
    if (typeId) {
      const t = ENGAGEMENT_TYPES.find((x) => x.remoteId === typeId || x.activity_type === typeId);
      if (!t) throw new VendorError('hubspot', 400, 'INVALID_ENGAGEMENT_TYPE', `engagement_type ${typeId} is not one of call, meeting, email`, 'validation', ['engagement_type']);
      if (source && t.source.type !== source.type) {
        throw new VendorError('hubspot', 400, 'READ_ONLY_VALUE', `HubSpot cannot change a ${source.type.slice(0, -1)} into a ${t.remoteId}`, 'validation', ['engagement_type']);
      }
      source = t.source;
    }
    if (!source) throw new VendorError('hubspot', 400, 'MISSING_REQUIRED_FIELD', 'engagement_type is required to create a HubSpot engagement (call, meeting or email)', 'validation', ['engagement_type']);
    const props: Record<string, string> = {};
    const put = (prop: string, v: CommonValue | undefined) => {
      if (v !== undefined) props[prop] = out(v);
    };
    const start = f.start_time !== undefined ? outDate(f.start_time) : undefined;
    if (start !== undefined) props.hs_timestamp = start;
    if (source.type === 'calls') {
      put('hs_call_title', f.subject);
      put('hs_call_body', f.content);
      put('hs_call_direction', f.direction);
      if (f.end_time !== undefined) {
        const from = Date.parse(start ?? h.current?.properties.hs_timestamp ?? '');
        const to = Date.parse(String(f.end_time ?? ''));
        props.hs_call_duration = f.end_time === null || Number.isNaN(from) || Number.isNaN(to) ? '' : String(Math.max(0, to - from));
      }
    } else if (source.type === 'meetings') {
      put('hs_meeting_title', f.subject);
      put('hs_meeting_body', f.content);
      if (start !== undefined) props.hs_meeting_start_time = start;
      if (f.end_time !== undefined) props.hs_meeting_end_time = outDate(f.end_time);
    } else {
      put('hs_email_subject', f.subject);
      put('hs_email_text', f.content);
      if (f.direction !== undefined) props.hs_email_direction = f.direction === null ? '' : (EMAIL_DIRECTION_OUT[String(f.direction)] ?? String(f.direction));
    }
    ownerOut(props, f.owner);
    if (op === 'create' && !props.hs_timestamp) props.hs_timestamp = new Date().toISOString();
    return { source, properties: props, associations: activityAssociations(f, 'contacts') };
  },
  fieldOf: (p) => FIELD_OF[p] ?? p,
  writable: (op) =>
    ['owner', 'content', 'subject', 'direction', 'engagement_type', 'start_time', 'end_time', 'account', 'contacts'].map((field) => ({ field, required: op === 'create' && field === 'engagement_type' })),
  relationParents: { account: 'companies', contacts: 'contacts' },
  serverFilters: (s, f) => {
    const base: SearchFilter[] = baseFilters(s, f);
    base.push(...datetimeFilters(s.type === 'meetings' ? 'hs_meeting_start_time' : 'hs_timestamp', f.datetimes?.start_time));
    return [base];
  },
};
