import type { RemoteRecord } from '../../contract';
import { DATA_PATH } from '../api';

/**
 * Engagement types are not records at Salesforce: they are the kinds of activity an org logs,
 * Tasks with TaskSubtype Call or Email, and Events (meetings). Remote ids are the stable
 * names "Call", "Email" and "Meeting".
 */
const TYPES = [
  { id: 'Call', activity_type: 'CALL', object: 'Task', field: 'TaskSubtype' },
  { id: 'Email', activity_type: 'EMAIL', object: 'Task', field: 'TaskSubtype' },
  { id: 'Meeting', activity_type: 'MEETING', object: 'Event', field: null },
] as const;

export const ENGAGEMENT_TYPE_IDS = TYPES.map((t) => t.id) as string[];

export function engagementTypeRecord(id: string): RemoteRecord | null {
  const t = TYPES.find((x) => x.id === id);
  if (!t) return null;
  return {
    model: 'EngagementType',
    remoteId: t.id,
    fields: { activity_type: t.activity_type, name: t.id },
    remoteUpdatedAt: null,
    remoteCreatedAt: null,
    remoteWasDeleted: false,
    remoteData: [{ path: `${DATA_PATH}/sobjects/${t.object}/describe`, data: { object: t.object, field: t.field, value: t.field ? t.id : null } }],
    remoteFields: [],
  };
}
