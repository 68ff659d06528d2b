import { describe, expect, it } from 'vitest';
import { country } from './common';
import { accountMapper } from './account';
import { contactMapper } from './contact';
import { callMapper, eventMapper } from './engagement';
import { leadMapper } from './lead';
import { noteMapper } from './note';
import { opportunityMapper } from './opportunity';
import { taskMapper } from './task';
import type { StageInfo } from '../metadata';

const stages: StageInfo[] = [
  { id: '1', name: 'Qualification', value: 'Qualification', pipeline: 'Standard', forecastType: 'Open', raw: {}, path: '' },
  { id: '2', name: 'Closed Won', value: 'Closed Won', pipeline: 'Standard', forecastType: 'Closed Won', raw: {}, path: '' },
  { id: '3', name: 'Closed Lost', value: 'Closed Lost', pipeline: 'Standard', forecastType: 'Closed Lost', raw: {}, path: '' },
];
const ctx = { stages };

describe('zoho mappers', () => {
  it('countries to ISO alpha-2, unknown kept', () => {
    expect(country('United States')).toBe('US');
    expect(country('Germany')).toBe('DE');
    expect(country('gb')).toBe('GB');
    expect(country('Atlantis')).toBe('Atlantis');
    expect(country(null)).toBeNull();
  });

  it('accounts: billing/shipping addresses, owner, -None- as null', () => {
    const f = accountMapper.read({ id: '9', Account_Name: 'A', Industry: '-None-', Billing_City: 'Paris', Billing_Country: 'France', Owner: { id: '5', name: 'O' }, Created_Time: '2024-01-01T10:00:00+05:30' }, ctx);
    expect(f).toMatchObject({ name: 'A', industry: null, owner: { model: 'User', remoteId: '5' }, remote_created_at: '2024-01-01T04:30:00.000Z' });
    expect(f.addresses).toEqual([{ street_1: null, street_2: null, city: 'Paris', state: null, postal_code: null, country: 'FR', address_type: 'BILLING' }]);
    expect(accountMapper.write!({ name: 'B', owner: { model: 'User', remoteId: '7' } }, ctx, 'create')).toEqual({ Account_Name: 'B', Owner: { id: '7' } });
  });

  it('contacts: emails and phones typed by field, written back by type', () => {
    const f = contactMapper.read({ Email: 'a@x', Secondary_Email: 'b@x', Mobile: '1', Account_Name: { id: '3', name: 'Acme' } }, ctx);
    expect(f.email_addresses).toEqual([{ email_address: 'a@x', email_address_type: 'PRIMARY' }, { email_address: 'b@x', email_address_type: 'SECONDARY' }]);
    expect(f.phone_numbers).toEqual([{ phone_number: '1', phone_number_type: 'MOBILE' }]);
    expect(f.account).toEqual({ model: 'Account', remoteId: '3' });
    const out = contactMapper.write!({ email_addresses: [{ email_address: 's@x', email_address_type: 'SECONDARY' }, { email_address: 'p@x', email_address_type: null }] }, ctx, 'update');
    expect(out).toMatchObject({ Email: 'p@x', Secondary_Email: 's@x' });
  });

  it('leads: status table, raw unknown values, conversion fields', () => {
    expect(leadMapper.read({ Lead_Status: 'Pre-Qualified' }, ctx).status).toBe('QUALIFIED');
    expect(leadMapper.read({ Lead_Status: 'Junk Lead' }, ctx).status).toBe('UNQUALIFIED');
    expect(leadMapper.read({ Lead_Status: 'Lost Lead' }, ctx).status).toBe('CLOSED');
    expect(leadMapper.read({ Lead_Status: 'Warm' }, ctx).status).toBe('Warm');
    expect(leadMapper.read({ Converted_Contact: { id: '4' }, Converted_Date_Time: '2024-02-02T00:00:00+00:00' }, ctx)).toMatchObject({ converted_contact: { model: 'Contact', remoteId: '4' }, converted_date: '2024-02-02T00:00:00.000Z' });
    expect(leadMapper.write!({ status: 'CLOSED' }, ctx, 'update')).toEqual({ Lead_Status: 'Lost Lead' });
    expect(leadMapper.write!({ status: 'Warm' }, ctx, 'update')).toEqual({ Lead_Status: 'Warm' });
  });

  it('deals: stage relation and status from the forecast type; writes the stage value', () => {
    expect(opportunityMapper.read({ Stage: 'Closed Won', Pipeline: 'Standard', Closing_Date: '2024-03-01' }, ctx)).toMatchObject({ stage: { model: 'Stage', remoteId: '2' }, status: 'WON', close_date: '2024-03-01T00:00:00.000Z' });
    expect(opportunityMapper.read({ Stage: 'Closed Lost' }, ctx).status).toBe('LOST');
    expect(opportunityMapper.read({ Stage: 'Qualification' }, ctx).status).toBe('OPEN');
    expect(opportunityMapper.write!({ stage: { model: 'Stage', remoteId: '3' } }, ctx, 'update')).toEqual({ Stage: 'Closed Lost', Pipeline: 'Standard' });
    expect(opportunityMapper.write!({ status: 'WON' }, ctx, 'update')).toEqual({ Stage: 'Closed Won', Pipeline: 'Standard' });
  });

  it('notes and tasks: $se_module decides the relation', () => {
    expect(noteMapper.read({ Parent_Id: { id: '8' }, $se_module: 'Deals' }, ctx)).toMatchObject({ opportunity: { model: 'Opportunity', remoteId: '8' }, contact: null, account: null });
    expect(noteMapper.write!({ content: 'x', contact: { model: 'Contact', remoteId: '2' } }, ctx, 'create')).toEqual({ Note_Content: 'x', Parent_Id: { id: '2' }, $se_module: 'Contacts' });
    expect(taskMapper.read({ What_Id: { id: '1' }, $se_module: 'Accounts', Status: 'Completed' }, ctx)).toMatchObject({ account: { model: 'Account', remoteId: '1' }, opportunity: null, status: 'CLOSED' });
    expect(taskMapper.read({ Status: 'Deferred' }, ctx).status).toBe('OPEN');
  });

  it('calls and meetings', () => {
    const c = callMapper.read({ Call_Type: 'Inbound', Call_Start_Time: '2024-01-01T10:00:00+00:00', Call_Duration: '02:30', Who_Id: { id: '6' } }, ctx);
    expect(c).toMatchObject({ direction: 'INBOUND', end_time: '2024-01-01T10:02:30.000Z', contacts: [{ model: 'Contact', remoteId: '6' }], engagement_type: { model: 'EngagementType', remoteId: 'Calls' } });
    expect(callMapper.read({ Call_Type: 'Missed' }, ctx).direction).toBe('Missed');
    expect(callMapper.write!({ start_time: '2024-01-01T10:00:00Z', end_time: '2024-01-01T10:01:05Z' }, ctx, 'create')).toEqual({ Call_Type: 'Outbound', Call_Start_Time: '2024-01-01T10:00:00+00:00', Call_Duration: '01:05' });
    const m = eventMapper.read({ Who_Id: { id: '6' }, Participants: [{ type: 'contact', participant: '7' }, { type: 'user', participant: '1' }] }, ctx);
    expect(m.contacts).toEqual([{ model: 'Contact', remoteId: '6' }, { model: 'Contact', remoteId: '7' }]);
  });
});
