import { ENUMS, type ModelName } from '../../src/models/spec';
import type { SeedCounts } from '../../src/sandbox/common/seed';

export type ActivityType = (typeof ENUMS.ActivityType)[number];

/** What a sandbox dataset holds, in the seed's terms (SeedCounts) plus its deal stages. */
export interface DatasetCounts extends SeedCounts {
  stages: number;
}

const ACTIVITIES: Record<ActivityType, keyof SeedCounts> = { CALL: 'calls', MEETING: 'meetings', EMAIL: 'emails' };

/**
 * How many records of each common model a vendor serves for a dataset: one per seeded object, its
 * engagements being the seeded activities of the types it has (a CRM without e-mail activities has
 * neither those nor their EngagementType), one EngagementType per such type. The one table the
 * conformance suite and the adapter tests count against.
 */
export function modelCounts(c: DatasetCounts, activityTypes: readonly ActivityType[]): Record<ModelName, number> {
  return {
    Account: c.accounts,
    Contact: c.contacts,
    Lead: c.leads,
    Opportunity: c.deals,
    Note: c.notes,
    Task: c.tasks,
    Engagement: activityTypes.reduce((n, type) => n + c[ACTIVITIES[type]], 0),
    EngagementType: activityTypes.length,
    User: c.users,
    Stage: c.stages,
  };
}

/** The activity types of the common model, e.g. to check a vendor's EngagementType list against. */
export const ACTIVITY_TYPES: readonly ActivityType[] = ENUMS.ActivityType;
