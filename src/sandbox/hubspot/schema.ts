/**
 * HubSpot CRM object types served by the emulator and their property definitions (names, types,
 * field types, enumeration options), as `GET /crm/v3/properties/{objectType}` lists them.
 */

export type ObjectName = 'contacts' | 'companies' | 'deals' | 'leads' | 'tasks' | 'notes' | 'calls' | 'meetings' | 'emails';

export const OBJECT_NAMES: readonly ObjectName[] = ['contacts', 'companies', 'deals', 'leads', 'tasks', 'notes', 'calls', 'meetings', 'emails'];

export type PropertyType = 'string' | 'number' | 'enumeration' | 'datetime' | 'bool' | 'phone_number';

export interface PropertyDef {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  groupName: string;
  options?: readonly { label: string; value: string }[];
  /** Computed by HubSpot; writes are rejected with READ_ONLY_VALUE. */
  readOnly?: boolean;
  /** Portal-defined (custom) property: hubspotDefined=false. */
  custom?: boolean;
  description?: string;
  hasUniqueValue?: boolean;
}

export interface ObjectDef {
  name: ObjectName;
  /** HubSpot object type id, e.g. "0-1" for contacts. */
  objectTypeId: string;
  /** Singular, as used in association type names ("contact_to_company") and webhooks. */
  singular: string;
  /** Property holding the creation time (createdate or hs_createdate). */
  createdProp: string;
  /** Property holding the modification time (lastmodifieddate or hs_lastmodifieddate). */
  modifiedProp: string;
  /** Properties returned when the request names none. */
  defaultProps: readonly string[];
  /** Properties that a create must carry. */
  required: readonly string[];
  properties: readonly PropertyDef[];
  byName: ReadonlyMap<string, PropertyDef>;
}

const opts = (...values: (string | [string, string])[]) =>
  values.map((v) => (Array.isArray(v) ? { value: v[0], label: v[1] } : { value: v, label: v.charAt(0) + v.slice(1).toLowerCase().replace(/_/g, ' ') }));

const text = (name: string, label: string, groupName: string, extra: Partial<PropertyDef> = {}): PropertyDef => ({ name, label, type: 'string', fieldType: 'text', groupName, ...extra });
const area = (name: string, label: string, groupName: string): PropertyDef => ({ name, label, type: 'string', fieldType: 'textarea', groupName });
const num = (name: string, label: string, groupName: string, extra: Partial<PropertyDef> = {}): PropertyDef => ({ name, label, type: 'number', fieldType: 'number', groupName, ...extra });
const when = (name: string, label: string, groupName: string, extra: Partial<PropertyDef> = {}): PropertyDef => ({ name, label, type: 'datetime', fieldType: 'date', groupName, ...extra });
const select = (name: string, label: string, groupName: string, options: PropertyDef['options'], extra: Partial<PropertyDef> = {}): PropertyDef => ({ name, label, type: 'enumeration', fieldType: 'select', groupName, options, ...extra });
const phone = (name: string, label: string, groupName: string): PropertyDef => ({ name, label, type: 'string', fieldType: 'phonenumber', groupName });
/** Owner reference: an enumeration whose options are the portal's owners (left empty here). */
const owner = (groupName: string): PropertyDef => ({ name: 'hubspot_owner_id', label: 'Owner', type: 'enumeration', fieldType: 'select', groupName, options: [] });

function system(createdProp: string, modifiedProp: string, groupName: string): PropertyDef[] {
  return [
    when(createdProp, createdProp === 'createdate' ? 'Create Date' : 'Created at', groupName, { readOnly: true }),
    when(modifiedProp, 'Last Modified Date', groupName, { readOnly: true }),
    num('hs_object_id', 'Record ID', groupName, { readOnly: true, hasUniqueValue: true }),
  ];
}

export const LIFECYCLE_STAGES = opts(
  ['subscriber', 'Subscriber'], ['lead', 'Lead'], ['marketingqualifiedlead', 'Marketing Qualified Lead'], ['salesqualifiedlead', 'Sales Qualified Lead'],
  ['opportunity', 'Opportunity'], ['customer', 'Customer'], ['evangelist', 'Evangelist'], ['other', 'Other'],
);
export const LEAD_STATUSES = opts('NEW', 'OPEN', 'IN_PROGRESS', 'OPEN_DEAL', 'UNQUALIFIED', 'ATTEMPTED_TO_CONTACT', 'CONNECTED', 'BAD_TIMING');

/** Deal stages of the "default" pipeline: HubSpot's stage ids, the seed's labels. */
export const DEAL_STAGE_IDS = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost'] as const;
/** Lead pipeline stages ("lead-pipeline-id"). */
export const LEAD_STAGES = [
  { id: 'new-stage-id', label: 'New' },
  { id: 'attempting-stage-id', label: 'Attempting' },
  { id: 'connected-stage-id', label: 'Connected' },
  { id: 'qualified-stage-id', label: 'Qualified' },
  { id: 'unqualified-stage-id', label: 'Unqualified' },
] as const;

function def(o: Omit<ObjectDef, 'byName'>): ObjectDef {
  return { ...o, byName: new Map(o.properties.map((p) => [p.name, p])) };
}

const ADDRESS = (g: string) => [text('address', 'Street Address', g), text('city', 'City', g), text('state', 'State/Region', g), text('zip', 'Postal Code', g), text('country', 'Country/Region', g)];

function engagement(name: ObjectName, objectTypeId: string, singular: string, own: PropertyDef[]): ObjectDef {
  const g = `${singular}information`;
  return def({
    name,
    objectTypeId,
    singular,
    createdProp: 'hs_createdate',
    modifiedProp: 'hs_lastmodifieddate',
    defaultProps: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    required: ['hs_timestamp'],
    properties: [...own, when('hs_timestamp', 'Activity date', g), owner(g), ...system('hs_createdate', 'hs_lastmodifieddate', g)],
  });
}

export const OBJECTS: Record<ObjectName, ObjectDef> = {
  contacts: def({
    name: 'contacts',
    objectTypeId: '0-1',
    singular: 'contact',
    createdProp: 'createdate',
    modifiedProp: 'lastmodifieddate',
    defaultProps: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
    required: [],
    properties: [
      text('firstname', 'First Name', 'contactinformation'),
      text('lastname', 'Last Name', 'contactinformation'),
      text('email', 'Email', 'contactinformation', { hasUniqueValue: true }),
      phone('phone', 'Phone Number', 'contactinformation'),
      phone('mobilephone', 'Mobile Phone Number', 'contactinformation'),
      text('jobtitle', 'Job Title', 'contactinformation'),
      text('company', 'Company Name', 'contactinformation'),
      ...ADDRESS('contactinformation'),
      owner('contactinformation'),
      select('lifecyclestage', 'Lifecycle Stage', 'contactinformation', LIFECYCLE_STAGES, { fieldType: 'radio' }),
      select('hs_lead_status', 'Lead Status', 'sales_properties', LEAD_STATUSES, { fieldType: 'radio' }),
      num('loyalty_score', 'Loyalty Score', 'contactinformation', { custom: true, description: 'Custom property: customer loyalty score (0-100).' }),
      ...system('createdate', 'lastmodifieddate', 'contactinformation'),
    ],
  }),
  companies: def({
    name: 'companies',
    objectTypeId: '0-2',
    singular: 'company',
    createdProp: 'createdate',
    modifiedProp: 'hs_lastmodifieddate',
    defaultProps: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
    required: [],
    properties: [
      text('name', 'Company name', 'companyinformation'),
      text('domain', 'Company Domain Name', 'companyinformation'),
      text('website', 'Website URL', 'companyinformation'),
      phone('phone', 'Phone Number', 'companyinformation'),
      text('industry', 'Industry', 'companyinformation'),
      num('numberofemployees', 'Number of Employees', 'companyinformation'),
      num('annualrevenue', 'Annual Revenue', 'companyinformation'),
      area('description', 'Description', 'companyinformation'),
      ...ADDRESS('companyinformation'),
      owner('companyinformation'),
      select('tier', 'Tier', 'companyinformation', opts('Gold', 'Silver', 'Bronze').map((o) => ({ value: o.value, label: o.value })), {
        custom: true,
        description: 'Custom property: account tier.',
      }),
      ...system('createdate', 'hs_lastmodifieddate', 'companyinformation'),
    ],
  }),
  deals: def({
    name: 'deals',
    objectTypeId: '0-3',
    singular: 'deal',
    createdProp: 'createdate',
    modifiedProp: 'hs_lastmodifieddate',
    defaultProps: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
    required: ['dealname', 'dealstage'],
    properties: [
      text('dealname', 'Deal Name', 'dealinformation'),
      num('amount', 'Amount', 'dealinformation'),
      select('dealstage', 'Deal Stage', 'dealinformation', DEAL_STAGE_IDS.map((v) => ({ value: v, label: v }))),
      select('pipeline', 'Pipeline', 'dealinformation', [{ value: 'default', label: 'Sales Pipeline' }]),
      when('closedate', 'Close Date', 'dealinformation'),
      area('description', 'Deal Description', 'dealinformation'),
      owner('dealinformation'),
      ...system('createdate', 'hs_lastmodifieddate', 'dealinformation'),
    ],
  }),
  leads: def({
    name: 'leads',
    objectTypeId: '0-136',
    singular: 'lead',
    createdProp: 'hs_createdate',
    modifiedProp: 'hs_lastmodifieddate',
    defaultProps: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    required: ['hs_lead_name'],
    properties: [
      text('hs_lead_name', 'Lead name', 'leadinformation'),
      select('hs_pipeline', 'Pipeline', 'leadinformation', [{ value: 'lead-pipeline-id', label: 'Lead pipeline' }]),
      select('hs_pipeline_stage', 'Lead stage', 'leadinformation', LEAD_STAGES.map((s) => ({ value: s.id, label: s.label }))),
      select('hs_lead_type', 'Lead type', 'leadinformation', opts('NEW_BUSINESS', 'UPSELL', 'RE_ATTEMPTING')),
      owner('leadinformation'),
      ...system('hs_createdate', 'hs_lastmodifieddate', 'leadinformation'),
    ],
  }),
  tasks: engagement('tasks', '0-27', 'task', [
    text('hs_task_subject', 'Task Title', 'taskinformation'),
    area('hs_task_body', 'Notes', 'taskinformation'),
    select('hs_task_status', 'Task Status', 'taskinformation', opts('NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED')),
    select('hs_task_priority', 'Priority', 'taskinformation', opts('NONE', 'LOW', 'MEDIUM', 'HIGH')),
    select('hs_task_type', 'Task Type', 'taskinformation', opts('EMAIL', 'CALL', 'TODO')),
    when('hs_task_completion_date', 'Completed at', 'taskinformation', { readOnly: true }),
  ]),
  notes: engagement('notes', '0-46', 'note', [area('hs_note_body', 'Note body', 'noteinformation')]),
  calls: engagement('calls', '0-48', 'call', [
    text('hs_call_title', 'Call Title', 'callinformation'),
    area('hs_call_body', 'Call notes', 'callinformation'),
    select('hs_call_direction', 'Call direction', 'callinformation', opts('INBOUND', 'OUTBOUND')),
    num('hs_call_duration', 'Call duration (ms)', 'callinformation'),
    select('hs_call_status', 'Call status', 'callinformation', opts('BUSY', 'CALLING_CRM_USER', 'CANCELED', 'COMPLETED', 'CONNECTING', 'FAILED', 'IN_PROGRESS', 'NO_ANSWER', 'QUEUED', 'RINGING')),
  ]),
  meetings: engagement('meetings', '0-47', 'meeting', [
    text('hs_meeting_title', 'Meeting name', 'meetinginformation'),
    area('hs_meeting_body', 'Meeting description', 'meetinginformation'),
    when('hs_meeting_start_time', 'Start time', 'meetinginformation'),
    when('hs_meeting_end_time', 'End time', 'meetinginformation'),
    text('hs_meeting_location', 'Location', 'meetinginformation'),
    select('hs_meeting_outcome', 'Meeting outcome', 'meetinginformation', opts('SCHEDULED', 'COMPLETED', 'RESCHEDULED', 'NO_SHOW', 'CANCELED')),
  ]),
  emails: engagement('emails', '0-49', 'email', [
    text('hs_email_subject', 'Email subject', 'emailinformation'),
    area('hs_email_text', 'Email body', 'emailinformation'),
    select('hs_email_direction', 'Email direction', 'emailinformation', opts(['EMAIL', 'Sent by the owner'], ['INCOMING_EMAIL', 'Reply'], ['FORWARDED_EMAIL', 'Forwarded'])),
    select('hs_email_status', 'Email status', 'emailinformation', opts('BOUNCED', 'FAILED', 'SCHEDULED', 'SENDING', 'SENT')),
  ]),
};

const BY_ALIAS = new Map<string, ObjectName>();
for (const o of OBJECT_NAMES) {
  const d = OBJECTS[o];
  BY_ALIAS.set(o, o);
  BY_ALIAS.set(d.objectTypeId, o);
  BY_ALIAS.set(d.singular, o);
}
BY_ALIAS.set('company', 'companies');

/** Resolves "contacts", "contact" or "0-1" to the object name (case-insensitive). */
export function resolveObject(type: string): ObjectName | undefined {
  return BY_ALIAS.get(type.toLowerCase());
}

/** Property name aliases accepted in search filters and sorts (HubSpot accepts both spellings). */
export function canonicalProperty(def: ObjectDef, name: string): string {
  if (name === 'lastmodifieddate' || name === 'hs_lastmodifieddate') return def.modifiedProp;
  if (name === 'createdate' || name === 'hs_createdate') return def.createdProp;
  if (name === 'id') return 'hs_object_id';
  return name;
}
