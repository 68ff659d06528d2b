import type { SearchFilter } from '../api';
import { stageStatus, type PipelineStage } from '../metadata';
import type { ModelMapper, SourceSpec } from './types';
import { baseFilters, first, iso, num, out, outDate, ownerOut, ref, refId, refIds, str } from './common';

/**
 * deals -> Opportunity. stage = the deal stage (a Stage record), status from the stage's pipeline
 * metadata: closed with probability 1 -> WON, closed with probability 0 -> LOST, open -> OPEN.
 */
const deals: SourceSpec = {
  type: 'deals',
  created: 'createdate',
  modified: 'hs_lastmodifieddate',
  mapped: ['dealname', 'description', 'amount', 'hubspot_owner_id', 'dealstage', 'pipeline', 'closedate', 'notes_last_updated'],
  required: ['dealname', 'dealstage'],
  assoc: ['companies'],
  assocTypeIds: { companies: 341 },
};

const FIELD_OF: Record<string, string> = {
  dealname: 'name', description: 'description', amount: 'amount', hubspot_owner_id: 'owner', dealstage: 'stage', pipeline: 'stage', closedate: 'close_date', notes_last_updated: 'last_activity_at',
};

function stagesFor(status: string, stages: PipelineStage[]): string[] {
  return stages.filter((s) => stageStatus(s, s.id) === status).map((s) => s.id);
}

export const opportunityMapper: ModelMapper = {
  model: 'Opportunity',
  sources: [deals],
  read: (_s, o, ctx) => {
    const p = o.properties;
    const stageId = str(p.dealstage);
    return {
      name: str(p.dealname),
      description: str(p.description),
      amount: num(p.amount),
      owner: ref('User', p.hubspot_owner_id),
      account: ref('Account', first(ctx.assoc.companies, o.id)),
      stage: ref('Stage', stageId),
      status: stageId === null ? null : stageStatus(ctx.stages.get(stageId), stageId),
      last_activity_at: iso(p.notes_last_updated),
      close_date: iso(p.closedate),
      remote_created_at: iso(p.createdate ?? o.createdAt),
    };
  },
  write: (f, _op, h) => {
    const props: Record<string, string> = {};
    if (f.name !== undefined) props.dealname = out(f.name);
    if (f.description !== undefined) props.description = out(f.description);
    if (f.amount !== undefined) props.amount = out(f.amount);
    if (f.close_date !== undefined) props.closedate = outDate(f.close_date);
    ownerOut(props, f.owner);
    const stageId = refId(f.stage);
    const all = [...h.stages.values()];
    if (stageId) {
      props.dealstage = stageId;
      const stage = h.stages.get(stageId);
      if (stage) props.pipeline = stage.pipelineId;
    } else if (typeof f.status === 'string') {
      // No stage given: the first stage of the deal's pipeline with that status.
      const pipeline = h.current?.properties.pipeline ?? 'default';
      const inPipeline = all.filter((s) => s.pipelineId === pipeline);
      const candidates = (inPipeline.length ? inPipeline : all).filter((s) => stageStatus(s, s.id) === f.status).sort((a, b) => a.displayOrder - b.displayOrder);
      const currentStatus = h.current?.properties.dealstage ? stageStatus(h.stages.get(h.current.properties.dealstage), h.current.properties.dealstage) : null;
      if (candidates.length && currentStatus !== f.status) {
        props.dealstage = candidates[0].id;
        props.pipeline = candidates[0].pipelineId;
      } else if (!candidates.length) {
        props.dealstage = f.status; // not a status this portal's pipelines know: HubSpot says why
      }
    }
    const associations: Record<string, string[]> = {};
    const account = refIds(f.account);
    if (account) associations.companies = account;
    return { source: deals, properties: props, associations };
  },
  fieldOf: (p) => FIELD_OF[p] ?? p,
  writable: (op) =>
    ['name', 'description', 'amount', 'owner', 'account', 'stage', 'status', 'close_date'].map((field) => ({ field, required: op === 'create' && field === 'name' })),
  relationParents: { account: 'companies' },
  serverFilters: (s, f, stages) => {
    const base: SearchFilter[] = baseFilters(s, f);
    if (f.relations?.stage) base.push({ propertyName: 'dealstage', operator: 'EQ', value: f.relations.stage });
    const status = f.enums?.status;
    if (status) {
      if (status === 'OPEN') {
        const closed = stages.filter((st) => st.isClosed).map((st) => st.id);
        if (closed.length) base.push({ propertyName: 'dealstage', operator: 'NOT_IN', values: closed });
      } else {
        const ids = stagesFor(status, stages);
        if (!ids.length) return null;
        base.push({ propertyName: 'dealstage', operator: 'IN', values: ids });
      }
    }
    const created = f.datetimes?.remote_created_at;
    if (created?.gt) base.push({ propertyName: 'createdate', operator: 'GT', value: String(created.gt.getTime()) });
    if (created?.lt) base.push({ propertyName: 'createdate', operator: 'LT', value: String(created.lt.getTime()) });
    return [base];
  },
};
