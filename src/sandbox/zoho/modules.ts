import type { SeedDataset } from '../common/seed';
import { zohoDateTime } from './format';
import { OBJECT_CODES } from './ids';

/**
 * The Zoho CRM modules the emulator serves, their fields (API names, labels, data types as the
 * field-metadata endpoint reports them) and how a neutral seed record becomes a Zoho record.
 */

export type ModuleName = 'Accounts' | 'Contacts' | 'Leads' | 'Deals' | 'Tasks' | 'Calls' | 'Events' | 'Notes';
export const MODULE_NAMES: readonly ModuleName[] = ['Accounts', 'Contacts', 'Leads', 'Deals', 'Tasks', 'Calls', 'Events', 'Notes'];

export type DataType =
  | 'text' | 'email' | 'phone' | 'website' | 'textarea' | 'integer' | 'double' | 'currency' | 'bigint' | 'boolean'
  | 'date' | 'datetime' | 'picklist' | 'lookup' | 'ownerlookup' | 'participants';

export interface FieldDef {
  api: string;
  label: string;
  type: DataType;
  required?: boolean;
  custom?: boolean;
  readOnly?: boolean;
  picklist?: readonly string[];
  /** Target module of a lookup (What_Id / Who_Id / Parent_Id are multi-module: see seModule). */
  lookup?: ModuleName | 'users';
  length?: number;
}

/** A stored Zoho record: timestamps kept in ms internally, every other field under its API name. */
export interface ZRecord {
  createdAt: number;
  modifiedAt: number;
  /** User index of Created_By / Modified_By. */
  createdBy: number;
  modifiedBy: number;
  f: Record<string, unknown>;
}

export interface Ref {
  name: string | null;
  id: string;
}
export interface UserRef extends Ref {
  email: string;
}

/** What record generation needs from the tenant. */
export interface GenContext {
  seed: SeedDataset;
  user(i: number): UserRef;
  /** Lookup reference to the current version of a record of a module at a position. */
  ref(module: ModuleName, position: number): Ref;
}

export interface ModuleDef {
  api: ModuleName;
  code: number;
  singular: string;
  plural: string;
  fields: readonly FieldDef[];
  /** The field shown as the record's name (deleted records' display_name, lookups' name). */
  displayField: string;
  baseCount(seed: SeedDataset): number;
  generate(ctx: GenContext, i: number): ZRecord;
}

const STD_TIMESTAMPS: FieldDef[] = [
  { api: 'Owner', label: 'Owner', type: 'ownerlookup', lookup: 'users' },
  { api: 'Created_By', label: 'Created By', type: 'ownerlookup', lookup: 'users', readOnly: true },
  { api: 'Modified_By', label: 'Modified By', type: 'ownerlookup', lookup: 'users', readOnly: true },
  { api: 'Created_Time', label: 'Created Time', type: 'datetime', readOnly: true },
  { api: 'Modified_Time', label: 'Modified Time', type: 'datetime', readOnly: true },
];

export const LEAD_STATUSES = ['Not Contacted', 'Attempted to Contact', 'Contact in Future', 'Contacted', 'Junk Lead', 'Lost Lead', 'Not Qualified', 'Pre-Qualified'] as const;
export const LEAD_SOURCES = ['Web', 'Referral', 'Partner', 'Trade Show', 'Cold Call', 'Advertisement', 'Employee Referral', 'External Referral', 'Online Store', 'Chat', 'Seminar Partner'] as const;
export const INDUSTRIES = ['Technology', 'Finance', 'Healthcare', 'Manufacturing', 'Retail', 'Education', 'Energy', 'Media', 'Transportation', 'Consulting'] as const;
export const TASK_STATUSES = ['Not Started', 'Deferred', 'In Progress', 'Completed', 'Waiting for input'] as const;
export const PRIORITIES = ['High', 'Highest', 'Low', 'Lowest', 'Normal'] as const;
export const CALL_TYPES = ['Outbound', 'Inbound', 'Missed'] as const;
export const TIERS = ['Gold', 'Silver', 'Bronze'] as const;
export const DEAL_TYPES = ['None', 'Existing Business', 'New Business'] as const;
export const PIPELINE_NAME = 'Standard';

const ADDRESS = (prefix: string, zip: string): FieldDef[] => [
  { api: `${prefix}Street`, label: `${prefix.replace('_', ' ')}Street`, type: 'text' },
  { api: `${prefix}City`, label: `${prefix.replace('_', ' ')}City`, type: 'text' },
  { api: `${prefix}State`, label: `${prefix.replace('_', ' ')}State`, type: 'text' },
  { api: `${prefix}${zip}`, label: `${prefix.replace('_', ' ')}${zip.replace('_', ' ')}`, type: 'text' },
  { api: `${prefix}Country`, label: `${prefix.replace('_', ' ')}Country`, type: 'text' },
];

function minutesSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function base(createdAt: number, modifiedAt: number, ownerIndex: number, f: Record<string, unknown>): ZRecord {
  return { createdAt, modifiedAt, createdBy: ownerIndex, modifiedBy: ownerIndex, f };
}

const LEAD_STATUS_OF = { new: 'Not Contacted', working: 'Attempted to Contact', qualified: 'Pre-Qualified', unqualified: 'Not Qualified', converted: 'Contacted' } as const;

export const MODULES: Record<ModuleName, ModuleDef> = {
  Accounts: {
    api: 'Accounts', code: OBJECT_CODES.Accounts, singular: 'Account', plural: 'Accounts', displayField: 'Account_Name',
    fields: [
      { api: 'Account_Name', label: 'Account Name', type: 'text', required: true },
      { api: 'Phone', label: 'Phone', type: 'phone' },
      { api: 'Website', label: 'Website', type: 'website' },
      { api: 'Industry', label: 'Industry', type: 'picklist', picklist: ['-None-', ...INDUSTRIES] },
      { api: 'Employees', label: 'Employees', type: 'integer' },
      { api: 'Annual_Revenue', label: 'Annual Revenue', type: 'currency' },
      { api: 'Description', label: 'Description', type: 'textarea', length: 32000 },
      { api: 'Parent_Account', label: 'Parent Account', type: 'lookup', lookup: 'Accounts' },
      ...ADDRESS('Billing_', 'Code'),
      ...ADDRESS('Shipping_', 'Code'),
      { api: 'Tier', label: 'Tier', type: 'picklist', custom: true, picklist: ['-None-', ...TIERS] },
      ...STD_TIMESTAMPS,
    ],
    baseCount: (s) => s.counts.accounts,
    generate(ctx, i) {
      const a = ctx.seed.account(i);
      return base(a.createdAt, a.modifiedAt, a.ownerIndex, {
        Account_Name: a.name, Phone: a.phone, Website: a.website, Industry: a.industry, Employees: a.employees,
        Annual_Revenue: a.annualRevenue, Description: a.description, Parent_Account: null,
        Billing_Street: a.address.street, Billing_City: a.address.city, Billing_State: a.address.state,
        Billing_Code: a.address.postalCode, Billing_Country: a.address.countryName,
        Shipping_Street: null, Shipping_City: null, Shipping_State: null, Shipping_Code: null, Shipping_Country: null,
        Tier: a.tier, Owner: ctx.user(a.ownerIndex),
      });
    },
  },
  Contacts: {
    api: 'Contacts', code: OBJECT_CODES.Contacts, singular: 'Contact', plural: 'Contacts', displayField: 'Full_Name',
    fields: [
      { api: 'First_Name', label: 'First Name', type: 'text', length: 40 },
      { api: 'Last_Name', label: 'Last Name', type: 'text', required: true, length: 80 },
      { api: 'Full_Name', label: 'Full Name', type: 'text', readOnly: true },
      { api: 'Email', label: 'Email', type: 'email', length: 100 },
      { api: 'Secondary_Email', label: 'Secondary Email', type: 'email', length: 100 },
      { api: 'Phone', label: 'Phone', type: 'phone', length: 50 },
      { api: 'Mobile', label: 'Mobile', type: 'phone', length: 50 },
      { api: 'Title', label: 'Title', type: 'text', length: 100 },
      { api: 'Department', label: 'Department', type: 'text' },
      { api: 'Account_Name', label: 'Account Name', type: 'lookup', lookup: 'Accounts' },
      { api: 'Lead_Source', label: 'Lead Source', type: 'picklist', picklist: ['-None-', ...LEAD_SOURCES] },
      ...ADDRESS('Mailing_', 'Zip'),
      { api: 'Description', label: 'Description', type: 'textarea', length: 32000 },
      { api: 'Loyalty_Score', label: 'Loyalty Score', type: 'integer', custom: true },
      ...STD_TIMESTAMPS,
    ],
    baseCount: (s) => s.counts.contacts,
    generate(ctx, i) {
      const c = ctx.seed.contact(i);
      return base(c.createdAt, c.modifiedAt, c.ownerIndex, {
        First_Name: c.firstName, Last_Name: c.lastName, Full_Name: `${c.firstName} ${c.lastName}`, Email: c.email,
        Secondary_Email: null, Phone: c.phone, Mobile: c.mobile, Title: c.title, Department: null,
        Account_Name: ctx.seed.counts.accounts ? ctx.ref('Accounts', c.accountIndex) : null,
        Lead_Source: c.leadSource,
        Mailing_Street: c.address.street, Mailing_City: c.address.city, Mailing_State: c.address.state,
        Mailing_Zip: c.address.postalCode, Mailing_Country: c.address.countryName,
        Description: null, Loyalty_Score: c.loyaltyScore, Owner: ctx.user(c.ownerIndex),
      });
    },
  },
  Leads: {
    api: 'Leads', code: OBJECT_CODES.Leads, singular: 'Lead', plural: 'Leads', displayField: 'Full_Name',
    fields: [
      { api: 'First_Name', label: 'First Name', type: 'text', length: 40 },
      { api: 'Last_Name', label: 'Last Name', type: 'text', required: true, length: 80 },
      { api: 'Full_Name', label: 'Full Name', type: 'text', readOnly: true },
      { api: 'Company', label: 'Company', type: 'text', length: 200 },
      { api: 'Designation', label: 'Title', type: 'text', length: 100 },
      { api: 'Email', label: 'Email', type: 'email', length: 100 },
      { api: 'Phone', label: 'Phone', type: 'phone', length: 50 },
      { api: 'Mobile', label: 'Mobile', type: 'phone', length: 50 },
      { api: 'Website', label: 'Website', type: 'website' },
      { api: 'Lead_Status', label: 'Lead Status', type: 'picklist', picklist: ['-None-', ...LEAD_STATUSES] },
      { api: 'Lead_Source', label: 'Lead Source', type: 'picklist', picklist: ['-None-', ...LEAD_SOURCES] },
      { api: 'Industry', label: 'Industry', type: 'picklist', picklist: ['-None-', ...INDUSTRIES] },
      ...ADDRESS('', 'Zip_Code'),
      { api: 'Description', label: 'Description', type: 'textarea', length: 32000 },
      { api: 'Converted__s', label: 'Converted', type: 'boolean', readOnly: true },
      { api: 'Converted_Date_Time', label: 'Converted Date Time', type: 'datetime', readOnly: true },
      { api: 'Converted_Contact', label: 'Converted Contact', type: 'lookup', lookup: 'Contacts', readOnly: true },
      { api: 'Converted_Account', label: 'Converted Account', type: 'lookup', lookup: 'Accounts', readOnly: true },
      ...STD_TIMESTAMPS,
    ],
    baseCount: (s) => s.counts.leads,
    generate(ctx, i) {
      const l = ctx.seed.lead(i);
      const converted = l.convertedContactIndex !== null;
      return base(l.createdAt, l.modifiedAt, l.ownerIndex, {
        First_Name: l.firstName, Last_Name: l.lastName, Full_Name: `${l.firstName} ${l.lastName}`, Company: l.company,
        Designation: l.title, Email: l.email, Phone: l.phone, Mobile: null, Website: null,
        Lead_Status: LEAD_STATUS_OF[l.status], Lead_Source: l.leadSource, Industry: null,
        Street: l.address.street, City: l.address.city, State: l.address.state, Zip_Code: l.address.postalCode, Country: l.address.countryName,
        Description: null, Converted__s: converted,
        Converted_Date_Time: l.convertedAt !== null ? zohoDateTime(l.convertedAt) : null,
        Converted_Contact: converted ? ctx.ref('Contacts', l.convertedContactIndex as number) : null,
        Converted_Account: converted && l.convertedAccountIndex !== null ? ctx.ref('Accounts', l.convertedAccountIndex) : null,
        Owner: ctx.user(l.ownerIndex),
      });
    },
  },
  Deals: {
    api: 'Deals', code: OBJECT_CODES.Deals, singular: 'Deal', plural: 'Deals', displayField: 'Deal_Name',
    fields: [
      { api: 'Deal_Name', label: 'Deal Name', type: 'text', required: true, length: 120 },
      { api: 'Amount', label: 'Amount', type: 'currency' },
      { api: 'Stage', label: 'Stage', type: 'picklist', required: true },
      { api: 'Pipeline', label: 'Pipeline', type: 'picklist', picklist: [PIPELINE_NAME] },
      { api: 'Probability', label: 'Probability (%)', type: 'integer' },
      { api: 'Expected_Revenue', label: 'Expected Revenue', type: 'currency', readOnly: true },
      { api: 'Closing_Date', label: 'Closing Date', type: 'date' },
      { api: 'Type', label: 'Type', type: 'picklist', picklist: DEAL_TYPES },
      { api: 'Lead_Source', label: 'Lead Source', type: 'picklist', picklist: ['-None-', ...LEAD_SOURCES] },
      { api: 'Account_Name', label: 'Account Name', type: 'lookup', lookup: 'Accounts' },
      { api: 'Contact_Name', label: 'Contact Name', type: 'lookup', lookup: 'Contacts' },
      { api: 'Description', label: 'Description', type: 'textarea', length: 32000 },
      ...STD_TIMESTAMPS,
    ],
    baseCount: (s) => s.counts.deals,
    generate(ctx, i) {
      const d = ctx.seed.deal(i);
      const stage = ctx.seed.stages[d.stageIndex];
      return base(d.createdAt, d.modifiedAt, d.ownerIndex, {
        Deal_Name: d.name, Amount: d.amount, Stage: stage.label, Pipeline: PIPELINE_NAME, Probability: stage.probability,
        Expected_Revenue: Math.round((d.amount * stage.probability) / 100), Closing_Date: d.closeDate,
        Type: i % 3 === 0 ? 'Existing Business' : 'New Business', Lead_Source: null,
        Account_Name: ctx.seed.counts.accounts ? ctx.ref('Accounts', d.accountIndex) : null,
        Contact_Name: ctx.seed.counts.contacts ? ctx.ref('Contacts', d.contactIndex) : null,
        Description: d.description, Owner: ctx.user(d.ownerIndex),
      });
    },
  },
  Tasks: {
    api: 'Tasks', code: OBJECT_CODES.Tasks, singular: 'Task', plural: 'Tasks', displayField: 'Subject',
    fields: [
      { api: 'Subject', label: 'Subject', type: 'text', required: true, length: 300 },
      { api: 'Due_Date', label: 'Due Date', type: 'date' },
      { api: 'Status', label: 'Status', type: 'picklist', picklist: TASK_STATUSES },
      { api: 'Priority', label: 'Priority', type: 'picklist', picklist: PRIORITIES },
      { api: 'Closed_Time', label: 'Closed Time', type: 'datetime', readOnly: true },
      { api: 'What_Id', label: 'Related To', type: 'lookup' },
      { api: 'Who_Id', label: 'Contact Name', type: 'lookup', lookup: 'Contacts' },
      { api: 'Description', label: 'Description', type: 'textarea', length: 32000 },
      ...STD_TIMESTAMPS,
    ],
    baseCount: (s) => s.counts.tasks,
    generate(ctx, i) {
      const t = ctx.seed.task(i);
      const onDeal = t.dealIndex !== null;
      return base(t.createdAt, t.modifiedAt, t.ownerIndex, {
        Subject: t.subject, Due_Date: t.dueDate, Status: t.completed ? 'Completed' : i % 2 ? 'In Progress' : 'Not Started',
        Priority: t.priority, Closed_Time: t.completedAt !== null ? zohoDateTime(t.completedAt) : null,
        What_Id: ctx.seed.counts.accounts ? (onDeal ? ctx.ref('Deals', t.dealIndex as number) : ctx.ref('Accounts', t.accountIndex)) : null,
        $se_module: onDeal ? 'Deals' : 'Accounts',
        Who_Id: ctx.seed.counts.contacts ? ctx.ref('Contacts', t.contactIndex) : null,
        Description: t.description, Owner: ctx.user(t.ownerIndex),
      });
    },
  },
  Calls: {
    api: 'Calls', code: OBJECT_CODES.Calls, singular: 'Call', plural: 'Calls', displayField: 'Subject',
    fields: [
      { api: 'Subject', label: 'Subject', type: 'text', required: true, length: 300 },
      { api: 'Call_Type', label: 'Call Type', type: 'picklist', required: true, picklist: CALL_TYPES },
      { api: 'Call_Start_Time', label: 'Call Start Time', type: 'datetime', required: true },
      { api: 'Call_Duration', label: 'Call Duration', type: 'text' },
      { api: 'Call_Duration_in_seconds', label: 'Call Duration (in seconds)', type: 'integer', readOnly: true },
      { api: 'Call_Purpose', label: 'Call Purpose', type: 'picklist', picklist: ['-None-', 'Prospecting', 'Administrative', 'Negotiation', 'Demo', 'Project', 'Desk'] },
      { api: 'Call_Result', label: 'Call Result', type: 'picklist', picklist: ['-None-', 'Interested', 'Not interested', 'No response', 'Busy', 'Requested more info'] },
      { api: 'What_Id', label: 'Related To', type: 'lookup' },
      { api: 'Who_Id', label: 'Contact Name', type: 'lookup', lookup: 'Contacts' },
      { api: 'Description', label: 'Description', type: 'textarea', length: 32000 },
      ...STD_TIMESTAMPS,
    ],
    baseCount: (s) => s.counts.calls,
    generate(ctx, i) {
      const a = ctx.seed.activity('call', i);
      const onDeal = a.dealIndex !== null;
      return base(a.createdAt, a.modifiedAt, a.ownerIndex, {
        Subject: a.subject, Call_Type: a.direction === 'inbound' ? 'Inbound' : 'Outbound', Call_Start_Time: zohoDateTime(a.startAt),
        Call_Duration: minutesSeconds(a.endAt - a.startAt), Call_Duration_in_seconds: Math.round((a.endAt - a.startAt) / 1000),
        Call_Purpose: null, Call_Result: null,
        What_Id: ctx.seed.counts.accounts ? (onDeal ? ctx.ref('Deals', a.dealIndex as number) : ctx.ref('Accounts', a.accountIndex)) : null,
        $se_module: onDeal ? 'Deals' : 'Accounts',
        Who_Id: ctx.seed.counts.contacts ? ctx.ref('Contacts', a.contactIndex) : null,
        Description: a.body, Owner: ctx.user(a.ownerIndex),
      });
    },
  },
  Events: {
    api: 'Events', code: OBJECT_CODES.Events, singular: 'Meeting', plural: 'Meetings', displayField: 'Event_Title',
    fields: [
      { api: 'Event_Title', label: 'Title', type: 'text', required: true, length: 255 },
      { api: 'Start_DateTime', label: 'From', type: 'datetime', required: true },
      { api: 'End_DateTime', label: 'To', type: 'datetime', required: true },
      { api: 'All_day', label: 'All day', type: 'boolean' },
      { api: 'Venue', label: 'Venue', type: 'text' },
      { api: 'Participants', label: 'Participants', type: 'participants' },
      { api: 'What_Id', label: 'Related To', type: 'lookup' },
      { api: 'Who_Id', label: 'Contact Name', type: 'lookup', lookup: 'Contacts' },
      { api: 'Description', label: 'Description', type: 'textarea', length: 32000 },
      ...STD_TIMESTAMPS,
    ],
    baseCount: (s) => s.counts.meetings,
    generate(ctx, i) {
      const a = ctx.seed.activity('meeting', i);
      const onDeal = a.dealIndex !== null;
      const who = ctx.seed.counts.contacts ? ctx.ref('Contacts', a.contactIndex) : null;
      return base(a.createdAt, a.modifiedAt, a.ownerIndex, {
        Event_Title: a.subject, Start_DateTime: zohoDateTime(a.startAt), End_DateTime: zohoDateTime(a.endAt), All_day: false, Venue: null,
        Participants: who ? [{ type: 'contact', participant: who.id, name: who.name, invited: true, status: 'not_known' }] : [],
        What_Id: ctx.seed.counts.accounts ? (onDeal ? ctx.ref('Deals', a.dealIndex as number) : ctx.ref('Accounts', a.accountIndex)) : null,
        $se_module: onDeal ? 'Deals' : 'Accounts',
        Who_Id: who, Description: a.body, Owner: ctx.user(a.ownerIndex),
      });
    },
  },
  Notes: {
    api: 'Notes', code: OBJECT_CODES.Notes, singular: 'Note', plural: 'Notes', displayField: 'Note_Title',
    fields: [
      { api: 'Note_Title', label: 'Note Title', type: 'text', length: 120 },
      { api: 'Note_Content', label: 'Note Content', type: 'textarea', required: true, length: 32000 },
      { api: 'Parent_Id', label: 'Parent ID', type: 'lookup', required: true },
      ...STD_TIMESTAMPS,
    ],
    baseCount: (s) => s.counts.notes,
    generate(ctx, i) {
      const n = ctx.seed.note(i);
      const [mod, pos] = n.dealIndex !== null ? (['Deals', n.dealIndex] as const) : n.contactIndex !== null ? (['Contacts', n.contactIndex] as const) : (['Accounts', n.accountIndex] as const);
      return base(n.createdAt, n.modifiedAt, n.ownerIndex, {
        Note_Title: n.title, Note_Content: n.body,
        Parent_Id: ctx.seed.counts.accounts ? ctx.ref(mod, pos) : null, $se_module: mod, Owner: ctx.user(n.ownerIndex),
      });
    },
  },
};

/** Modules a What_Id / Parent_Id may point at ($se_module values). */
export const SE_MODULES: Record<string, readonly ModuleName[]> = {
  What_Id: ['Accounts', 'Deals', 'Leads'],
  Parent_Id: ['Accounts', 'Contacts', 'Leads', 'Deals'],
};

const LOWER = new Map(MODULE_NAMES.map((m) => [m.toLowerCase(), m]));
/** Zoho module names are case-insensitive in URLs. */
export function moduleByName(name: string): ModuleName | undefined {
  return LOWER.get(name.toLowerCase());
}

export function fieldMap(def: ModuleDef): Map<string, FieldDef> {
  return new Map(def.fields.map((f) => [f.api, f]));
}
