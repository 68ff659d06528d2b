import type { StageInfo } from '../metadata';
import { copy, dateAsIso, dt, num, ref, str, writeDate, writeLookup, refId } from './common';
import type { MapContext, ModuleMapper, Raw } from './types';

/** The stage of a Deals record: its pipeline's stage with that value (or any pipeline's). */
export function stageOf(r: Raw, ctx: MapContext): StageInfo | undefined {
  const value = str(r.Stage);
  if (value === null) return undefined;
  const pipeline = typeof r.Pipeline === 'string' ? r.Pipeline : (r.Pipeline as { name?: string } | null)?.name;
  const same = ctx.stages.filter((s) => s.value === value || s.name === value);
  return same.find((s) => s.pipeline === pipeline) ?? same[0];
}

/** OpportunityStatus from the stage's forecast type (Closed Won / Closed Lost / Open), else from its name. */
export function statusOfStage(value: string | null, stage: StageInfo | undefined): string | null {
  if (value === null) return null;
  const ft = (stage?.forecastType ?? '').toLowerCase();
  if (ft === 'closed won') return 'WON';
  if (ft === 'closed lost') return 'LOST';
  if (ft === 'open') return 'OPEN';
  const v = value.toLowerCase();
  if (v.startsWith('closed won') || v === 'closed-won') return 'WON';
  if (v.startsWith('closed lost') || v.startsWith('closed-lost')) return 'LOST';
  return 'OPEN';
}

/** Stage values of the given status (for the `status` filter as criteria). */
export function stageValuesOf(status: string, stages: StageInfo[]): string[] {
  return [...new Set(stages.filter((s) => statusOfStage(s.value, s) === status).map((s) => s.value))];
}

/** Deals -> Opportunity. Stage is a pipeline-stage relation (stable map ids); status from the stage. */
export const opportunityMapper: ModuleMapper = {
  model: 'Opportunity',
  module: 'Deals',
  mapped: ['Deal_Name', 'Description', 'Amount', 'Owner', 'Account_Name', 'Stage', 'Last_Activity_Time', 'Closing_Date', 'Created_Time', 'Modified_Time'],
  fieldOf: { Deal_Name: 'name', Description: 'description', Amount: 'amount', Owner: 'owner', Account_Name: 'account', Stage: 'stage', Closing_Date: 'close_date' },
  relationField: { account: 'Account_Name', owner: 'Owner' },
  read(r, ctx) {
    const stage = stageOf(r, ctx);
    const value = str(r.Stage);
    return {
      name: str(r.Deal_Name),
      description: str(r.Description),
      amount: num(r.Amount),
      owner: ref('User', r.Owner),
      account: ref('Account', r.Account_Name),
      stage: stage ? { model: 'Stage', remoteId: stage.id } : null,
      status: statusOfStage(value, stage),
      last_activity_at: dt(r.Last_Activity_Time),
      close_date: dateAsIso(r.Closing_Date),
      remote_created_at: dt(r.Created_Time),
    };
  },
  write(f, ctx) {
    const out: Record<string, unknown> = {};
    copy(out, f, { name: 'Deal_Name', description: 'Description', amount: 'Amount' });
    writeLookup(out, 'Owner', f.owner);
    writeLookup(out, 'Account_Name', f.account);
    if (f.close_date !== undefined) out.Closing_Date = writeDate(f.close_date);
    const stageId = refId(f.stage);
    if (stageId) {
      const s = ctx.stages.find((x) => x.id === stageId);
      // An unknown stage id is passed on so that the vendor names the problem.
      out.Stage = s ? s.value : stageId;
      if (s?.pipeline) out.Pipeline = s.pipeline;
    } else if (stageId === null) {
      out.Stage = null;
    } else if (typeof f.status === 'string' && (f.status === 'WON' || f.status === 'LOST')) {
      const s = ctx.stages.find((x) => statusOfStage(x.value, x) === f.status);
      if (s) {
        out.Stage = s.value;
        if (s.pipeline) out.Pipeline = s.pipeline;
      }
    }
    return out;
  },
  writable: [
    { field: 'name', requiredOnCreate: true },
    { field: 'description', requiredOnCreate: false },
    { field: 'amount', requiredOnCreate: false },
    { field: 'owner', requiredOnCreate: false },
    { field: 'account', requiredOnCreate: false },
    { field: 'stage', requiredOnCreate: true },
    { field: 'status', requiredOnCreate: false },
    { field: 'close_date', requiredOnCreate: false },
  ],
};
