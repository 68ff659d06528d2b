import type { ModelName } from '../../../models/spec';
import { accountMapper } from './account';
import { contactMapper } from './contact';
import { engagementMapper } from './engagement';
import { leadMapper } from './lead';
import { noteMapper } from './note';
import { opportunityMapper } from './opportunity';
import { taskMapper } from './task';
import type { ModelMapper } from './types';

/** Models read from HubSpot CRM objects (EngagementType, User and Stage are served apart). */
export const OBJECT_MAPPERS: Partial<Record<ModelName, ModelMapper>> = {
  Account: accountMapper,
  Contact: contactMapper,
  Lead: leadMapper,
  Opportunity: opportunityMapper,
  Note: noteMapper,
  Task: taskMapper,
  Engagement: engagementMapper,
};
