import type { ModelName } from '../../../models/spec';
import { accountDef } from './account';
import { contactDef } from './contact';
import { engagementDef } from './engagement';
import { leadDef } from './lead';
import { noteDef } from './note';
import { opportunityDef } from './opportunity';
import { stageDef } from './stage';
import { taskDef } from './task';
import type { ModelDef } from './types';
import { userDef } from './user';

/** Every model read from vendor objects (EngagementType is synthetic, see engagement-type.ts). */
export const MODEL_DEFS: Partial<Record<ModelName, ModelDef>> = {
  Account: accountDef,
  Contact: contactDef,
  Lead: leadDef,
  Opportunity: opportunityDef,
  Note: noteDef,
  Task: taskDef,
  Engagement: engagementDef,
  User: userDef,
  Stage: stageDef,
};

/** Key prefixes of the objects the adapter reads (ids start with them). */
export const KEY_PREFIX: Record<string, string> = {
  Account: '001',
  Contact: '003',
  Lead: '00Q',
  Opportunity: '006',
  Note: '002',
  Task: '00T',
  Event: '00U',
  User: '005',
  OpportunityStage: '01J',
};
