import { describe, expect, it } from 'vitest';
import { soqlContains, soqlDateTime, soqlString, toIso, toVendorError, type SfDescribe, type SfRecord } from '../api';
import { compileFilter } from '../filters';
import { fromCountryCode, readAddress, toCountryCode, writePhones } from './common';
import { engagementDef, readEngagementEvent, readEngagementTask } from './engagement';
import { MODEL_DEFS } from './index';
import { leadStatus } from './lead';
import { noteDef, readNote } from './note';
import { opportunityStatus } from './opportunity';
import { readTask, taskDef } from './task';

const rec = (o: Record<string, unknown>) => ({ Id: '00T5g0000000000EAA', ...o }) as SfRecord;

describe('salesforce value mapping', () => {
  it('datetimes and dates to ISO UTC; SOQL literals', () => {
    expect(toIso('2024-01-12T16:39:30.131+0000')).toBe('2024-01-12T16:39:30.131Z');
    expect(toIso('2024-01-12T16:39:30.000-0200')).toBe('2024-01-12T18:39:30.000Z');
    expect(toIso('2024-05-02')).toBe('2024-05-02T00:00:00.000Z');
    expect(toIso(null)).toBeNull();
    expect(soqlString("O'Brien \\ x")).toBe("'O\\'Brien \\\\ x'");
    expect(soqlContains('50%_off')).toBe("'%50\\%\\_off%'");
    expect(soqlDateTime(new Date('2024-01-01T00:00:00.400Z'), 'floor')).toBe('2024-01-01T00:00:00Z');
    expect(soqlDateTime(new Date('2024-01-01T00:00:00.400Z'), 'ceil')).toBe('2024-01-01T00:00:01Z');
  });

  it('countries: names and codes to ISO alpha-2, unknown values as is', () => {
    expect(toCountryCode('United States')).toBe('US');
    expect(toCountryCode('france')).toBe('FR');
    expect(toCountryCode('USA')).toBe('US');
    expect(toCountryCode('DE')).toBe('DE');
    expect(toCountryCode('Atlantis')).toBe('Atlantis');
    expect(fromCountryCode('FR')).toBe('France');
    expect(fromCountryCode('Narnia')).toBe('Narnia');
    const used: string[] = [];
    expect(readAddress(rec({ MailingStreet: 'a\nb', MailingCountry: 'Germany' }), 'Mailing', null, used)).toMatchObject({ street_1: 'a', street_2: 'b', country: 'DE' });
    expect(used).toEqual(['MailingStreet', 'MailingCountry']);
  });

  it('phones go to the field of their type, the rest fill free fields', () => {
    const body: Record<string, unknown> = {};
    writePhones(body, [['Phone', 'WORK'], ['MobilePhone', 'MOBILE']], [{ phone_number: '1', phone_number_type: 'MOBILE' }, { phone_number: '2', phone_number_type: null }]);
    expect(body).toEqual({ Phone: '2', MobilePhone: '1' });
  });

  it('enums: mapped values, raw strings when they do not map', () => {
    expect(leadStatus('Working - Contacted')).toBe('OPEN');
    expect(leadStatus('Closed - Not Converted')).toBe('UNQUALIFIED');
    expect(leadStatus('Nurturing')).toBe('Nurturing');
    expect(opportunityStatus(rec({ IsClosed: true, IsWon: false }))).toBe('LOST');
    expect(opportunityStatus(rec({ IsClosed: true, IsWon: true }))).toBe('WON');
    expect(opportunityStatus(rec({ IsClosed: false, IsWon: false }))).toBe('OPEN');
    expect(readTask(rec({ IsClosed: false, Status: 'Deferred' })).fields.status).toBe('OPEN');
    expect(readEngagementTask(rec({ TaskSubtype: 'Call', CallType: 'Internal' })).fields.direction).toBe('Internal');
    expect(readEngagementTask(rec({ TaskSubtype: 'Call', CallType: 'Inbound' })).fields.direction).toBe('INBOUND');
  });

  it('polymorphic lookups by key prefix; the rest stays a remote field', () => {
    expect(readNote(rec({ ParentId: '0065g0000000000AAA' })).fields.opportunity).toEqual({ model: 'Opportunity', remoteId: '0065g0000000000AAA' });
    const leadParent = readNote(rec({ ParentId: '00Q5g0000000000EAA' }));
    expect([leadParent.fields.contact, leadParent.fields.account, leadParent.fields.opportunity]).toEqual([null, null, null]);
    expect(leadParent.used).not.toContain('ParentId');
    const t = readTask(rec({ WhoId: '00Q5g0000000000EAA', WhatId: '0065g0000000000AAA', AccountId: '0015g0000000000AAA' }));
    expect(t.fields).toMatchObject({ contact: null, opportunity: { model: 'Opportunity', remoteId: '0065g0000000000AAA' }, account: { model: 'Account', remoteId: '0015g0000000000AAA' } });
    expect(t.used).not.toContain('WhoId');
  });

  it('engagement times: a call ends at completion and lasted its duration; a meeting spans start to end', () => {
    const call = readEngagementTask(rec({ TaskSubtype: 'Call', CompletedDateTime: '2024-01-01T00:10:00.000+0000', CallDurationInSeconds: 600, WhoId: '0035g0000000002AAA' }));
    expect(call.fields).toMatchObject({ start_time: '2024-01-01T00:00:00.000Z', end_time: '2024-01-01T00:10:00.000Z', engagement_type: { model: 'EngagementType', remoteId: 'Call' }, contacts: [{ model: 'Contact', remoteId: '0035g0000000002AAA' }] });
    const meeting = readEngagementEvent(rec({ StartDateTime: '2024-01-01T00:00:00.000+0000', EndDateTime: '2024-01-01T01:30:00.000+0000' }));
    expect(meeting.fields).toMatchObject({ start_time: '2024-01-01T00:00:00.000Z', end_time: '2024-01-01T01:30:00.000Z', engagement_type: { remoteId: 'Meeting' }, contacts: [] });
  });

  it('untracked reads (no remote fields shown) map the same fields and collect no used list', () => {
    const full = rec({
      Name: 'Ada Lovelace', FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com', Phone: '1', MobilePhone: '2', Fax: '3',
      MailingStreet: 'a\nb', MailingCity: 'London', MailingCountry: 'United Kingdom', OtherCity: 'Paris', BillingCity: 'Berlin', ShippingCountry: 'FR',
      Street: 'c', City: 'Rome', AccountId: '0015g0000000000AAA', OwnerId: '0055g0000000000AAA', WhoId: '0035g0000000002AAA', WhatId: '0065g0000000000AAA',
      ParentId: '0015g0000000000AAA', Subject: 's', Description: 'd', Body: 'b', Status: 'Open - Not Contacted', StageName: 'Prospecting', IsClosed: false, IsWon: false,
      TaskSubtype: 'Call', CallType: 'Outbound', CallDurationInSeconds: 60, CompletedDateTime: '2024-01-01T00:10:00.000+0000', ActivityDate: '2024-01-02',
      StartDateTime: '2024-01-01T00:00:00.000+0000', EndDateTime: '2024-01-01T01:00:00.000+0000', CreatedDate: '2024-01-01T00:00:00.000+0000',
      LastActivityDate: '2024-02-01', CloseDate: '2024-03-01', Amount: 10, MasterLabel: 'Won', ApiName: 'Won', IsActive: true,
    });
    let sources = 0;
    for (const def of Object.values(MODEL_DEFS)) {
      for (const source of def!.sources) {
        const tracked = source.read(full);
        const untracked = source.read(full, false);
        expect(untracked.fields).toEqual(tracked.fields);
        expect(untracked.used).toBeNull();
        expect(tracked.used?.length).toBeGreaterThan(0);
        sources++;
      }
    }
    expect(sources).toBeGreaterThanOrEqual(9);
  });

  it('writes: Note title derived from content, engagement object by type, Task WhatId', () => {
    expect(noteDef.write!.toBody({ fields: { content: 'First line\nmore', account: { model: 'Account', remoteId: '001x' } }, remoteFields: [] }, 'create', 'Note')).toEqual({ Body: 'First line\nmore', ParentId: '001x', Title: 'First line' });
    expect(engagementDef.write!.objectForCreate({ fields: { engagement_type: { model: 'EngagementType', remoteId: 'Meeting' } }, remoteFields: [] })).toBe('Event');
    expect(taskDef.write!.toBody({ fields: { account: { model: 'Account', remoteId: 'A' }, opportunity: { model: 'Opportunity', remoteId: 'O' } }, remoteFields: [] }, 'update', 'Task')).toEqual({ WhatId: 'O' });
  });
});

describe('salesforce filters and errors', () => {
  const d = { name: 'Task', fields: [], byName: new Map(['IsDeleted', 'CreatedDate', 'SystemModstamp', 'AccountId', 'WhoId', 'WhatId', 'OwnerId', 'Subject'].map((n) => [n, { name: n } as never])) } as SfDescribe;

  it('compiles server-side clauses and client checks', () => {
    const c = compileFilter('Task', taskDef.sources[0]!, d, {
      createdAfter: new Date('2024-01-01T00:00:00.500Z'),
      relations: { contact: '0035g0000000002AAA' },
      enums: { status: 'CLOSED' },
    });
    expect(c.clauses).toEqual(['IsDeleted = false', 'CreatedDate >= 2024-01-01T00:00:00Z', "WhoId = '0035g0000000002AAA'", 'IsClosed = true']);
    expect(c.all).toBe(true);
    expect(c.client.length).toBe(2);
    expect(compileFilter('Task', taskDef.sources[0]!, d, { relations: { contact: "x' OR Id != '" } }).none).toBe(true);
    expect(compileFilter('Task', taskDef.sources[0]!, d, { includeDeleted: true }).clauses).toEqual([]);
  });

  it('maps vendor error answers to kinds, keeping code and message', () => {
    const err = (status: number, body: unknown, headers: Record<string, string> = {}) => toVendorError({ status, headers, body }, (f) => (f === 'LastName' ? 'last_name' : f));
    expect(err(400, [{ message: 'Required fields are missing: [LastName]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }])).toMatchObject({ kind: 'validation', vendorCode: 'REQUIRED_FIELD_MISSING', vendorMessage: 'Required fields are missing: [LastName]', fields: ['last_name'] });
    expect(err(400, [{ message: 'Use one of these records?', errorCode: 'DUPLICATES_DETECTED' }]).kind).toBe('duplicate');
    expect(err(404, [{ message: 'entity is deleted', errorCode: 'ENTITY_IS_DELETED' }]).kind).toBe('not_found');
    expect(err(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]).kind).toBe('auth');
    expect(err(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]).kind).toBe('rate_limited');
    expect(err(503, [{ message: 'Server is temporarily unavailable.', errorCode: 'SERVER_UNAVAILABLE' }]).kind).toBe('unavailable');
    expect(err(502, '<html>502 Bad Gateway</html>')).toMatchObject({ kind: 'unavailable', vendorCode: 'HTTP_502' });
    expect(err(403, [{ message: 'no', errorCode: 'INSUFFICIENT_ACCESS' }]).kind).toBe('other');
  });
});
