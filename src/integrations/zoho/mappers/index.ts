import type { ModelName } from '../../../models/spec';
import { accountMapper } from './account';
import { contactMapper } from './contact';
import { callMapper, eventMapper } from './engagement';
import { leadMapper } from './lead';
import { noteMapper } from './note';
import { opportunityMapper } from './opportunity';
import { taskMapper } from './task';
import type { ModuleMapper } from './types';

/** The Zoho modules behind each record model, in paging order (Engagement: Calls, then Events). */
export const SOURCES: Partial<Record<ModelName, ModuleMapper[]>> = {
  Account: [accountMapper],
  Contact: [contactMapper],
  Lead: [leadMapper],
  Opportunity: [opportunityMapper],
  Note: [noteMapper],
  Task: [taskMapper],
  Engagement: [callMapper, eventMapper],
};

export type { ModuleMapper, MapContext, Raw } from './types';
