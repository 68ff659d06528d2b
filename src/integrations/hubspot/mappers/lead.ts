import type { CommonValue } from '../../contract';
import type { HubspotApi } from '../api';
import type { ModelMapper, SourceSpec } from './types';
import { address, baseFilters, emails, first, iso, out, ownerOut, phones, ref, str, writeAddress, writeEmails, writePhones } from './common';
import { phoneFilterGroups } from './contact';

/**
 * leads (HubSpot's Leads object, 0-136) -> Lead. A HubSpot lead is a sales-pipeline record on top
 * of a contact: its person data (name, title, emails, phones, address, company name) lives on the
 * associated contact and is read from it in one batch per page. Status comes from the lead stage.
 * A lead in a "qualified" stage counts as converted: converted_contact / converted_account are then
 * its associated contact and company.
 */
export const leadsSource: SourceSpec = {
  type: 'leads',
  created: 'hs_createdate',
  modified: 'hs_lastmodifieddate',
  mapped: ['hs_lead_name', 'hs_pipeline_stage', 'hubspot_owner_id'],
  required: ['hs_lead_name'],
  assoc: ['contacts', 'companies'],
  assocTypeIds: { contacts: 578, companies: 610 },
};

/** Lead stage -> status (HubSpot's default lead pipeline ids). Other stages come back raw. */
export const LEAD_STAGE_STATUS: Record<string, string> = {
  'new-stage-id': 'OPEN',
  'attempting-stage-id': 'OPEN',
  'connected-stage-id': 'OPEN',
  'qualified-stage-id': 'QUALIFIED',
  'unqualified-stage-id': 'UNQUALIFIED',
};
const STATUS_STAGE: Record<string, string> = { OPEN: 'new-stage-id', QUALIFIED: 'qualified-stage-id', UNQUALIFIED: 'unqualified-stage-id' };

/** Contact properties read for a lead's person data. */
export const LEAD_CONTACT_PROPS = ['firstname', 'lastname', 'jobtitle', 'company', 'email', 'hs_additional_emails', 'phone', 'mobilephone', 'address', 'city', 'state', 'zip', 'country', 'hs_analytics_source'];

const FIELD_OF: Record<string, string> = { hs_lead_name: 'first_name', hs_pipeline_stage: 'status', hubspot_owner_id: 'owner' };

const PERSON_FIELDS = ['first_name', 'last_name', 'title', 'company', 'email_addresses', 'phone_numbers', 'addresses'];

function personProps(f: Record<string, CommonValue>): Record<string, string> {
  const props: Record<string, string> = {};
  if (f.first_name !== undefined) props.firstname = out(f.first_name);
  if (f.last_name !== undefined) props.lastname = out(f.last_name);
  if (f.title !== undefined) props.jobtitle = out(f.title);
  if (f.company !== undefined) props.company = out(f.company);
  writeEmails(props, f.email_addresses);
  writePhones(props, f.phone_numbers, true);
  writeAddress(props, f.addresses);
  delete props.address2;
  return props;
}

export const leadMapper: ModelMapper = {
  model: 'Lead',
  sources: [leadsSource],
  read: (_s, o, ctx) => {
    const p = o.properties;
    const contactId = first(ctx.assoc.contacts, o.id);
    const companyId = first(ctx.assoc.companies, o.id);
    const person = (contactId && ctx.related.contacts?.get(contactId)?.properties) || {};
    const stage = p.hs_pipeline_stage ?? null;
    const status = stage === null ? null : (LEAD_STAGE_STATUS[stage] ?? stage);
    const converted = status === 'QUALIFIED';
    return {
      owner: ref('User', p.hubspot_owner_id),
      lead_source: str(person.hs_analytics_source),
      title: str(person.jobtitle),
      company: str(person.company),
      first_name: str(person.firstname),
      last_name: str(person.lastname),
      addresses: address(person, null),
      email_addresses: emails(person),
      phone_numbers: phones(person),
      remote_created_at: iso(p.hs_createdate ?? o.createdAt),
      remote_updated_at: iso(p.hs_lastmodifieddate ?? o.updatedAt),
      converted_date: null,
      converted_contact: converted ? ref('Contact', contactId) : null,
      converted_account: converted ? ref('Account', companyId) : null,
      status,
    };
  },
  write: (f, op, h) => {
    const props: Record<string, string> = {};
    ownerOut(props, f.owner);
    if (f.status !== undefined && f.status !== null) props.hs_pipeline_stage = STATUS_STAGE[String(f.status)] ?? String(f.status);
    const person = personProps(f);
    if (op === 'create') {
      const name = [f.first_name, f.last_name].filter((x) => typeof x === 'string' && x).join(' ') || (typeof f.company === 'string' && f.company) || person.email || '';
      props.hs_lead_name = name;
    } else if (h.current && (f.first_name !== undefined || f.last_name !== undefined)) {
      const name = [f.first_name, f.last_name].filter((x) => typeof x === 'string' && x).join(' ');
      if (name) props.hs_lead_name = name;
    }
    const hasPerson = PERSON_FIELDS.some((k) => f[k] !== undefined);
    return { source: leadsSource, properties: props, associations: {}, related: hasPerson ? { type: 'contacts', properties: person } : undefined };
  },
  fieldOf: (p) => FIELD_OF[p] ?? p,
  writable: () => ['owner', 'title', 'company', 'first_name', 'last_name', 'addresses', 'email_addresses', 'phone_numbers', 'status'].map((field) => ({ field, required: false })),
  relationParents: { converted_contact: 'contacts', converted_account: 'companies' },
  serverFilters: (s, f) => {
    const base = baseFilters(s, f);
    const status = f.enums?.status;
    if (status) {
      const stages = Object.entries(LEAD_STAGE_STATUS).filter(([, v]) => v === status).map(([k]) => k);
      base.push(stages.length ? { propertyName: 'hs_pipeline_stage', operator: 'IN', values: stages } : { propertyName: 'hs_pipeline_stage', operator: 'EQ', value: status });
    }
    if (f.relations?.converted_contact || f.relations?.converted_account) {
      base.push({ propertyName: 'hs_pipeline_stage', operator: 'EQ', value: 'qualified-stage-id' });
    }
    return [base];
  },
  relatedToRead: (ctx, ids) => [{ type: 'contacts', ids: [...new Set(ids.map((id) => first(ctx.assoc.contacts, id)).filter((x): x is string => !!x))] }],
  /** email / phone live on the lead's contact: find those contacts, then their leads. */
  candidates: async (api: HubspotApi, f) => {
    if (!f.email && !f.phone) return undefined;
    const groups = f.email ? [[{ propertyName: 'email', operator: 'EQ', value: f.email }]] : (phoneFilterGroups(f.phone) as { propertyName: string; operator: string; value: string }[][]);
    const contactIds: string[] = [];
    let after: string | undefined;
    do {
      const page = await api.search('contacts', { filterGroups: groups.map((filters) => ({ filters })), properties: ['hs_object_id'], limit: 100, after });
      contactIds.push(...page.results.map((r) => r.id));
      after = page.after;
    } while (after && contactIds.length < 1000);
    if (!contactIds.length) return [];
    const leads = await api.associations('contacts', 'leads', contactIds);
    return [...new Set([...leads.values()].flat())];
  },
};
