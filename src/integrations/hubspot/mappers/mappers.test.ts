import { describe, expect, it } from 'vitest';
import type { PipelineStage } from '../metadata';
import { engagementMapper, emailsSource } from './engagement';
import { leadMapper, leadsSource } from './lead';
import { opportunityMapper } from './opportunity';
import { taskMapper, tasksSource } from './task';
import type { MapContext } from './types';

const ctx = (over: Partial<MapContext> = {}): MapContext => ({ assoc: {}, stages: new Map(), related: {}, ...over });
const obj = (properties: Record<string, string | null>) => ({ id: '1', properties });
const stage = (id: string, isClosed: boolean, probability: number, displayOrder: number): PipelineStage => ({ id, label: id, pipelineId: 'default', pipelineLabel: 'Sales', displayOrder, isClosed, probability, raw: {} });
const stages = new Map([stage('open1', false, 0.2, 0), stage('open2', false, 0.5, 1), stage('won', true, 1, 2), stage('lost', true, 0, 3)].map((s) => [s.id, s]));

describe('HubSpot mappers', () => {
  it('task status: COMPLETED -> CLOSED, open states -> OPEN, unknown raw; writes back', () => {
    const status = (s: string) => taskMapper.read(tasksSource, obj({ hs_task_status: s }), ctx()).status;
    expect([status('COMPLETED'), status('NOT_STARTED'), status('WAITING'), status('SOMETHING_NEW')]).toEqual(['CLOSED', 'OPEN', 'OPEN', 'SOMETHING_NEW']);
    expect(taskMapper.write({ status: 'CLOSED' }, 'update', { stages: new Map(), current: obj({ hs_task_status: 'IN_PROGRESS' }) }).properties).toEqual({ hs_task_status: 'COMPLETED' });
    expect(taskMapper.write({ status: 'OPEN' }, 'update', { stages: new Map(), current: obj({ hs_task_status: 'IN_PROGRESS' }) }).properties).toEqual({});
  });

  it('email direction both ways, unmapped raw', () => {
    const dir = (d: string) => engagementMapper.read(emailsSource, obj({ hs_email_direction: d }), ctx()).direction;
    expect([dir('EMAIL'), dir('INCOMING_EMAIL'), dir('FORWARDED_EMAIL')]).toEqual(['OUTBOUND', 'INBOUND', 'FORWARDED_EMAIL']);
    expect(engagementMapper.write({ direction: 'INBOUND' }, 'update', { stages: new Map(), current: null }, emailsSource).properties).toEqual({ hs_email_direction: 'INCOMING_EMAIL' });
  });

  it('deal status from pipeline metadata; a status write picks the first stage with it', () => {
    const s = (id: string) => opportunityMapper.read(opportunityMapper.sources[0], obj({ dealstage: id }), ctx({ stages })).status;
    expect([s('open2'), s('won'), s('lost'), s('unknown-stage')]).toEqual(['OPEN', 'WON', 'LOST', 'unknown-stage']);
    expect(opportunityMapper.write({ status: 'WON' }, 'update', { stages, current: obj({ dealstage: 'open1', pipeline: 'default' }) }).properties).toEqual({ dealstage: 'won', pipeline: 'default' });
    expect(opportunityMapper.write({ status: 'OPEN' }, 'update', { stages, current: obj({ dealstage: 'open2', pipeline: 'default' }) }).properties).toEqual({});
    expect(opportunityMapper.write({ status: 'OPEN', name: 'x' }, 'create', { stages, current: null }).properties).toEqual({ dealname: 'x', dealstage: 'open1', pipeline: 'default' });
  });

  it('lead: person data from its contact, stage -> status, converted refs only when qualified', () => {
    const c = ctx({
      assoc: { contacts: new Map([['1', ['9']]]), companies: new Map([['1', ['8']]]) },
      related: { contacts: new Map([['9', obj({ firstname: 'Ada', lastname: 'L', email: 'ada@x.example', country: 'United Kingdom' })]]) },
    });
    const open = leadMapper.read(leadsSource, obj({ hs_pipeline_stage: 'attempting-stage-id' }), c);
    expect(open).toMatchObject({ first_name: 'Ada', status: 'OPEN', converted_contact: null, email_addresses: [{ email_address: 'ada@x.example', email_address_type: 'PRIMARY' }] });
    expect((open.addresses as { country: string }[])[0].country).toBe('GB');
    const won = leadMapper.read(leadsSource, obj({ hs_pipeline_stage: 'qualified-stage-id' }), c);
    expect(won).toMatchObject({ status: 'QUALIFIED', converted_contact: { model: 'Contact', remoteId: '9' }, converted_account: { model: 'Account', remoteId: '8' } });
    expect(leadMapper.read(leadsSource, obj({ hs_pipeline_stage: 'custom-stage' }), c).status).toBe('custom-stage');
  });
});
