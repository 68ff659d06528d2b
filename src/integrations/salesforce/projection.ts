import type { ModelName } from '../../models/spec';
import type { Projection } from '../contract';
import type { SfDescribe } from './api';
import { SYSTEM_FIELDS } from './mappers/common';

/**
 * The fields each mapper reads (the 'mapped' projection): what a SELECT needs when the caller shows
 * neither remote_data nor remote_fields. Kept beside the mappers' reads by
 * test/integrations/projection.test.ts, which maps every emulator record both ways and compares.
 */
const ADDRESS = (prefix: string) => ['Street', 'City', 'State', 'PostalCode', 'Country'].map((k) => `${prefix}${k}`);
const PERSON_PHONES = ['Phone', 'MobilePhone', 'HomePhone', 'OtherPhone', 'Fax'];
const ACTIVITY = ['Subject', 'Description', 'OwnerId', 'AccountId', 'WhatId', 'WhoId', 'TaskSubtype'];

const MAPPED: Partial<Record<ModelName, Record<string, readonly string[]>>> = {
  Account: { Account: ['Name', 'Description', 'Industry', 'Website', 'NumberOfEmployees', 'OwnerId', 'LastActivityDate', 'Phone', 'Fax', ...ADDRESS('Billing'), ...ADDRESS('Shipping')] },
  Contact: { Contact: ['FirstName', 'LastName', 'AccountId', 'OwnerId', 'LastActivityDate', 'Email', ...PERSON_PHONES, ...ADDRESS('Mailing'), ...ADDRESS('Other')] },
  Lead: {
    Lead: ['FirstName', 'LastName', 'Company', 'Title', 'LeadSource', 'OwnerId', 'Status', 'ConvertedDate', 'ConvertedContactId', 'ConvertedAccountId', 'Email', ...PERSON_PHONES, ...ADDRESS('')],
  },
  Opportunity: { Opportunity: ['Name', 'Description', 'Amount', 'OwnerId', 'AccountId', 'StageName', 'IsClosed', 'IsWon', 'LastActivityDate', 'CloseDate'] },
  Note: { Note: ['OwnerId', 'Body', 'ParentId'] },
  Task: { Task: [...ACTIVITY, 'CompletedDateTime', 'ActivityDate', 'Status', 'IsClosed'] },
  Engagement: {
    Task: [...ACTIVITY, 'CallType', 'CallDurationInSeconds', 'CompletedDateTime', 'ActivityDate'],
    Event: [...ACTIVITY, 'StartDateTime', 'EndDateTime', 'ActivityDateTime', 'ActivityDate'],
  },
  User: { User: ['Name', 'FirstName', 'LastName', 'Email', 'IsActive'] },
  Stage: { OpportunityStage: ['ApiName', 'MasterLabel'] },
};

/**
 * The SELECT list for a source: every selectable field ('full'), or the mapped fields plus ids
 * and timestamps that this org's object has ('mapped'). Undefined when no projection is declared
 * (the caller falls back to every field).
 */
export function mappedFields(model: ModelName, object: string, d: SfDescribe, projection: Projection | undefined): string[] | undefined {
  if (projection !== 'mapped') return undefined;
  const declared = MAPPED[model]?.[object];
  if (!declared) return undefined;
  return [...new Set([...SYSTEM_FIELDS, ...declared])].filter((f) => d.byName.has(f));
}
