import type { ModelMapper } from './types';
import { baseFilters, first, iso, out, outDate, ownerOut, ref, str } from './common';
import { activityAssociations, activitySource } from './activity';

/** tasks -> Task. hs_task_status COMPLETED -> CLOSED, NOT_STARTED / IN_PROGRESS / WAITING / DEFERRED -> OPEN; others raw. */
export const tasksSource = activitySource('tasks', ['hs_task_subject', 'hs_task_body', 'hs_task_status', 'hs_task_completion_date'], { contacts: 204, companies: 192, deals: 216 });

export const TASK_STATUS: Record<string, string> = { COMPLETED: 'CLOSED', NOT_STARTED: 'OPEN', IN_PROGRESS: 'OPEN', WAITING: 'OPEN', DEFERRED: 'OPEN' };
const STATUS_OUT: Record<string, string> = { CLOSED: 'COMPLETED', OPEN: 'NOT_STARTED' };

const FIELD_OF: Record<string, string> = {
  hs_task_subject: 'subject', hs_task_body: 'content', hs_task_status: 'status', hs_task_completion_date: 'completed_date', hs_timestamp: 'due_date', hubspot_owner_id: 'owner',
};

export const taskMapper: ModelMapper = {
  model: 'Task',
  sources: [tasksSource],
  read: (_s, o, ctx) => {
    const p = o.properties;
    const status = str(p.hs_task_status);
    return {
      subject: str(p.hs_task_subject),
      content: str(p.hs_task_body),
      owner: ref('User', p.hubspot_owner_id),
      account: ref('Account', first(ctx.assoc.companies, o.id)),
      opportunity: ref('Opportunity', first(ctx.assoc.deals, o.id)),
      contact: ref('Contact', first(ctx.assoc.contacts, o.id)),
      completed_date: iso(p.hs_task_completion_date),
      due_date: iso(p.hs_timestamp),
      status: status === null ? null : (TASK_STATUS[status] ?? status),
    };
  },
  write: (f, op, h) => {
    const props: Record<string, string> = {};
    if (f.subject !== undefined) props.hs_task_subject = out(f.subject);
    if (f.content !== undefined) props.hs_task_body = out(f.content);
    if (f.due_date !== undefined) props.hs_timestamp = outDate(f.due_date);
    if (f.status !== undefined && f.status !== null) {
      const s = String(f.status);
      const current = h.current?.properties.hs_task_status ?? null;
      // OPEN keeps a task that is already open in its own open state (IN_PROGRESS stays IN_PROGRESS).
      if (!(s === 'OPEN' && current && TASK_STATUS[current] === 'OPEN')) props.hs_task_status = STATUS_OUT[s] ?? s;
    }
    ownerOut(props, f.owner);
    // HubSpot requires hs_timestamp (the due date): default to now when the caller gives none.
    if (op === 'create' && !props.hs_timestamp) props.hs_timestamp = new Date().toISOString();
    return { source: tasksSource, properties: props, associations: activityAssociations(f) };
  },
  fieldOf: (p) => FIELD_OF[p] ?? p,
  writable: () => ['subject', 'content', 'owner', 'account', 'opportunity', 'contact', 'due_date', 'status'].map((field) => ({ field, required: false })),
  relationParents: { account: 'companies', contact: 'contacts', opportunity: 'deals' },
  serverFilters: (s, f) => [baseFilters(s, f)],
};
