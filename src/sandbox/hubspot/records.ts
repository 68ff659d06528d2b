import type { SeedDataset, SeedAddress } from '../common/seed';
import { idOf, ownerIdOf } from './ids';
import { isoTime } from './time';
import { DEAL_STAGE_IDS, LEAD_STATUSES, type ObjectName } from './schema';

/**
 * One HubSpot record as the emulator keeps it: property values as the strings HubSpot puts on
 * the wire (null = no value), created / updated times in epoch ms, and associations held on the
 * "child" side (see associations.ts) as positions in the target object's collection.
 */
export type Assoc = Partial<Record<ObjectName, number[]>>;

export interface HubRecord {
  p: Record<string, string | null>;
  c: number;
  m: number;
  a: Assoc;
}

const iso = isoTime;

function address(a: SeedAddress) {
  return { address: a.street, city: a.city, state: a.state, zip: a.postalCode, country: a.countryName };
}

const LIFECYCLE = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer'];
const PRIORITY = { High: 'HIGH', Normal: 'MEDIUM', Low: 'LOW' } as const;
const LEAD_STAGE = { new: 'new-stage-id', working: 'attempting-stage-id', qualified: 'qualified-stage-id', unqualified: 'unqualified-stage-id', converted: 'qualified-stage-id' } as const;

function sys(object: ObjectName, position: number, createdProp: string, modifiedProp: string, c: number, m: number): Record<string, string> {
  return { [createdProp]: iso(c), [modifiedProp]: iso(m), hs_object_id: idOf(object, position) };
}

/** The base (seeded) record at a position of one object. */
export function seedRecord(seed: SeedDataset, object: ObjectName, i: number): HubRecord {
  switch (object) {
    case 'contacts': {
      const s = seed.contact(i);
      const a = s.address;
      // One object literal (no spreads): this is the hot path of list pages.
      return {
        p: {
          firstname: s.firstName,
          lastname: s.lastName,
          email: s.email,
          phone: s.phone,
          mobilephone: s.mobile,
          jobtitle: s.title,
          company: seed.counts.accounts ? seed.accountName(s.accountIndex) : null,
          address: a.street,
          city: a.city,
          state: a.state,
          zip: a.postalCode,
          country: a.countryName,
          hubspot_owner_id: ownerIdOf(s.ownerIndex),
          lifecyclestage: LIFECYCLE[i % LIFECYCLE.length],
          hs_lead_status: LEAD_STATUSES[i % LEAD_STATUSES.length].value,
          loyalty_score: String(s.loyaltyScore),
          createdate: iso(s.createdAt),
          lastmodifieddate: iso(s.modifiedAt),
          hs_object_id: idOf(object, i),
        },
        c: s.createdAt,
        m: s.modifiedAt,
        a: seed.counts.accounts ? { companies: [s.accountIndex] } : {},
      };
    }
    case 'companies': {
      const s = seed.account(i);
      return {
        p: {
          name: s.name,
          domain: s.website.replace(/^https?:\/\/(www\.)?/, ''),
          website: s.website,
          phone: s.phone,
          industry: s.industry,
          numberofemployees: String(s.employees),
          annualrevenue: String(s.annualRevenue),
          description: s.description,
          ...address(s.address),
          hubspot_owner_id: ownerIdOf(s.ownerIndex),
          tier: s.tier,
          ...sys(object, i, 'createdate', 'hs_lastmodifieddate', s.createdAt, s.modifiedAt),
        },
        c: s.createdAt,
        m: s.modifiedAt,
        a: {},
      };
    }
    case 'deals': {
      const s = seed.deal(i);
      return {
        p: {
          dealname: s.name,
          amount: String(s.amount),
          dealstage: DEAL_STAGE_IDS[s.stageIndex],
          pipeline: 'default',
          closedate: `${s.closeDate}T00:00:00.000Z`,
          description: s.description,
          hubspot_owner_id: ownerIdOf(s.ownerIndex),
          ...sys(object, i, 'createdate', 'hs_lastmodifieddate', s.createdAt, s.modifiedAt),
        },
        c: s.createdAt,
        m: s.modifiedAt,
        a: { companies: [s.accountIndex], contacts: [s.contactIndex] },
      };
    }
    case 'leads': {
      const s = seed.lead(i);
      const contact = s.convertedContactIndex ?? (seed.counts.contacts ? (i * 3) % seed.counts.contacts : null);
      const account = s.convertedAccountIndex ?? (contact !== null && seed.counts.accounts ? contact % seed.counts.accounts : null);
      const a: Assoc = {};
      if (contact !== null) a.contacts = [contact];
      if (account !== null) a.companies = [account];
      return {
        p: {
          hs_lead_name: `${s.firstName} ${s.lastName}`,
          hs_pipeline: 'lead-pipeline-id',
          hs_pipeline_stage: LEAD_STAGE[s.status],
          hs_lead_type: 'NEW_BUSINESS',
          hubspot_owner_id: ownerIdOf(s.ownerIndex),
          ...sys(object, i, 'hs_createdate', 'hs_lastmodifieddate', s.createdAt, s.modifiedAt),
        },
        c: s.createdAt,
        m: s.modifiedAt,
        a,
      };
    }
    case 'tasks': {
      const s = seed.task(i);
      return {
        p: {
          hs_task_subject: s.subject,
          hs_task_body: s.description,
          hs_task_status: s.completed ? 'COMPLETED' : 'NOT_STARTED',
          hs_task_priority: PRIORITY[s.priority],
          hs_task_type: 'TODO',
          hs_task_completion_date: s.completedAt === null ? null : iso(s.completedAt),
          hs_timestamp: `${s.dueDate}T00:00:00.000Z`,
          hubspot_owner_id: ownerIdOf(s.ownerIndex),
          ...sys(object, i, 'hs_createdate', 'hs_lastmodifieddate', s.createdAt, s.modifiedAt),
        },
        c: s.createdAt,
        m: s.modifiedAt,
        a: engagementAssoc(s.contactIndex, s.accountIndex, s.dealIndex),
      };
    }
    case 'notes': {
      const s = seed.note(i);
      return {
        p: {
          hs_note_body: s.body,
          hs_timestamp: iso(s.createdAt),
          hubspot_owner_id: ownerIdOf(s.ownerIndex),
          ...sys(object, i, 'hs_createdate', 'hs_lastmodifieddate', s.createdAt, s.modifiedAt),
        },
        c: s.createdAt,
        m: s.modifiedAt,
        a: engagementAssoc(s.contactIndex, s.accountIndex, s.dealIndex),
      };
    }
    case 'calls':
    case 'meetings':
    case 'emails': {
      const kind = object === 'calls' ? 'call' : object === 'meetings' ? 'meeting' : 'email';
      const s = seed.activity(kind, i);
      const common = { hs_timestamp: iso(s.startAt), hubspot_owner_id: ownerIdOf(s.ownerIndex), ...sys(object, i, 'hs_createdate', 'hs_lastmodifieddate', s.createdAt, s.modifiedAt) };
      let own: Record<string, string>;
      if (kind === 'call') {
        own = { hs_call_title: s.subject, hs_call_body: s.body, hs_call_direction: s.direction === 'inbound' ? 'INBOUND' : 'OUTBOUND', hs_call_duration: String(s.endAt - s.startAt), hs_call_status: 'COMPLETED' };
      } else if (kind === 'meeting') {
        own = { hs_meeting_title: s.subject, hs_meeting_body: s.body, hs_meeting_start_time: iso(s.startAt), hs_meeting_end_time: iso(s.endAt), hs_meeting_location: 'Video call', hs_meeting_outcome: 'COMPLETED' };
      } else {
        own = { hs_email_subject: s.subject, hs_email_text: s.body, hs_email_direction: s.direction === 'inbound' ? 'INCOMING_EMAIL' : 'EMAIL', hs_email_status: 'SENT' };
      }
      return { p: { ...own, ...common }, c: s.createdAt, m: s.modifiedAt, a: engagementAssoc(s.contactIndex, s.accountIndex, s.dealIndex) };
    }
  }
}

function engagementAssoc(contact: number | null, account: number, deal: number | null): Assoc {
  const a: Assoc = { companies: [account] };
  if (contact !== null) a.contacts = [contact];
  if (deal !== null) a.deals = [deal];
  return a;
}

/** Number of base records of each object for a seed. */
export function baseCount(seed: SeedDataset, object: ObjectName): number {
  const c = seed.counts;
  switch (object) {
    case 'contacts':
      return c.contacts;
    case 'companies':
      return c.accounts;
    case 'deals':
      return c.deals;
    case 'leads':
      return c.leads;
    case 'tasks':
      return c.tasks;
    case 'notes':
      return c.notes;
    case 'calls':
      return c.calls;
    case 'meetings':
      return c.meetings;
    case 'emails':
      return c.emails;
  }
}
