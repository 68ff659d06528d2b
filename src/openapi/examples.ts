import type { OpenAPIObject } from '@nestjs/swagger';
import { MODEL_NAMES, MODELS, type ModelName } from '../models/spec';
import { validateAgainstSchema } from './schema-validator';

type Json = Record<string, any>;

/**
 * Realistic examples for every request body and response of the document. Records of the
 * common model are written out once (related ids agree across models); everything else is
 * derived from the schemas and their property examples. Every example is checked against its
 * schema when the document is built, so a wrong example fails `npm run openapi`.
 */

const ID = {
  account: '0f3c7a52-8d1e-4b6f-9a27-5e4d3c2b1a90',
  contact: '6b1e9d2c-4f3a-4e8b-b5c7-2d9a8f1e0c34',
  lead: 'c4a8e2f1-7b3d-4c9e-8a16-3f5b7d9e1a22',
  opportunity: '9e2d4c6b-1a3f-4d8e-b7c5-8f0a2e4c6d18',
  note: '3a5c7e9b-2d4f-4a6c-8e1b-7d9f1b3d5e47',
  task: 'd8f0b2a4-6c8e-4f1a-9b3d-5e7a9c1e3f65',
  engagement: '5c7e9a1b-3d5f-4b7d-a9c1-e3f5a7b9d1c8',
  engagementType: '7e9a1c3d-5f7b-4d9f-b1e3-a5c7e9b1d3f0',
  user: '2b4d6f8a-0c2e-4a4c-8e6a-b8d0f2a4c6e9',
  stage: 'a7c9e1f3-5b7d-4f9b-8d1f-3a5c7e9b1d2f',
} as const;

const T = { created: '2026-02-03T14:22:05Z', modified: '2026-03-11T09:41:37Z', remote: '2025-11-18T16:05:12Z' };
const common = (id: string, remoteId: string) => ({ id, remote_id: remoteId, created_at: T.created, modified_at: T.modified });
const tail = { remote_was_deleted: false, field_mappings: null, remote_data: null };
const address = {
  street_1: '50 Bowling Green Dr',
  street_2: 'Suite 400',
  city: 'San Francisco',
  state: 'CA',
  postal_code: '94122',
  country: 'US',
  address_type: 'BILLING',
  created_at: T.created,
  modified_at: T.modified,
};
const email = (address: string) => ({ email_address: address, email_address_type: 'WORK', created_at: T.created, modified_at: T.modified });
const phone = (n: string) => ({ phone_number: n, phone_number_type: 'WORK', created_at: T.created, modified_at: T.modified });

/** One record of each common model, as the API returns it. */
export const MODEL_EXAMPLES: Record<ModelName, Json> = {
  Account: {
    ...common(ID.account, '0015g00000XyZ12AAB'),
    owner: ID.user,
    name: 'Northwind Traders',
    description: 'Wholesale distributor of specialty foods; renewal due in Q3.',
    industry: 'Wholesale',
    website: 'https://northwind.example.com',
    number_of_employees: 240,
    addresses: [address],
    phone_numbers: [phone('+14155550134')],
    last_activity_at: '2026-03-10T17:30:00Z',
    remote_created_at: T.remote,
    remote_updated_at: '2026-03-10T17:31:44Z',
    ...tail,
  },
  Contact: {
    ...common(ID.contact, '0035g00000AbC34AAD'),
    first_name: 'Maria',
    last_name: 'Anders',
    account: ID.account,
    owner: ID.user,
    addresses: [address],
    email_addresses: [email('maria.anders@northwind.example.com')],
    phone_numbers: [phone('+14155550178')],
    last_activity_at: '2026-03-10T17:30:00Z',
    remote_created_at: T.remote,
    ...tail,
  },
  Lead: {
    ...common(ID.lead, '00Q5g00000LmN56EAF'),
    owner: ID.user,
    lead_source: 'Web',
    title: 'Head of Procurement',
    company: 'Blue Harbor Foods',
    first_name: 'Tomas',
    last_name: 'Lindqvist',
    addresses: [],
    email_addresses: [email('tomas@blueharbor.example.com')],
    phone_numbers: [phone('+46705550112')],
    remote_created_at: T.remote,
    remote_updated_at: '2026-03-02T08:15:00Z',
    converted_date: null,
    converted_contact: null,
    converted_account: null,
    status: 'OPEN',
    ...tail,
  },
  Opportunity: {
    ...common(ID.opportunity, '0065g00000PqR78AAH'),
    name: 'Northwind renewal 2026',
    description: 'Three-year renewal with the analytics add-on.',
    amount: 48000,
    owner: ID.user,
    account: ID.account,
    stage: ID.stage,
    status: 'OPEN',
    last_activity_at: '2026-03-10T17:30:00Z',
    close_date: '2026-06-30T00:00:00Z',
    remote_created_at: T.remote,
    ...tail,
  },
  Note: {
    ...common(ID.note, '0025g00000StU90AAJ'),
    owner: ID.user,
    content: 'Maria asked for a quote including the analytics add-on before the end of March.',
    contact: ID.contact,
    account: ID.account,
    opportunity: ID.opportunity,
    remote_created_at: '2026-03-10T17:32:00Z',
    remote_updated_at: '2026-03-10T17:32:00Z',
    ...tail,
  },
  Task: {
    ...common(ID.task, '00T5g00000VwX12AAL'),
    subject: 'Send renewal quote',
    content: 'Include the analytics add-on and the three-year discount.',
    owner: ID.user,
    account: ID.account,
    opportunity: ID.opportunity,
    contact: ID.contact,
    completed_date: null,
    due_date: '2026-03-20T17:00:00Z',
    status: 'OPEN',
    ...tail,
  },
  Engagement: {
    ...common(ID.engagement, '00U5g00000YzA34AAN'),
    owner: ID.user,
    content: 'Quarterly business review: usage up 18%, interest in analytics.',
    subject: 'Q1 business review',
    direction: 'OUTBOUND',
    engagement_type: ID.engagementType,
    start_time: '2026-03-10T16:00:00Z',
    end_time: '2026-03-10T16:45:00Z',
    account: ID.account,
    contacts: [ID.contact],
    ...tail,
  },
  EngagementType: { ...common(ID.engagementType, 'MEETING'), activity_type: 'MEETING', name: 'Meeting', ...tail },
  User: { ...common(ID.user, '0055g00000BcD56AAP'), name: 'Priya Raman', email: 'priya.raman@switchboard-customer.example.com', is_active: true, ...tail },
  Stage: { ...common(ID.stage, 'Negotiation/Review'), name: 'Negotiation/Review', ...tail },
};

/** Named examples of supporting schemas. */
const NAMED: Record<string, unknown> = {
  RemoteFieldClass: {
    id: 'Preferred_Language__c',
    display_name: 'Preferred language',
    remote_key_name: 'Preferred_Language__c',
    description: 'Language the contact prefers to be addressed in.',
    is_custom: true,
    is_common_model_field: false,
    is_required: false,
    field_type: 'string',
    field_format: 'picklist',
    field_choices: ['English', 'German', 'Swedish'],
    item_schema: null,
  },
  RemoteFieldRequest: { remote_field_class: 'Preferred_Language__c', value: 'German' },
  RemoteData: { path: '/services/data/v62.0/sobjects/Contact/0035g00000AbC34AAD', data: { Id: '0035g00000AbC34AAD', FirstName: 'Maria', LastName: 'Anders' } },
  Problem: {
    source: { pointer: '/model/email_addresses/0/email_address' },
    title: 'Incorrect field type',
    detail: 'email_address: not a valid e-mail address',
    problem_type: 'INCORRECT_FIELD_TYPE',
  },
};
for (const m of MODEL_NAMES) NAMED[m] = MODEL_EXAMPLES[m];

const FORMAT_EXAMPLES: Record<string, unknown> = {
  uuid: ID.contact,
  'date-time': T.modified,
  date: '2026-03-11',
  email: 'pat@acme.example',
  uri: 'https://app.example.com/integrations',
  int32: 10,
};
/** Examples of string properties that carry none in their schema, by property name. */
const PROPERTY_EXAMPLES: Record<string, unknown> = {
  end_user_email_address: 'pat@acme.example',
  end_user_organization_name: 'Acme Inc.',
  end_user_origin_id: 'acme-42',
  link_token: 'lt_Y2Q3NzQ5ZGUtNmQ0Ni00ZTM1LWI0ZjQtNjg1ZjE2',
  magic_link_url: 'http://localhost:3000/link?link_token=lt_Y2Q3NzQ5ZGUtNmQ0Ni00ZTM1LWI0ZjQtNjg1ZjE2',
  account_token: 'at_9dJx2LqV7mN4pR8sT1wZ6cF3hK5bY0eA',
  image: 'http://localhost:3000/link/assets/hubspot.svg',
  square_image: 'http://localhost:3000/link/assets/hubspot.svg',
  status_detail: null,
  subdomain: null,
  is_duplicate: null,
  webhook_listener_url: '',
  remote_account_id: '48213977',
  error_description: 'The HubSpot authorization was revoked; the end user must link the account again.',
  required_post_parameters: ['last_name'],
  supported_fields: ['first_name', 'last_name', 'account', 'owner', 'email_addresses', 'phone_numbers'],
  allowed_origins: ['https://app.example.com'],
  allowed_redirect_urls: ['https://app.example.com/integrations/done'],
  enabled_integrations: ['hubspot', 'salesforce'],
  error_details: ['invalid_grant: refresh token revoked'],
  name: 'production backend',
  key: 'sbk_live_5T9qVx2LmR7nW4pK8sD1fH6jB3cY0eZa',
  organization_id: '4d6f8a0c-2e4a-4c6e-8a0b-2c4e6a8c0e2f',
  target_url: 'https://app.example.com/hooks/switchboard',
  signing_key: 'whsec_Vh3kQ9zL2mX7pR4tN8wB1cF6jD5sY0aG',
  last_error: 'Target answered 503 Service Unavailable.',
  error: 'Target answered 503 Service Unavailable.',
  models: ['Contact', 'Opportunity'],
  events: ['LinkedAccount.linked', 'Contact.changed'],
};
const PLACEHOLDER = '<example missing>';

const CURSOR = 'eyJrIjpbIjIwMjYtMDMtMTFUMDk6NDE6MzdaIiwiNmIxZTlkMmMiXX0.3kq9Xb';

const refName = (ref: string) => ref.split('/').pop()!;

function resolve(doc: Json, schema: Json): Json {
  let s = schema;
  for (let i = 0; s?.$ref && i < 20; i++) s = doc.components.schemas[refName(s.$ref)];
  return s;
}

/** Keeps only what `schema` describes (a read record projected onto its write schema). */
function project(doc: Json, schema: Json, value: unknown): unknown {
  const s = resolve(doc, schema);
  if (Array.isArray(value)) return value.map((v) => project(doc, s?.items ?? {}, v));
  if (value && typeof value === 'object' && s?.properties) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k in s.properties)
        .map(([k, v]) => [k, project(doc, s.properties[k], v)]),
    );
  }
  return value;
}

/** An example value for `schema`; `gaps` collects where only a placeholder string could be found. */
export function exampleFor(doc: Json, schema: Json, gaps: string[] = [], at = '$', depth = 0): unknown {
  if (depth > 12) return null;
  if (schema.$ref) {
    const name = refName(schema.$ref);
    if (name in NAMED) return structuredClone(NAMED[name]);
    const base = name.replace(/Request$/, '');
    if (base !== name && base in NAMED) return project(doc, schema, NAMED[base]);
    return exampleFor(doc, doc.components.schemas[name], gaps, name, depth + 1);
  }
  if (Array.isArray(schema.examples) && schema.examples.length) return structuredClone(schema.examples[0]);
  if ('const' in schema) return schema.const;
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.enum)) return schema.enum.find((v: unknown) => v !== null) ?? null;
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[key])) {
      const branch = schema[key].find((b: Json) => b.type !== 'null') ?? schema[key][0];
      return exampleFor(doc, branch, gaps, at, depth + 1);
    }
  }
  if (Array.isArray(schema.allOf)) return Object.assign({}, ...schema.allOf.map((b: Json) => exampleFor(doc, b, gaps, at, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  if (type === 'object' || schema.properties) {
    const props: Json = schema.properties ?? {};
    if ('next' in props && 'previous' in props && 'results' in props) {
      return { next: CURSOR, previous: null, results: [exampleFor(doc, props.results.items ?? {}, gaps, `${at}.results`, depth + 1)] };
    }
    return Object.fromEntries(
      Object.entries(props).map(([k, v]) => [k, k in PROPERTY_EXAMPLES && !(v as Json).examples ? structuredClone(PROPERTY_EXAMPLES[k]) : exampleFor(doc, v, gaps, `${at}.${k}`, depth + 1)]),
    );
  }
  if (type === 'array') return schema.items ? [exampleFor(doc, schema.items, gaps, `${at}[]`, depth + 1)] : [];
  if (type === 'string') {
    if (schema.format && schema.format in FORMAT_EXAMPLES) return FORMAT_EXAMPLES[schema.format];
    gaps.push(at);
    return PLACEHOLDER;
  }
  if (type === 'integer') return typeof schema.minimum === 'number' ? Math.max(schema.minimum, 1) : 1;
  if (type === 'number') return typeof schema.minimum === 'number' ? schema.minimum : 1.5;
  if (type === 'boolean') return true;
  return {};
}

/** The write envelope of a rejected write (400/409): no model, one problem. */
function rejectedWrite(status: string): Json {
  const problem =
    status === '409'
      ? { source: { pointer: '/model' }, title: 'Duplicate', detail: 'A record with this e-mail address already exists in the CRM.', problem_type: 'DUPLICATE_MODEL_EXISTS' }
      : NAMED.Problem;
  return { model: null, warnings: [], errors: [problem], logs: [] };
}

/** `GET /<model>/meta/post` of one model: its writable fields as this API's write schema. */
function metaExample(doc: Json, path: string): Json | undefined {
  const route = /\/api\/crm\/v1\/([a-z-]+)\/meta\//.exec(path)?.[1];
  const model = MODEL_NAMES.find((m) => MODELS[m].route === route);
  if (!model) return undefined;
  const properties: Json = structuredClone(doc.components.schemas[`${model}Request`]?.properties ?? {});
  return {
    request_schema: {
      type: 'object',
      properties: {
        model: { type: 'object', properties, required: [] },
        remote_fields: { type: 'array', items: { type: 'object', properties: { remote_field_class: { type: 'string', enum: ['Preferred_Language__c'] }, value: {} } } },
      },
      required: ['model'],
    },
    remote_field_classes: { Preferred_Language__c: NAMED.RemoteFieldClass },
    status: { linked_account_status: 'COMPLETE', can_make_request: true },
    has_conditional_params: false,
    has_required_linked_account_params: false,
  };
}

/**
 * Fills in `example` of every JSON request body and response that has none, and checks each
 * example against its schema. Returns the places where only a placeholder string was found.
 */
export function addExamples(document: OpenAPIObject): string[] {
  const doc = document as unknown as Json;
  const gaps: string[] = [];
  const check = (where: string, schema: Json, example: unknown) => {
    const issues = validateAgainstSchema(schema, example, doc);
    if (issues.length) throw new Error(`example of ${where} does not match its schema: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
  };
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const [method, op] of Object.entries<Json>(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      const body = op.requestBody?.content?.['application/json'];
      if (body?.schema) {
        if (body.example === undefined && body.examples === undefined) body.example = exampleFor(doc, body.schema, gaps, `${where} body`);
        if (body.example !== undefined) check(`${where} request body`, body.schema, body.example);
        for (const [name, ex] of Object.entries<Json>(body.examples ?? {})) if (ex.value !== undefined) check(`${where} request body example ${name}`, body.schema, ex.value);
      }
      for (const [status, response] of Object.entries<Json>(op.responses ?? {})) {
        const media = response.content?.['application/json'];
        if (!media?.schema) continue;
        if (media.example === undefined && media.examples === undefined) {
          const resolved = resolve(doc, media.schema.anyOf?.[0] ?? media.schema);
          const envelope = Number(status) >= 400 && !!resolved?.properties?.model && !!resolved?.properties?.warnings;
          const meta = media.schema.$ref === '#/components/schemas/MetaResponse' ? metaExample(doc, path) : undefined;
          media.example = envelope ? rejectedWrite(status) : (meta ?? exampleFor(doc, media.schema, gaps, `${where} ${status}`));
        }
        if (media.example !== undefined) check(`${where} ${status} response`, media.schema, media.example);
        for (const [name, ex] of Object.entries<Json>(media.examples ?? {})) if (ex.value !== undefined) check(`${where} ${status} response example ${name}`, media.schema, ex.value);
      }
    }
  }
  for (const [name, response] of Object.entries<Json>(doc.components?.responses ?? {})) {
    const media = response.content?.['application/json'];
    if (media?.schema && media.example !== undefined) check(`response ${name}`, media.schema, media.example);
  }
  return gaps;
}
