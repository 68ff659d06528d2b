import { rngFor } from './random';

/**
 * A vendor-neutral CRM dataset generated on demand: record i of any entity is a pure function
 * of (seed, entity, i), so a million contacts never sit in memory at once. Each vendor emulator
 * maps these neutral records to its own object and field names.
 *
 * Base records' `modifiedAt` never decreases with the index, so "modified since T" over the
 * base rows is a binary search instead of a scan.
 */

export interface SeedOptions {
  seed: number;
  /** Number of contacts; every other entity's count is derived from it. */
  contacts: number;
}

export interface SeedCounts {
  users: number;
  accounts: number;
  contacts: number;
  leads: number;
  deals: number;
  tasks: number;
  notes: number;
  calls: number;
  meetings: number;
  emails: number;
}

export type ActivityKind = 'call' | 'meeting' | 'email';

export interface SeedAddress {
  street: string;
  city: string;
  state: string;
  postalCode: string;
  /** ISO 3166 alpha-2 */
  countryCode: string;
  countryName: string;
}

interface Timestamps {
  createdAt: number;
  modifiedAt: number;
}

export interface SeedUser extends Timestamps {
  index: number;
  firstName: string;
  lastName: string;
  email: string;
  active: boolean;
}

export interface SeedAccount extends Timestamps {
  index: number;
  name: string;
  industry: string;
  website: string;
  phone: string;
  employees: number;
  description: string;
  annualRevenue: number;
  address: SeedAddress;
  ownerIndex: number;
  /** Value of a custom field ("tier") that every vendor exposes as a custom field. */
  tier: 'Gold' | 'Silver' | 'Bronze';
}

export interface SeedContact extends Timestamps {
  index: number;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  mobile: string;
  title: string;
  accountIndex: number;
  ownerIndex: number;
  leadSource: string;
  address: SeedAddress;
  /** Custom field value ("loyalty score"). */
  loyaltyScore: number;
}

export type SeedLeadStatus = 'new' | 'working' | 'qualified' | 'unqualified' | 'converted';

export interface SeedLead extends Timestamps {
  index: number;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  title: string;
  company: string;
  status: SeedLeadStatus;
  leadSource: string;
  ownerIndex: number;
  address: SeedAddress;
  /** Set when status is 'converted'. */
  convertedContactIndex: number | null;
  convertedAccountIndex: number | null;
  convertedAt: number | null;
}

export interface SeedStage {
  index: number;
  key: string;
  label: string;
  probability: number;
  isClosed: boolean;
  isWon: boolean;
}

export interface SeedDeal extends Timestamps {
  index: number;
  name: string;
  description: string;
  amount: number;
  stageIndex: number;
  /** Calendar date, YYYY-MM-DD. */
  closeDate: string;
  accountIndex: number;
  contactIndex: number;
  ownerIndex: number;
}

export interface SeedTask extends Timestamps {
  index: number;
  subject: string;
  description: string;
  completed: boolean;
  priority: 'High' | 'Normal' | 'Low';
  /** Calendar date, YYYY-MM-DD. */
  dueDate: string;
  completedAt: number | null;
  ownerIndex: number;
  contactIndex: number;
  accountIndex: number;
  dealIndex: number | null;
}

export interface SeedNote extends Timestamps {
  index: number;
  title: string;
  body: string;
  ownerIndex: number;
  contactIndex: number | null;
  accountIndex: number;
  dealIndex: number | null;
}

export interface SeedActivity extends Timestamps {
  index: number;
  kind: ActivityKind;
  subject: string;
  body: string;
  direction: 'inbound' | 'outbound';
  startAt: number;
  endAt: number;
  ownerIndex: number;
  contactIndex: number;
  accountIndex: number;
  dealIndex: number | null;
}

export const SEED_STAGES: readonly SeedStage[] = [
  { index: 0, key: 'prospecting', label: 'Prospecting', probability: 10, isClosed: false, isWon: false },
  { index: 1, key: 'qualification', label: 'Qualification', probability: 20, isClosed: false, isWon: false },
  { index: 2, key: 'needs_analysis', label: 'Needs Analysis', probability: 40, isClosed: false, isWon: false },
  { index: 3, key: 'proposal', label: 'Proposal', probability: 60, isClosed: false, isWon: false },
  { index: 4, key: 'negotiation', label: 'Negotiation', probability: 80, isClosed: false, isWon: false },
  { index: 5, key: 'closed_won', label: 'Closed Won', probability: 100, isClosed: true, isWon: true },
  { index: 6, key: 'closed_lost', label: 'Closed Lost', probability: 0, isClosed: true, isWon: false },
];

/** Seed data is dated in the past so that anything an emulator writes at "now" is newer. */
export const SEED_EPOCH = Date.UTC(2024, 0, 1);
const SEED_SPAN_MS = 500 * 24 * 3600 * 1000;

const FIRST = ['Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Radia', 'Tim', 'Katherine', 'John', 'Hedy', 'Donald', 'Sophie', 'Guido', 'Anita', 'Bjarne', 'Mary', 'James', 'Karen', 'Niklaus', 'Shafi', 'Leslie', 'Annie', 'Robert', 'Carol', 'Vint', 'Joan', 'Whitfield'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Dijkstra', 'Perlman', 'Berners-Lee', 'Johnson', 'McCarthy', 'Lamarr', 'Knuth', 'Wilson', 'van Rossum', 'Borg', 'Stroustrup', 'Keller', 'Gosling', 'Jones', 'Wirth', 'Goldwasser', 'Lamport', 'Easley', 'Kahn', 'Shaw', 'Cerf', 'Clarke', 'Diffie'];
const COMPANY_A = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Wonka', 'Tyrell', 'Cyberdyne', 'Soylent', 'Hooli', 'Pied Piper', 'Vandelay', 'Massive', 'Aperture', 'Black Mesa', 'Oscorp', 'Gringotts', 'Monarch', 'Nakatomi'];
const COMPANY_B = ['Industries', 'Labs', 'Systems', 'Holdings', 'Logistics', 'Software', 'Dynamics', 'Partners', 'Foods', 'Energy'];
const INDUSTRIES = ['Technology', 'Finance', 'Healthcare', 'Manufacturing', 'Retail', 'Education', 'Energy', 'Media', 'Transportation', 'Consulting'];
const TITLES = ['CEO', 'CTO', 'VP Sales', 'Head of Operations', 'Engineer', 'Product Manager', 'Account Executive', 'Procurement Lead', 'Marketing Director', 'Analyst'];
const SOURCES = ['Web', 'Referral', 'Partner', 'Trade Show', 'Cold Call', 'Advertisement'];
const STREETS = ['Main St', 'Market St', 'Oak Ave', 'Pine Rd', 'Elm St', 'Broadway', 'Park Ave', 'Mission St', 'High St', 'King St'];
const CITIES: readonly [string, string, string, string, string][] = [
  // city, state, postal prefix, ISO country, country name
  ['San Francisco', 'CA', '941', 'US', 'United States'],
  ['New York', 'NY', '100', 'US', 'United States'],
  ['Austin', 'TX', '787', 'US', 'United States'],
  ['Chicago', 'IL', '606', 'US', 'United States'],
  ['Toronto', 'ON', 'M5V', 'CA', 'Canada'],
  ['London', 'England', 'EC1', 'GB', 'United Kingdom'],
  ['Berlin', 'Berlin', '101', 'DE', 'Germany'],
  ['Paris', 'Ile-de-France', '750', 'FR', 'France'],
  ['Sydney', 'NSW', '200', 'AU', 'Australia'],
  ['Chennai', 'Tamil Nadu', '600', 'IN', 'India'],
];
const TASK_SUBJECTS = ['Follow up', 'Send proposal', 'Schedule demo', 'Review contract', 'Check in', 'Prepare quote', 'Confirm requirements'];
const CALL_SUBJECTS = ['Discovery call', 'Pricing call', 'Check-in call', 'Renewal call', 'Support escalation'];
const MEETING_SUBJECTS = ['Kickoff meeting', 'Quarterly review', 'Product demo', 'Onsite workshop', 'Executive briefing'];
const EMAIL_SUBJECTS = ['Re: Proposal', 'Intro', 'Next steps', 'Contract draft', 'Thanks for your time'];
const NOTE_TITLES = ['Call notes', 'Meeting summary', 'Requirements', 'Competitor intel', 'Pricing discussion'];

const enum Stream {
  User = 1,
  Account,
  Contact,
  Lead,
  Deal,
  Task,
  Note,
  Call,
  Meeting,
  Email,
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

export function deriveCounts(contacts: number): SeedCounts {
  const n = Math.max(0, Math.floor(contacts));
  const part = (d: number) => (n === 0 ? 0 : Math.max(1, Math.ceil(n / d)));
  return {
    users: Math.min(200, Math.max(5, Math.ceil(n / 2000))),
    accounts: part(4),
    contacts: n,
    leads: part(5),
    deals: part(4),
    tasks: part(2),
    notes: part(4),
    calls: part(4),
    meetings: part(5),
    emails: part(4),
  };
}

export class SeedDataset {
  readonly counts: SeedCounts;
  readonly stages = SEED_STAGES;

  constructor(readonly options: SeedOptions) {
    this.counts = deriveCounts(options.contacts);
  }

  /** Created and modified times: spread over the seed span and non-decreasing in i. */
  private times(stream: Stream, i: number, count: number): Timestamps {
    const step = SEED_SPAN_MS / Math.max(1, count);
    const createdAt = SEED_EPOCH + Math.floor(i * step);
    const jitter = Math.floor(rngFor(this.options.seed, stream + 100, i).next() * step * 0.5);
    // Everything after the first day of the span is "modified" a little after creation.
    return { createdAt, modifiedAt: createdAt + jitter };
  }

  private address(stream: Stream, i: number): SeedAddress {
    const r = rngFor(this.options.seed, stream + 200, i);
    const [city, state, postal, countryCode, countryName] = r.pick(CITIES);
    return {
      street: `${1 + r.int(9000)} ${r.pick(STREETS)}`,
      city,
      state,
      postalCode: `${postal}${pad(r.int(100), 2)}`,
      countryCode,
      countryName,
    };
  }

  private owner(r: { int(n: number): number }): number {
    return r.int(this.counts.users);
  }

  user(i: number): SeedUser {
    const r = rngFor(this.options.seed, Stream.User, i);
    const firstName = FIRST[i % FIRST.length];
    const lastName = LAST[(i * 7 + 3) % LAST.length];
    return {
      index: i,
      firstName,
      lastName,
      email: `${slug(firstName)}.${slug(lastName)}${i}@sandbox-crm.example`,
      active: i < 3 || r.chance(0.9),
      createdAt: SEED_EPOCH - (this.counts.users - i) * 3600_000,
      modifiedAt: SEED_EPOCH - (this.counts.users - i) * 3600_000,
    };
  }

  accountName(i: number): string {
    const suffix = i < COMPANY_A.length * COMPANY_B.length ? '' : ` ${Math.floor(i / (COMPANY_A.length * COMPANY_B.length)) + 1}`;
    return `${COMPANY_A[i % COMPANY_A.length]} ${COMPANY_B[Math.floor(i / COMPANY_A.length) % COMPANY_B.length]}${suffix}`;
  }

  account(i: number): SeedAccount {
    const r = rngFor(this.options.seed, Stream.Account, i);
    const name = this.accountName(i);
    const industry = r.pick(INDUSTRIES);
    const employees = 5 + r.int(20_000);
    const tierRoll = r.next();
    return {
      index: i,
      name,
      industry,
      website: `https://www.${slug(name)}.example`,
      phone: `+1 415 ${pad(r.int(1000), 3)} ${pad(r.int(10_000), 4)}`,
      employees,
      description: `${name} is a ${industry.toLowerCase()} company with about ${employees} employees.`,
      annualRevenue: (1 + r.int(5000)) * 10_000,
      address: this.address(Stream.Account, i),
      ownerIndex: this.owner(r),
      tier: tierRoll < 0.2 ? 'Gold' : tierRoll < 0.55 ? 'Silver' : 'Bronze',
      ...this.times(Stream.Account, i, this.counts.accounts),
    };
  }

  contact(i: number): SeedContact {
    const r = rngFor(this.options.seed, Stream.Contact, i);
    const firstName = r.pick(FIRST);
    const lastName = r.pick(LAST);
    const accountIndex = this.counts.accounts ? i % this.counts.accounts : 0;
    return {
      index: i,
      firstName,
      lastName,
      email: `${slug(firstName)}.${slug(lastName)}.${i}@${slug(this.accountName(accountIndex))}.example`,
      phone: `+1 212 ${pad(r.int(1000), 3)} ${pad(r.int(10_000), 4)}`,
      mobile: `+1 646 ${pad(r.int(1000), 3)} ${pad(r.int(10_000), 4)}`,
      title: r.pick(TITLES),
      accountIndex,
      ownerIndex: this.owner(r),
      leadSource: r.pick(SOURCES),
      address: this.address(Stream.Contact, i),
      loyaltyScore: r.int(101),
      ...this.times(Stream.Contact, i, this.counts.contacts),
    };
  }

  lead(i: number): SeedLead {
    const r = rngFor(this.options.seed, Stream.Lead, i);
    const firstName = r.pick(FIRST);
    const lastName = r.pick(LAST);
    const roll = r.next();
    const status: SeedLeadStatus = roll < 0.3 ? 'new' : roll < 0.55 ? 'working' : roll < 0.7 ? 'qualified' : roll < 0.85 ? 'unqualified' : 'converted';
    const times = this.times(Stream.Lead, i, this.counts.leads);
    const converted = status === 'converted' && this.counts.contacts > 0;
    const company = `${r.pick(COMPANY_A)} ${r.pick(COMPANY_B)}`;
    return {
      index: i,
      firstName,
      lastName,
      email: `${slug(firstName)}.${slug(lastName)}.lead${i}@${slug(company)}.example`,
      phone: `+1 312 ${pad(r.int(1000), 3)} ${pad(r.int(10_000), 4)}`,
      title: r.pick(TITLES),
      company,
      status,
      leadSource: r.pick(SOURCES),
      ownerIndex: this.owner(r),
      address: this.address(Stream.Lead, i),
      convertedContactIndex: converted ? (i * 3) % this.counts.contacts : null,
      convertedAccountIndex: converted ? ((i * 3) % this.counts.contacts) % this.counts.accounts : null,
      convertedAt: converted ? times.modifiedAt : null,
      ...times,
    };
  }

  deal(i: number): SeedDeal {
    const r = rngFor(this.options.seed, Stream.Deal, i);
    const accountIndex = this.counts.accounts ? (i * 13) % this.counts.accounts : 0;
    const times = this.times(Stream.Deal, i, this.counts.deals);
    const stageIndex = r.int(SEED_STAGES.length);
    return {
      index: i,
      name: `${this.accountName(accountIndex)} - ${r.pick(['Renewal', 'Expansion', 'New Business', 'Pilot', 'Upsell'])} ${i}`,
      description: `Opportunity ${i} for ${this.accountName(accountIndex)}`,
      amount: (1 + r.int(500)) * 1000,
      stageIndex,
      closeDate: isoDate(times.createdAt + (30 + r.int(120)) * 86_400_000),
      accountIndex,
      contactIndex: this.counts.contacts ? (i * 4) % this.counts.contacts : 0,
      ownerIndex: this.owner(r),
      ...times,
    };
  }

  task(i: number): SeedTask {
    const r = rngFor(this.options.seed, Stream.Task, i);
    const times = this.times(Stream.Task, i, this.counts.tasks);
    const contactIndex = this.counts.contacts ? (i * 2) % this.counts.contacts : 0;
    const completed = r.chance(0.4);
    return {
      index: i,
      subject: `${r.pick(TASK_SUBJECTS)} #${i}`,
      description: `Task ${i} created for contact ${contactIndex}.`,
      completed,
      priority: r.pick(['High', 'Normal', 'Low'] as const),
      dueDate: isoDate(times.createdAt + (1 + r.int(30)) * 86_400_000),
      completedAt: completed ? times.modifiedAt : null,
      ownerIndex: this.owner(r),
      contactIndex,
      accountIndex: this.counts.accounts ? contactIndex % this.counts.accounts : 0,
      dealIndex: this.counts.deals && r.chance(0.5) ? i % this.counts.deals : null,
      ...times,
    };
  }

  note(i: number): SeedNote {
    const r = rngFor(this.options.seed, Stream.Note, i);
    const contactIndex = this.counts.contacts ? (i * 4 + 1) % this.counts.contacts : 0;
    const title = r.pick(NOTE_TITLES);
    return {
      index: i,
      title,
      body: `${title}: discussed next steps and timeline (note ${i}).`,
      ownerIndex: this.owner(r),
      contactIndex: r.chance(0.8) ? contactIndex : null,
      accountIndex: this.counts.accounts ? contactIndex % this.counts.accounts : 0,
      dealIndex: this.counts.deals && r.chance(0.3) ? (i * 5) % this.counts.deals : null,
      ...this.times(Stream.Note, i, this.counts.notes),
    };
  }

  activityCount(kind: ActivityKind): number {
    return kind === 'call' ? this.counts.calls : kind === 'meeting' ? this.counts.meetings : this.counts.emails;
  }

  activity(kind: ActivityKind, i: number): SeedActivity {
    const stream = kind === 'call' ? Stream.Call : kind === 'meeting' ? Stream.Meeting : Stream.Email;
    const r = rngFor(this.options.seed, stream, i);
    const times = this.times(stream, i, this.activityCount(kind));
    const contactIndex = this.counts.contacts ? (i * 4 + 2) % this.counts.contacts : 0;
    const subjects = kind === 'call' ? CALL_SUBJECTS : kind === 'meeting' ? MEETING_SUBJECTS : EMAIL_SUBJECTS;
    const minutes = kind === 'email' ? 0 : kind === 'call' ? 5 + r.int(55) : 30 * (1 + r.int(4));
    return {
      index: i,
      kind,
      subject: `${r.pick(subjects)} (${i})`,
      body: `${kind} ${i} with contact ${contactIndex}`,
      direction: r.chance(0.6) ? 'outbound' : 'inbound',
      startAt: times.createdAt,
      endAt: times.createdAt + minutes * 60_000,
      ownerIndex: this.owner(r),
      contactIndex,
      accountIndex: this.counts.accounts ? contactIndex % this.counts.accounts : 0,
      dealIndex: this.counts.deals && r.chance(0.3) ? (i * 7) % this.counts.deals : null,
      ...times,
    };
  }
}
