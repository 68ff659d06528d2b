import type { SfRecord } from '../api';
import { type Mapped, str } from './common';
import type { ModelDef } from './types';

/**
 * Stages are OpportunityStage rows. The remote id is the stage's ApiName: that is the value an
 * Opportunity's StageName holds, so Opportunity.stage points at it without a lookup, and it stays
 * stable (an admin renaming the label changes MasterLabel, not ApiName).
 */
export function readStage(rec: SfRecord, track = true): Mapped {
  return { fields: { name: str(rec.MasterLabel) ?? str(rec.ApiName) }, used: track ? ['MasterLabel'] : null };
}

export const stageDef: ModelDef = {
  model: 'Stage',
  sources: [{ object: 'OpportunityStage', idField: 'ApiName', read: readStage, stringFields: { name: 'MasterLabel' } }],
};
