/**
 * The sObjects the emulator serves, with Salesforce's standard field API names, types and
 * create/update permissions. Drives describe, SOQL field resolution, write validation and JSON
 * rendering.
 */

export type SfFieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'combobox'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'reference';

export interface SfField {
  name: string;
  label: string;
  type: SfFieldType;
  custom: boolean;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate: boolean;
  length: number;
  picklistValues?: readonly string[];
  /** Restricted picklist: values outside the list are rejected. */
  restricted?: boolean;
  referenceTo?: readonly string[];
  relationshipName?: string;
  /** Lower-cased name, for case-insensitive SOQL resolution. */
  lower: string;
  /** Pre-rendered `"Name":` JSON key. */
  jsonKey: string;
}

export interface SfObject {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  fields: SfField[];
  byLower: Map<string, SfField>;
  /** Fields a create must carry (createable, not nillable, not defaulted). */
  required: SfField[];
  hasIsDeleted: boolean;
}

type Opts = Partial<Omit<SfField, 'name' | 'type' | 'lower' | 'jsonKey'>>;

const LENGTHS: Partial<Record<SfFieldType, number>> = { id: 18, reference: 18, string: 255, textarea: 32000, email: 80, phone: 40, url: 255, picklist: 255, combobox: 255 };

function f(name: string, type: SfFieldType, opts: Opts = {}): SfField {
  return {
    name,
    label: opts.label ?? name.replace(/__c$/, '').replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/ Id$/, ' ID'),
    type,
    custom: name.endsWith('__c'),
    nillable: opts.nillable ?? true,
    createable: opts.createable ?? true,
    updateable: opts.updateable ?? opts.createable ?? true,
    defaultedOnCreate: opts.defaultedOnCreate ?? false,
    length: opts.length ?? LENGTHS[type] ?? 0,
    picklistValues: opts.picklistValues,
    restricted: opts.restricted,
    referenceTo: opts.referenceTo,
    relationshipName: opts.relationshipName ?? (type === 'reference' ? name.replace(/Id$/, '') : undefined),
    lower: name.toLowerCase(),
    jsonKey: JSON.stringify(name) + ':',
  };
}

/** A system-maintained (read-only) field. */
function ro(name: string, type: SfFieldType, opts: Opts = {}): SfField {
  return f(name, type, { createable: false, updateable: false, ...opts });
}

const ref = (name: string, to: string[], opts: Opts = {}) => f(name, 'reference', { referenceTo: to, ...opts });

function systemFields(withIsDeleted: boolean): SfField[] {
  return [
    ro('Id', 'id', { nillable: false, defaultedOnCreate: true, label: 'Record ID' }),
    ...(withIsDeleted ? [ro('IsDeleted', 'boolean', { nillable: false, defaultedOnCreate: true, label: 'Deleted' })] : []),
  ];
}

function auditFields(): SfField[] {
  return [
    ro('CreatedDate', 'datetime', { nillable: false, defaultedOnCreate: true }),
    ro('CreatedById', 'reference', { nillable: false, defaultedOnCreate: true, referenceTo: ['User'], relationshipName: 'CreatedBy' }),
    ro('LastModifiedDate', 'datetime', { nillable: false, defaultedOnCreate: true }),
    ro('LastModifiedById', 'reference', { nillable: false, defaultedOnCreate: true, referenceTo: ['User'], relationshipName: 'LastModifiedBy' }),
    ro('SystemModstamp', 'datetime', { nillable: false, defaultedOnCreate: true, label: 'System Modstamp' }),
  ];
}

const owner = () => ref('OwnerId', ['User'], { nillable: false, defaultedOnCreate: true, label: 'Owner ID', relationshipName: 'Owner' });

function address(prefix: string): SfField[] {
  return [
    f(`${prefix}Street`, 'textarea', { length: 255 }),
    f(`${prefix}City`, 'string', { length: 40 }),
    f(`${prefix}State`, 'string', { length: 80 }),
    f(`${prefix}PostalCode`, 'string', { length: 20 }),
    f(`${prefix}Country`, 'string', { length: 80 }),
  ];
}

export const INDUSTRIES = ['Agriculture', 'Banking', 'Consulting', 'Education', 'Energy', 'Finance', 'Healthcare', 'Manufacturing', 'Media', 'Retail', 'Technology', 'Transportation', 'Other'];
export const LEAD_SOURCES = ['Advertisement', 'Cold Call', 'Partner', 'Referral', 'Trade Show', 'Web', 'Other'];
export const LEAD_STATUSES = ['Open - Not Contacted', 'Working - Contacted', 'Qualified', 'Closed - Converted', 'Closed - Not Converted'];
export const TASK_STATUSES = ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'];
export const PRIORITIES = ['High', 'Normal', 'Low'];
export const TIERS = ['Gold', 'Silver', 'Bronze'];

export interface StageDef {
  label: string;
  probability: number;
  isClosed: boolean;
  isWon: boolean;
  forecastCategory: string;
}

/** Salesforce's default opportunity stages, aligned with the seed's seven stages by index. */
export const STAGES: readonly StageDef[] = [
  { label: 'Prospecting', probability: 10, isClosed: false, isWon: false, forecastCategory: 'Pipeline' },
  { label: 'Qualification', probability: 20, isClosed: false, isWon: false, forecastCategory: 'Pipeline' },
  { label: 'Needs Analysis', probability: 40, isClosed: false, isWon: false, forecastCategory: 'Pipeline' },
  { label: 'Proposal/Price Quote', probability: 60, isClosed: false, isWon: false, forecastCategory: 'Pipeline' },
  { label: 'Negotiation/Review', probability: 80, isClosed: false, isWon: false, forecastCategory: 'Pipeline' },
  { label: 'Closed Won', probability: 100, isClosed: true, isWon: true, forecastCategory: 'Closed' },
  { label: 'Closed Lost', probability: 0, isClosed: true, isWon: false, forecastCategory: 'Omitted' },
];
export const STAGE_BY_LABEL = new Map(STAGES.map((s) => [s.label, s]));

function obj(name: string, keyPrefix: string, labelPlural: string, fields: SfField[], opts: { writable?: boolean; label?: string } = {}): SfObject {
  const writable = opts.writable ?? true;
  return {
    name,
    label: opts.label ?? name,
    labelPlural,
    keyPrefix,
    createable: writable,
    updateable: writable,
    deletable: writable,
    fields,
    byLower: new Map(fields.map((x) => [x.lower, x])),
    required: fields.filter((x) => x.createable && !x.nillable && !x.defaultedOnCreate),
    hasIsDeleted: fields.some((x) => x.name === 'IsDeleted'),
  };
}

export const OBJECTS: Record<string, SfObject> = {};

function add(o: SfObject): void {
  OBJECTS[o.name] = o;
}

add(
  obj('User', '005', 'Users', [
    ...systemFields(false),
    f('Username', 'string', { length: 80, nillable: false }),
    f('FirstName', 'string', { length: 40 }),
    f('LastName', 'string', { length: 80, nillable: false }),
    ro('Name', 'string', { length: 121, label: 'Full Name' }),
    f('Email', 'email', { nillable: false }),
    f('Alias', 'string', { length: 8, nillable: false }),
    f('IsActive', 'boolean', { nillable: false, defaultedOnCreate: true, label: 'Active' }),
    f('Title', 'string', { length: 80 }),
    f('TimeZoneSidKey', 'picklist', { picklistValues: ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'UTC'] }),
    ...auditFields(),
  ], { writable: false }),
);

add(
  obj('Account', '001', 'Accounts', [
    ...systemFields(true),
    f('Name', 'string', { nillable: false, label: 'Account Name' }),
    f('Type', 'picklist', { picklistValues: ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Channel Partner / Reseller', 'Installation Partner', 'Technology Partner', 'Other'], label: 'Account Type' }),
    f('Industry', 'picklist', { picklistValues: INDUSTRIES }),
    f('Website', 'url'),
    f('Phone', 'phone', { label: 'Account Phone' }),
    f('NumberOfEmployees', 'int', { label: 'Employees' }),
    f('AnnualRevenue', 'currency'),
    f('Description', 'textarea', { label: 'Account Description' }),
    ...address('Billing'),
    ...address('Shipping'),
    owner(),
    ro('LastActivityDate', 'date'),
    f('Tier__c', 'picklist', { picklistValues: TIERS, restricted: true, label: 'Tier' }),
    ...auditFields(),
  ]),
);

add(
  obj('Contact', '003', 'Contacts', [
    ...systemFields(true),
    ref('AccountId', ['Account'], { label: 'Account ID' }),
    f('FirstName', 'string', { length: 40 }),
    f('LastName', 'string', { length: 80, nillable: false }),
    ro('Name', 'string', { length: 121, label: 'Full Name' }),
    f('Email', 'email'),
    f('Phone', 'phone', { label: 'Business Phone' }),
    f('MobilePhone', 'phone', { label: 'Mobile Phone' }),
    f('Title', 'string', { length: 128 }),
    f('LeadSource', 'picklist', { picklistValues: LEAD_SOURCES }),
    f('Description', 'textarea', { label: 'Contact Description' }),
    ...address('Mailing'),
    owner(),
    ro('LastActivityDate', 'date'),
    f('Loyalty_Score__c', 'double', { label: 'Loyalty Score' }),
    ...auditFields(),
  ]),
);

add(
  obj('Lead', '00Q', 'Leads', [
    ...systemFields(true),
    f('FirstName', 'string', { length: 40 }),
    f('LastName', 'string', { length: 80, nillable: false }),
    ro('Name', 'string', { length: 121, label: 'Full Name' }),
    f('Company', 'string', { nillable: false }),
    f('Title', 'string', { length: 128 }),
    f('Email', 'email'),
    f('Phone', 'phone'),
    f('MobilePhone', 'phone', { label: 'Mobile Phone' }),
    f('Status', 'picklist', { picklistValues: LEAD_STATUSES, restricted: true, nillable: false, defaultedOnCreate: true, label: 'Lead Status' }),
    f('LeadSource', 'picklist', { picklistValues: LEAD_SOURCES }),
    f('Industry', 'picklist', { picklistValues: INDUSTRIES }),
    f('Description', 'textarea'),
    ...address(''),
    owner(),
    ro('IsConverted', 'boolean', { nillable: false, defaultedOnCreate: true, label: 'Converted' }),
    ro('ConvertedDate', 'date'),
    ro('ConvertedAccountId', 'reference', { referenceTo: ['Account'], relationshipName: 'ConvertedAccount' }),
    ro('ConvertedContactId', 'reference', { referenceTo: ['Contact'], relationshipName: 'ConvertedContact' }),
    ro('ConvertedOpportunityId', 'reference', { referenceTo: ['Opportunity'], relationshipName: 'ConvertedOpportunity' }),
    ...auditFields(),
  ]),
);

add(
  obj('Opportunity', '006', 'Opportunities', [
    ...systemFields(true),
    ref('AccountId', ['Account'], { label: 'Account ID' }),
    ref('ContactId', ['Contact'], { label: 'Contact ID' }),
    f('Name', 'string', { length: 120, nillable: false }),
    f('Description', 'textarea'),
    f('StageName', 'picklist', { picklistValues: STAGES.map((s) => s.label), restricted: true, nillable: false, label: 'Stage' }),
    f('Amount', 'currency'),
    f('Probability', 'percent', { defaultedOnCreate: true, label: 'Probability (%)' }),
    f('CloseDate', 'date', { nillable: false }),
    f('Type', 'picklist', { picklistValues: ['Existing Customer - Upgrade', 'Existing Customer - Replacement', 'Existing Customer - Downgrade', 'New Customer'], label: 'Opportunity Type' }),
    f('LeadSource', 'picklist', { picklistValues: LEAD_SOURCES }),
    ro('IsClosed', 'boolean', { nillable: false, defaultedOnCreate: true, label: 'Closed' }),
    ro('IsWon', 'boolean', { nillable: false, defaultedOnCreate: true, label: 'Won' }),
    ro('ForecastCategoryName', 'picklist', { picklistValues: ['Omitted', 'Pipeline', 'Best Case', 'Commit', 'Closed'], label: 'Forecast Category' }),
    owner(),
    ro('LastActivityDate', 'date'),
    ...auditFields(),
  ]),
);

add(
  obj('OpportunityStage', '01J', 'Opportunity Stages', [
    ...systemFields(false),
    ro('MasterLabel', 'string', { label: 'Master Label' }),
    ro('ApiName', 'string'),
    ro('IsActive', 'boolean', { nillable: false }),
    ro('SortOrder', 'int'),
    ro('IsClosed', 'boolean', { nillable: false }),
    ro('IsWon', 'boolean', { nillable: false }),
    ro('ForecastCategoryName', 'picklist', { picklistValues: ['Omitted', 'Pipeline', 'Best Case', 'Commit', 'Closed'] }),
    ro('DefaultProbability', 'percent'),
    ro('Description', 'string'),
    ...auditFields(),
  ], { writable: false, label: 'Opportunity Stage' }),
);

const who = () => ref('WhoId', ['Contact', 'Lead'], { label: 'Name ID', relationshipName: 'Who' });
const what = () => ref('WhatId', ['Account', 'Opportunity'], { label: 'Related To ID', relationshipName: 'What' });

add(
  obj('Task', '00T', 'Tasks', [
    ...systemFields(true),
    who(),
    what(),
    f('Subject', 'combobox'),
    f('ActivityDate', 'date', { label: 'Due Date Only' }),
    f('Status', 'picklist', { picklistValues: TASK_STATUSES, restricted: true, nillable: false, defaultedOnCreate: true }),
    f('Priority', 'picklist', { picklistValues: PRIORITIES, restricted: true, nillable: false, defaultedOnCreate: true }),
    ro('IsHighPriority', 'boolean', { nillable: false, defaultedOnCreate: true }),
    owner(),
    f('Description', 'textarea'),
    ro('AccountId', 'reference', { referenceTo: ['Account'] }),
    ro('IsClosed', 'boolean', { nillable: false, defaultedOnCreate: true, label: 'Closed' }),
    f('TaskSubtype', 'picklist', { picklistValues: ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'], restricted: true, updateable: false, defaultedOnCreate: true }),
    f('CallDurationInSeconds', 'int', { label: 'Call Duration' }),
    f('CallType', 'picklist', { picklistValues: ['Internal', 'Inbound', 'Outbound'], restricted: true }),
    ro('CompletedDateTime', 'datetime'),
    ro('IsArchived', 'boolean', { nillable: false, defaultedOnCreate: true, label: 'Archived' }),
    ...auditFields(),
  ]),
);

add(
  obj('Event', '00U', 'Events', [
    ...systemFields(true),
    who(),
    what(),
    f('Subject', 'combobox'),
    f('Location', 'string'),
    f('IsAllDayEvent', 'boolean', { nillable: false, defaultedOnCreate: true, label: 'All-Day Event' }),
    f('ActivityDateTime', 'datetime', { label: 'Due Date Time' }),
    ro('ActivityDate', 'date', { label: 'Due Date Only' }),
    f('StartDateTime', 'datetime', { label: 'Start Date Time' }),
    f('EndDateTime', 'datetime', { label: 'End Date Time' }),
    f('DurationInMinutes', 'int', { label: 'Duration' }),
    f('Description', 'textarea'),
    owner(),
    ro('AccountId', 'reference', { referenceTo: ['Account'] }),
    f('EventSubtype', 'picklist', { picklistValues: ['Event'], updateable: false, defaultedOnCreate: true }),
    f('ShowAs', 'picklist', { picklistValues: ['Busy', 'OutOfOffice', 'Free'], label: 'Show Time As' }),
    ro('IsArchived', 'boolean', { nillable: false, defaultedOnCreate: true, label: 'Archived' }),
    ...auditFields(),
  ]),
);

add(
  obj('Note', '002', 'Notes', [
    ...systemFields(true),
    ref('ParentId', ['Account', 'Contact', 'Opportunity', 'Lead'], { nillable: false, updateable: false, label: 'Parent ID', relationshipName: 'Parent' }),
    f('Title', 'string', { length: 80, nillable: false }),
    f('IsPrivate', 'boolean', { nillable: false, defaultedOnCreate: true, label: 'Private' }),
    f('Body', 'textarea'),
    owner(),
    ...auditFields(),
  ]),
);

export const OBJECT_NAMES = Object.keys(OBJECTS);
const OBJECTS_LOWER = new Map(OBJECT_NAMES.map((n) => [n.toLowerCase(), OBJECTS[n]]));
const OBJECTS_BY_PREFIX = new Map(OBJECT_NAMES.map((n) => [OBJECTS[n].keyPrefix, OBJECTS[n]]));

export function findObject(name: string): SfObject | undefined {
  return OBJECTS_LOWER.get(name.toLowerCase());
}

export function objectByKeyPrefix(prefix: string): SfObject | undefined {
  return OBJECTS_BY_PREFIX.get(prefix);
}
