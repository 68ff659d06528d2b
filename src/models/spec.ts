/**
 * The common CRM model, declared once as data. The REST DTOs and validation, the OpenAPI
 * schemas, the GraphQL types and the store are all derived from these declarations, so a field
 * added here appears everywhere at once.
 */

export type ModelName = 'Account' | 'Contact' | 'Lead' | 'Opportunity' | 'Note' | 'Task' | 'Engagement' | 'EngagementType' | 'User' | 'Stage';

export type ScalarKind = 'string' | 'integer' | 'number' | 'boolean' | 'datetime';
export type SubObjectKind = 'addresses' | 'email_addresses' | 'phone_numbers';

export type FieldSpec =
  | { kind: ScalarKind; writable: boolean; description: string }
  | { kind: 'enum'; values: readonly string[]; writable: boolean; description: string }
  | { kind: 'relation'; target: ModelName; writable: boolean; description: string }
  | { kind: 'relation_list'; target: ModelName; writable: boolean; description: string }
  | { kind: SubObjectKind; writable: boolean; description: string };

/** A list filter beyond the common ones, as a query parameter. */
export type FilterSpec =
  | { param: string; kind: 'relation'; field: string; target: ModelName }
  | { param: string; kind: 'enum'; field: string; values: readonly string[] }
  | { param: string; kind: 'string'; field: string; match: 'exact' | 'contains' }
  | { param: string; kind: 'email' | 'phone'; field: SubObjectKind }
  | { param: string; kind: 'datetime'; field: string; op: 'gt' | 'lt' };

export interface ModelSpec {
  name: ModelName;
  /** REST collection path segment, e.g. "engagement-types". */
  route: string;
  /** GraphQL field names: singular and plural. */
  singular: string;
  plural: string;
  description: string;
  writable: boolean;
  fields: Record<string, FieldSpec>;
  filters: FilterSpec[];
}

export const ENUMS = {
  LeadStatus: ['OPEN', 'CLOSED', 'UNQUALIFIED', 'QUALIFIED'],
  OpportunityStatus: ['OPEN', 'WON', 'LOST'],
  TaskStatus: ['OPEN', 'CLOSED'],
  Direction: ['INBOUND', 'OUTBOUND'],
  ActivityType: ['CALL', 'MEETING', 'EMAIL'],
  AddressType: ['BILLING', 'SHIPPING'],
} as const;

const s = (description: string, writable = true): FieldSpec => ({ kind: 'string', writable, description });
const dt = (description: string, writable = true): FieldSpec => ({ kind: 'datetime', writable, description });
const rel = (target: ModelName, description: string, writable = true): FieldSpec => ({ kind: 'relation', target, writable, description });
const en = (values: readonly string[], description: string, writable = true): FieldSpec => ({ kind: 'enum', values, writable, description });
const sub = (kind: SubObjectKind, description: string, writable = true): FieldSpec => ({ kind, writable, description });
const ro = 'Set by the CRM; read-only.';

const byRelation = (param: string, field: string, target: ModelName): FilterSpec => ({ param, kind: 'relation', field, target });

export const MODELS: Record<ModelName, ModelSpec> = {
  Account: {
    name: 'Account',
    route: 'accounts',
    singular: 'account',
    plural: 'accounts',
    description: 'A company or organization the customer does business with.',
    writable: true,
    fields: {
      owner: rel('User', 'The user who owns the account.'),
      name: s("The account's name."),
      description: s("The account's description."),
      industry: s("The account's industry."),
      website: s("The account's website."),
      number_of_employees: { kind: 'integer', writable: true, description: "The account's number of employees." },
      addresses: sub('addresses', "The account's addresses."),
      phone_numbers: sub('phone_numbers', "The account's phone numbers."),
      last_activity_at: dt("When the account's last activity occurred."),
      remote_created_at: dt(`When the record was created in the CRM. ${ro}`, false),
      remote_updated_at: dt(`When the record was last updated in the CRM. ${ro}`, false),
    },
    filters: [byRelation('owner_id', 'owner', 'User'), { param: 'name', kind: 'string', field: 'name', match: 'contains' }],
  },
  Contact: {
    name: 'Contact',
    route: 'contacts',
    singular: 'contact',
    plural: 'contacts',
    description: 'A person, usually working at an account.',
    writable: true,
    fields: {
      first_name: s("The contact's first name."),
      last_name: s("The contact's last name."),
      account: rel('Account', 'The account the contact belongs to.'),
      owner: rel('User', 'The user who owns the contact.'),
      addresses: sub('addresses', "The contact's addresses."),
      email_addresses: sub('email_addresses', "The contact's email addresses."),
      phone_numbers: sub('phone_numbers', "The contact's phone numbers."),
      last_activity_at: dt("When the contact's last activity occurred."),
      remote_created_at: dt(`When the record was created in the CRM. ${ro}`, false),
    },
    filters: [
      byRelation('account_id', 'account', 'Account'),
      { param: 'email_addresses', kind: 'email', field: 'email_addresses' },
      { param: 'phone_numbers', kind: 'phone', field: 'phone_numbers' },
    ],
  },
  Lead: {
    name: 'Lead',
    route: 'leads',
    singular: 'lead',
    plural: 'leads',
    description: 'A prospective customer not yet qualified.',
    writable: true,
    fields: {
      owner: rel('User', 'The user who owns the lead.'),
      lead_source: s("The lead's source."),
      title: s("The lead's title."),
      company: s("The lead's company."),
      first_name: s("The lead's first name."),
      last_name: s("The lead's last name."),
      addresses: sub('addresses', "The lead's addresses."),
      email_addresses: sub('email_addresses', "The lead's email addresses."),
      phone_numbers: sub('phone_numbers', "The lead's phone numbers."),
      remote_created_at: dt(`When the record was created in the CRM. ${ro}`, false),
      remote_updated_at: dt(`When the record was last updated in the CRM. ${ro}`, false),
      converted_date: dt('When the lead was converted.', false),
      converted_contact: rel('Contact', 'The contact the lead was converted into.', false),
      converted_account: rel('Account', 'The account the lead was converted into.', false),
      status: en(ENUMS.LeadStatus, "The lead's status; a CRM value that does not map is returned as is."),
    },
    filters: [
      byRelation('owner_id', 'owner', 'User'),
      byRelation('converted_account_id', 'converted_account', 'Account'),
      byRelation('converted_contact_id', 'converted_contact', 'Contact'),
      { param: 'email_addresses', kind: 'email', field: 'email_addresses' },
      { param: 'phone_numbers', kind: 'phone', field: 'phone_numbers' },
    ],
  },
  Opportunity: {
    name: 'Opportunity',
    route: 'opportunities',
    singular: 'opportunity',
    plural: 'opportunities',
    description: 'A potential deal with an account.',
    writable: true,
    fields: {
      name: s("The opportunity's name."),
      description: s("The opportunity's description."),
      amount: { kind: 'number', writable: true, description: "The opportunity's amount." },
      owner: rel('User', 'The user who owns the opportunity.'),
      account: rel('Account', 'The account of the opportunity.'),
      stage: rel('Stage', "The opportunity's pipeline stage."),
      status: en(ENUMS.OpportunityStatus, "The opportunity's status; a CRM value that does not map is returned as is."),
      last_activity_at: dt("When the opportunity's last activity occurred."),
      close_date: dt('When the opportunity closed or is expected to close.'),
      remote_created_at: dt(`When the record was created in the CRM. ${ro}`, false),
    },
    filters: [
      byRelation('account_id', 'account', 'Account'),
      byRelation('owner_id', 'owner', 'User'),
      byRelation('stage_id', 'stage', 'Stage'),
      { param: 'status', kind: 'enum', field: 'status', values: ENUMS.OpportunityStatus },
      { param: 'remote_created_after', kind: 'datetime', field: 'remote_created_at', op: 'gt' },
    ],
  },
  Note: {
    name: 'Note',
    route: 'notes',
    singular: 'note',
    plural: 'notes',
    description: 'A note attached to a contact, account or opportunity.',
    writable: true,
    fields: {
      owner: rel('User', 'The user who owns the note.'),
      content: s("The note's content."),
      contact: rel('Contact', 'The contact the note is about.'),
      account: rel('Account', 'The account the note is about.'),
      opportunity: rel('Opportunity', 'The opportunity the note is about.'),
      remote_created_at: dt(`When the record was created in the CRM. ${ro}`, false),
      remote_updated_at: dt(`When the record was last updated in the CRM. ${ro}`, false),
    },
    filters: [
      byRelation('account_id', 'account', 'Account'),
      byRelation('contact_id', 'contact', 'Contact'),
      byRelation('opportunity_id', 'opportunity', 'Opportunity'),
      byRelation('owner_id', 'owner', 'User'),
    ],
  },
  Task: {
    name: 'Task',
    route: 'tasks',
    singular: 'task',
    plural: 'tasks',
    description: 'A to-do item.',
    writable: true,
    fields: {
      subject: s("The task's subject."),
      content: s("The task's content."),
      owner: rel('User', 'The user who owns the task.'),
      account: rel('Account', 'The account the task is about.'),
      opportunity: rel('Opportunity', 'The opportunity the task is about.'),
      contact: rel('Contact', 'The contact the task is about.'),
      completed_date: dt('When the task was completed.'),
      due_date: dt('When the task is due.'),
      status: en(ENUMS.TaskStatus, "The task's status; a CRM value that does not map is returned as is."),
    },
    filters: [
      byRelation('account_id', 'account', 'Account'),
      byRelation('contact_id', 'contact', 'Contact'),
      byRelation('opportunity_id', 'opportunity', 'Opportunity'),
      byRelation('owner_id', 'owner', 'User'),
    ],
  },
  Engagement: {
    name: 'Engagement',
    route: 'engagements',
    singular: 'engagement',
    plural: 'engagements',
    description: 'An interaction: a call, meeting or email.',
    writable: true,
    fields: {
      owner: rel('User', 'The user who owns the engagement.'),
      content: s("The engagement's content."),
      subject: s("The engagement's subject."),
      direction: en(ENUMS.Direction, "The engagement's direction."),
      engagement_type: rel('EngagementType', "The engagement's type."),
      start_time: dt('When the engagement started.'),
      end_time: dt('When the engagement ended.'),
      account: rel('Account', 'The account of the engagement.'),
      contacts: { kind: 'relation_list', target: 'Contact', writable: true, description: 'The contacts taking part.' },
    },
    filters: [
      { param: 'started_after', kind: 'datetime', field: 'start_time', op: 'gt' },
      { param: 'started_before', kind: 'datetime', field: 'start_time', op: 'lt' },
    ],
  },
  EngagementType: {
    name: 'EngagementType',
    route: 'engagement-types',
    singular: 'engagementType',
    plural: 'engagementTypes',
    description: 'A kind of engagement (calls, meetings, emails, and custom kinds).',
    writable: false,
    fields: {
      activity_type: en(ENUMS.ActivityType, 'The kind of activity.', false),
      name: s("The engagement type's name.", false),
    },
    filters: [],
  },
  User: {
    name: 'User',
    route: 'users',
    singular: 'user',
    plural: 'users',
    description: 'A user of the CRM (owners of records).',
    writable: false,
    fields: {
      name: s("The user's name.", false),
      email: s("The user's email address.", false),
      is_active: { kind: 'boolean', writable: false, description: 'Whether the user is active.' },
    },
    filters: [{ param: 'email', kind: 'string', field: 'email', match: 'exact' }],
  },
  Stage: {
    name: 'Stage',
    route: 'stages',
    singular: 'stage',
    plural: 'stages',
    description: 'A stage of an opportunity pipeline.',
    writable: false,
    fields: {
      name: s("The stage's name.", false),
    },
    filters: [],
  },
};

export const MODEL_NAMES = Object.keys(MODELS) as ModelName[];

export function modelByRoute(route: string): ModelSpec | undefined {
  return MODEL_NAMES.map((n) => MODELS[n]).find((m) => m.route === route);
}

/** Relation fields (single and list) of a model, in declaration order. */
export function relationFields(model: ModelName): { field: string; target: ModelName; list: boolean }[] {
  return Object.entries(MODELS[model].fields)
    .filter(([, f]) => f.kind === 'relation' || f.kind === 'relation_list')
    .map(([field, f]) => ({ field, target: (f as { target: ModelName }).target, list: f.kind === 'relation_list' }));
}

/** Sub-object shapes (unified-api.md "Sub-objects"). */
export const SUB_OBJECTS = {
  addresses: {
    street_1: 'string',
    street_2: 'string',
    city: 'string',
    state: 'string',
    postal_code: 'string',
    country: 'string',
    address_type: 'enum:AddressType',
  },
  email_addresses: { email_address: 'string', email_address_type: 'string' },
  phone_numbers: { phone_number: 'string', phone_number_type: 'string' },
} as const;
