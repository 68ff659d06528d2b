import { SEED_STAGES, type SeedActivity, type SeedAddress, type SeedDataset } from '../common/seed';
import { STAGES } from './schema';

/**
 * Seed (vendor-neutral) records -> Salesforce records with the vendor's field names and wire
 * values (datetimes as `2024-01-01T00:00:00.000+0000`, dates as `YYYY-MM-DD`). `_m` carries the
 * modification time in epoch ms for the collections (it is never rendered).
 */

export interface SfRecord {
  [field: string]: unknown;
  /** Modification time, epoch ms. */
  _m: number;
  /** Memoized JSON rendering and its key (see renderRecord); cleared on every change. */
  _jk?: string;
  _j?: string;
  _jb?: Buffer;
}

const DAY_MS = 86_400_000;
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const dayPrefix = new Map<number, string>();

/** Salesforce's datetime wire format, `2024-01-01T00:00:00.000+0000` (hot path: day prefixes cached). */
export function sfDateTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefix.get(day);
  if (prefix === undefined) {
    if (!Number.isFinite(ms)) return new Date(ms).toISOString();
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    if (dayPrefix.size > 50_000) dayPrefix.clear();
    dayPrefix.set(day, prefix);
  }
  let rem = ms - day * DAY_MS;
  const h = Math.floor(rem / 3_600_000);
  rem -= h * 3_600_000;
  const m = Math.floor(rem / 60_000);
  rem -= m * 60_000;
  const sec = Math.floor(rem / 1000);
  return `${prefix}${PAD2[h]}:${PAD2[m]}:${PAD2[sec]}.${PAD3[rem - sec * 1000]}+0000`;
}

export function sfDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Parses Salesforce/ISO datetimes (`+0000`, `+00:00`, `Z`, no millis) to epoch ms; NaN when invalid. */
export function parseSfDateTime(s: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/.exec(s);
  if (!m) return NaN;
  let zone = m[4];
  if (zone !== 'Z' && zone.length === 5) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3] ?? ''}${zone}`);
  return ms;
}

/** Resolves ids of related records by object name and position (segment 0). */
export interface IdResolver {
  id(object: string, position: number, segment?: number): string;
  userId(index: number): string;
}

function audit(ids: IdResolver, createdAt: number, modifiedAt: number, ownerIndex: number): Record<string, unknown> {
  const by = ids.userId(ownerIndex);
  const modified = sfDateTime(modifiedAt);
  return {
    CreatedDate: sfDateTime(createdAt),
    CreatedById: by,
    LastModifiedDate: modified,
    LastModifiedById: by,
    SystemModstamp: modified,
  };
}

function addr(prefix: string, a: SeedAddress): Record<string, unknown> {
  return {
    [`${prefix}Street`]: a.street,
    [`${prefix}City`]: a.city,
    [`${prefix}State`]: a.state,
    [`${prefix}PostalCode`]: a.postalCode,
    [`${prefix}Country`]: a.countryName,
  };
}

const LEAD_STATUS = { new: 'Open - Not Contacted', working: 'Working - Contacted', qualified: 'Qualified', unqualified: 'Closed - Not Converted', converted: 'Closed - Converted' } as const;

export function mapUser(ds: SeedDataset, ids: IdResolver, i: number): SfRecord {
  const u = ds.user(i);
  return {
    Id: ids.userId(i),
    Username: u.email.replace('@sandbox-crm.example', '@sandbox.switchboard.example'),
    FirstName: u.firstName,
    LastName: u.lastName,
    Name: `${u.firstName} ${u.lastName}`,
    Email: u.email,
    Alias: (u.firstName[0] + u.lastName).replace(/[^A-Za-z]/g, '').slice(0, 8).toLowerCase(),
    IsActive: u.active,
    Title: i === 0 ? 'System Administrator' : 'Sales Representative',
    TimeZoneSidKey: 'America/Los_Angeles',
    ...audit(ids, u.createdAt, u.modifiedAt, 0),
    _m: u.modifiedAt,
  };
}

export function mapAccount(ds: SeedDataset, ids: IdResolver, i: number): SfRecord {
  const a = ds.account(i);
  return {
    Id: ids.id('Account', i),
    IsDeleted: false,
    Name: a.name,
    Type: i % 3 === 0 ? 'Prospect' : 'Customer - Direct',
    Industry: a.industry,
    Website: a.website,
    Phone: a.phone,
    NumberOfEmployees: a.employees,
    AnnualRevenue: a.annualRevenue,
    Description: a.description,
    ...addr('Billing', a.address),
    ShippingStreet: null,
    ShippingCity: null,
    ShippingState: null,
    ShippingPostalCode: null,
    ShippingCountry: null,
    OwnerId: ids.userId(a.ownerIndex),
    LastActivityDate: null,
    Tier__c: a.tier,
    ...audit(ids, a.createdAt, a.modifiedAt, a.ownerIndex),
    _m: a.modifiedAt,
  };
}

export function mapContact(ds: SeedDataset, ids: IdResolver, i: number): SfRecord {
  const c = ds.contact(i);
  return {
    Id: ids.id('Contact', i),
    IsDeleted: false,
    AccountId: ds.counts.accounts ? ids.id('Account', c.accountIndex) : null,
    FirstName: c.firstName,
    LastName: c.lastName,
    Name: `${c.firstName} ${c.lastName}`,
    Email: c.email,
    Phone: c.phone,
    MobilePhone: c.mobile,
    Title: c.title,
    LeadSource: c.leadSource,
    Description: null,
    ...addr('Mailing', c.address),
    OwnerId: ids.userId(c.ownerIndex),
    LastActivityDate: null,
    Loyalty_Score__c: c.loyaltyScore,
    ...audit(ids, c.createdAt, c.modifiedAt, c.ownerIndex),
    _m: c.modifiedAt,
  };
}

export function mapLead(ds: SeedDataset, ids: IdResolver, i: number): SfRecord {
  const l = ds.lead(i);
  const converted = l.convertedContactIndex !== null;
  return {
    Id: ids.id('Lead', i),
    IsDeleted: false,
    FirstName: l.firstName,
    LastName: l.lastName,
    Name: `${l.firstName} ${l.lastName}`,
    Company: l.company,
    Title: l.title,
    Email: l.email,
    Phone: l.phone,
    MobilePhone: null,
    Status: LEAD_STATUS[l.status],
    LeadSource: l.leadSource,
    Industry: null,
    Description: null,
    ...addr('', l.address),
    OwnerId: ids.userId(l.ownerIndex),
    IsConverted: converted,
    ConvertedDate: converted && l.convertedAt !== null ? sfDate(l.convertedAt) : null,
    ConvertedAccountId: converted && l.convertedAccountIndex !== null ? ids.id('Account', l.convertedAccountIndex) : null,
    ConvertedContactId: converted && l.convertedContactIndex !== null ? ids.id('Contact', l.convertedContactIndex) : null,
    ConvertedOpportunityId: null,
    ...audit(ids, l.createdAt, l.modifiedAt, l.ownerIndex),
    _m: l.modifiedAt,
  };
}

export function mapOpportunity(ds: SeedDataset, ids: IdResolver, i: number): SfRecord {
  const d = ds.deal(i);
  const stage = STAGES[d.stageIndex];
  return {
    Id: ids.id('Opportunity', i),
    IsDeleted: false,
    AccountId: ds.counts.accounts ? ids.id('Account', d.accountIndex) : null,
    ContactId: ds.counts.contacts ? ids.id('Contact', d.contactIndex) : null,
    Name: d.name,
    Description: d.description,
    StageName: stage.label,
    Amount: d.amount,
    Probability: stage.probability,
    CloseDate: d.closeDate,
    Type: i % 2 === 0 ? 'New Customer' : 'Existing Customer - Upgrade',
    LeadSource: null,
    IsClosed: stage.isClosed,
    IsWon: stage.isWon,
    ForecastCategoryName: stage.forecastCategory,
    OwnerId: ids.userId(d.ownerIndex),
    LastActivityDate: null,
    ...audit(ids, d.createdAt, d.modifiedAt, d.ownerIndex),
    _m: d.modifiedAt,
  };
}

const STAGE_TIME = Date.UTC(2023, 0, 1);

export function mapStage(_ds: SeedDataset, ids: IdResolver, i: number): SfRecord {
  const s = STAGES[i];
  return {
    Id: ids.id('OpportunityStage', i),
    MasterLabel: s.label,
    ApiName: s.label,
    IsActive: true,
    SortOrder: SEED_STAGES[i].index + 1,
    IsClosed: s.isClosed,
    IsWon: s.isWon,
    ForecastCategoryName: s.forecastCategory,
    DefaultProbability: s.probability,
    Description: null,
    ...audit(ids, STAGE_TIME, STAGE_TIME, 0),
    _m: STAGE_TIME,
  };
}

function whatId(ds: SeedDataset, ids: IdResolver, dealIndex: number | null, accountIndex: number): string | null {
  if (dealIndex !== null) return ids.id('Opportunity', dealIndex);
  return ds.counts.accounts ? ids.id('Account', accountIndex) : null;
}

export function mapTask(ds: SeedDataset, ids: IdResolver, i: number): SfRecord {
  const t = ds.task(i);
  return {
    Id: ids.id('Task', i, 0),
    IsDeleted: false,
    WhoId: ds.counts.contacts ? ids.id('Contact', t.contactIndex) : null,
    WhatId: whatId(ds, ids, t.dealIndex, t.accountIndex),
    Subject: t.subject,
    ActivityDate: t.dueDate,
    Status: t.completed ? 'Completed' : 'Not Started',
    Priority: t.priority,
    IsHighPriority: t.priority === 'High',
    OwnerId: ids.userId(t.ownerIndex),
    Description: t.description,
    AccountId: ds.counts.accounts ? ids.id('Account', t.accountIndex) : null,
    IsClosed: t.completed,
    TaskSubtype: 'Task',
    CallDurationInSeconds: null,
    CallType: null,
    CompletedDateTime: t.completedAt !== null ? sfDateTime(t.completedAt) : null,
    IsArchived: false,
    ...audit(ids, t.createdAt, t.modifiedAt, t.ownerIndex),
    _m: t.modifiedAt,
  };
}

/** Calls (segment 1) and emails (segment 2) are Tasks with TaskSubtype Call / Email. */
export function mapActivityTask(ds: SeedDataset, ids: IdResolver, kind: 'call' | 'email', i: number): SfRecord {
  const a: SeedActivity = ds.activity(kind, i);
  const call = kind === 'call';
  return {
    Id: ids.id('Task', i, call ? 1 : 2),
    IsDeleted: false,
    WhoId: ds.counts.contacts ? ids.id('Contact', a.contactIndex) : null,
    WhatId: whatId(ds, ids, a.dealIndex, a.accountIndex),
    Subject: call ? `Call: ${a.subject}` : `Email: ${a.subject}`,
    ActivityDate: sfDate(a.startAt),
    Status: 'Completed',
    Priority: 'Normal',
    IsHighPriority: false,
    OwnerId: ids.userId(a.ownerIndex),
    Description: a.body,
    AccountId: ds.counts.accounts ? ids.id('Account', a.accountIndex) : null,
    IsClosed: true,
    TaskSubtype: call ? 'Call' : 'Email',
    CallDurationInSeconds: call ? Math.round((a.endAt - a.startAt) / 1000) : null,
    CallType: call ? (a.direction === 'inbound' ? 'Inbound' : 'Outbound') : null,
    CompletedDateTime: sfDateTime(a.endAt),
    IsArchived: false,
    ...audit(ids, a.createdAt, a.modifiedAt, a.ownerIndex),
    _m: a.modifiedAt,
  };
}

export function mapEvent(ds: SeedDataset, ids: IdResolver, i: number): SfRecord {
  const a = ds.activity('meeting', i);
  const start = sfDateTime(a.startAt);
  return {
    Id: ids.id('Event', i),
    IsDeleted: false,
    WhoId: ds.counts.contacts ? ids.id('Contact', a.contactIndex) : null,
    WhatId: whatId(ds, ids, a.dealIndex, a.accountIndex),
    Subject: a.subject,
    Location: i % 2 === 0 ? 'Video call' : 'Customer office',
    IsAllDayEvent: false,
    ActivityDateTime: start,
    ActivityDate: sfDate(a.startAt),
    StartDateTime: start,
    EndDateTime: sfDateTime(a.endAt),
    DurationInMinutes: Math.round((a.endAt - a.startAt) / 60_000),
    Description: a.body,
    OwnerId: ids.userId(a.ownerIndex),
    AccountId: ds.counts.accounts ? ids.id('Account', a.accountIndex) : null,
    EventSubtype: 'Event',
    ShowAs: 'Busy',
    IsArchived: false,
    ...audit(ids, a.createdAt, a.modifiedAt, a.ownerIndex),
    _m: a.modifiedAt,
  };
}

export function mapNote(ds: SeedDataset, ids: IdResolver, i: number): SfRecord {
  const n = ds.note(i);
  const parent =
    n.dealIndex !== null ? ids.id('Opportunity', n.dealIndex) : n.contactIndex !== null ? ids.id('Contact', n.contactIndex) : ids.id('Account', n.accountIndex);
  return {
    Id: ids.id('Note', i),
    IsDeleted: false,
    ParentId: parent,
    Title: n.title,
    IsPrivate: false,
    Body: n.body,
    OwnerId: ids.userId(n.ownerIndex),
    ...audit(ids, n.createdAt, n.modifiedAt, n.ownerIndex),
    _m: n.modifiedAt,
  };
}

/** Fields derived from others, recomputed after every create and update. */
export function applyDerived(object: string, r: SfRecord): void {
  switch (object) {
    case 'Contact':
    case 'Lead':
      r.Name = r.FirstName ? `${r.FirstName} ${r.LastName}` : r.LastName;
      break;
    case 'Opportunity': {
      const stage = STAGES.find((s) => s.label === r.StageName);
      if (stage) {
        r.IsClosed = stage.isClosed;
        r.IsWon = stage.isWon;
        r.ForecastCategoryName = stage.forecastCategory;
      }
      break;
    }
    case 'Task':
      r.IsClosed = r.Status === 'Completed';
      r.IsHighPriority = r.Priority === 'High';
      break;
    case 'Event': {
      const start = typeof r.StartDateTime === 'string' ? parseSfDateTime(r.StartDateTime) : NaN;
      if (!Number.isNaN(start)) {
        r.ActivityDateTime = r.StartDateTime;
        r.ActivityDate = sfDate(start);
        const end = typeof r.EndDateTime === 'string' ? parseSfDateTime(r.EndDateTime) : NaN;
        if (!Number.isNaN(end)) r.DurationInMinutes = Math.round((end - start) / 60_000);
        else if (typeof r.DurationInMinutes === 'number') r.EndDateTime = sfDateTime(start + r.DurationInMinutes * 60_000);
      }
      break;
    }
  }
}
