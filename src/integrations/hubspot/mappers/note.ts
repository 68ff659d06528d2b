import type { ModelMapper } from './types';
import { baseFilters, first, iso, out, ownerOut, ref, str } from './common';
import { activityAssociations, activitySource } from './activity';

/** notes -> Note (contact / account / opportunity from associations). */
export const notesSource = activitySource('notes', ['hs_note_body'], { contacts: 202, companies: 190, deals: 214 });

const FIELD_OF: Record<string, string> = { hs_note_body: 'content', hubspot_owner_id: 'owner', hs_timestamp: 'remote_created_at' };

export const noteMapper: ModelMapper = {
  model: 'Note',
  sources: [notesSource],
  read: (_s, o, ctx) => {
    const p = o.properties;
    return {
      owner: ref('User', p.hubspot_owner_id),
      content: str(p.hs_note_body),
      contact: ref('Contact', first(ctx.assoc.contacts, o.id)),
      account: ref('Account', first(ctx.assoc.companies, o.id)),
      opportunity: ref('Opportunity', first(ctx.assoc.deals, o.id)),
      remote_created_at: iso(p.hs_createdate ?? o.createdAt),
      remote_updated_at: iso(p.hs_lastmodifieddate ?? o.updatedAt),
    };
  },
  write: (f, op) => {
    const props: Record<string, string> = {};
    if (f.content !== undefined) props.hs_note_body = out(f.content);
    ownerOut(props, f.owner);
    // hs_timestamp (the activity date HubSpot requires) is "now" for a new note.
    if (op === 'create') props.hs_timestamp = new Date().toISOString();
    return { source: notesSource, properties: props, associations: activityAssociations(f) };
  },
  fieldOf: (p) => FIELD_OF[p] ?? p,
  writable: () => ['owner', 'content', 'contact', 'account', 'opportunity'].map((field) => ({ field, required: false })),
  relationParents: { account: 'companies', contact: 'contacts', opportunity: 'deals' },
  serverFilters: (s, f) => [baseFilters(s, f)],
};
