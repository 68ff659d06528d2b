import type { FastifyInstance } from 'fastify';
import { ctxOf } from '../context';
import { Errors, JSON_TYPE, sendError } from '../errors';
import { zohoDateTime } from '../format';
import { encodeId, OBJECT_CODES } from '../ids';
import { MODULE_NAMES, MODULES, moduleByName, type FieldDef, type ModuleName } from '../modules';
import type { Tenant } from '../tenant';

/** Users, org and settings metadata: users, org, modules, fields, layouts, pipeline. */

type Q = Record<string, string | undefined>;

const JSON_TYPES: Record<FieldDef['type'], string> = {
  text: 'string', email: 'string', phone: 'string', website: 'string', textarea: 'string', picklist: 'string', date: 'string', datetime: 'string',
  integer: 'integer', bigint: 'string', double: 'double', currency: 'double', boolean: 'boolean', lookup: 'jsonobject', ownerlookup: 'jsonobject',
  participants: 'jsonarray',
};

export function userJson(tenant: Tenant, i: number): Record<string, unknown> {
  const s = tenant.seed.user(i);
  const admin = i === 0;
  return {
    country: 'US', language: 'en_US', id: tenant.userId(i), first_name: s.firstName, last_name: s.lastName, full_name: `${s.firstName} ${s.lastName}`,
    email: s.email, status: s.active ? 'active' : 'disabled', confirm: true, zuid: String(80_000_000 + Number(tenant.info.prefix.slice(-3)) * 1000 + i),
    role: { name: admin ? 'CEO' : 'Manager', id: encodeId(tenant.info.prefix, OBJECT_CODES.roles, admin ? 1 : 2) },
    profile: { name: admin ? 'Administrator' : 'Standard', id: encodeId(tenant.info.prefix, OBJECT_CODES.profiles, admin ? 1 : 2) },
    locale: 'en_US', time_zone: 'Etc/UTC', time_format: 'HH:mm', date_format: 'yyyy-MM-dd', created_time: zohoDateTime(s.createdAt),
    Modified_Time: zohoDateTime(s.modifiedAt), Created_Time: zohoDateTime(s.createdAt), Isonline: false, type: 'AllUsers',
  };
}

function layoutId(tenant: Tenant, module: ModuleName): string {
  return encodeId(tenant.info.prefix, OBJECT_CODES.layouts, MODULES[module].code);
}

function fieldId(tenant: Tenant, module: ModuleName, index: number): string {
  return encodeId(tenant.info.prefix, OBJECT_CODES.fields, MODULES[module].code * 1000 + index);
}

function pickList(tenant: Tenant, module: ModuleName, def: FieldDef): Record<string, unknown>[] {
  if (module === 'Deals' && def.api === 'Stage') {
    return tenant.seed.stages.map((st, i) => ({
      display_value: st.label, actual_value: st.label, sequence_number: i + 1, id: encodeId(tenant.info.prefix, OBJECT_CODES.stages, i + 1),
      type: 'used', probability: st.probability, forecast_type: st.isClosed ? (st.isWon ? 'Closed Won' : 'Closed Lost') : 'Open',
      forecast_category: { name: st.isClosed ? (st.isWon ? 'Closed' : 'Omitted') : 'Pipeline', id: encodeId(tenant.info.prefix, OBJECT_CODES.stages, 100 + (st.isClosed ? (st.isWon ? 2 : 3) : 1)) },
    }));
  }
  return (def.picklist ?? []).map((v, i) => ({
    display_value: v, actual_value: v, sequence_number: i + 1, id: encodeId(tenant.info.prefix, OBJECT_CODES.fields, 900_000 + MODULES[module].code * 1000 + i), type: 'used',
  }));
}

export function fieldsJson(tenant: Tenant, module: ModuleName): Record<string, unknown>[] {
  return MODULES[module].fields.map((def, i) => {
    const dataType = def.type === 'participants' ? 'multi_participants' : def.type;
    const out: Record<string, unknown> = {
      api_name: def.api, field_label: def.label, display_label: def.label, data_type: dataType, json_type: JSON_TYPES[def.type],
      id: fieldId(tenant, module, i), custom_field: def.custom === true, system_mandatory: def.required === true, read_only: def.readOnly === true,
      field_read_only: def.readOnly === true, visible: true, length: def.length ?? (def.type === 'textarea' ? 32000 : 255), sequence_number: i + 1,
      pick_list_values: def.type === 'picklist' ? pickList(tenant, module, def) : [], created_source: def.custom ? 'crm' : 'default', webhook: true,
      lookup: {},
    };
    if ((def.type === 'lookup' || def.type === 'ownerlookup') && def.lookup && def.lookup !== 'users') {
      out.lookup = { display_label: def.label, api_name: def.api, module: { api_name: def.lookup, id: encodeId(tenant.info.prefix, OBJECT_CODES.modules, MODULES[def.lookup].code) }, id: fieldId(tenant, module, i) };
    }
    return out;
  });
}

function moduleJson(tenant: Tenant, m: ModuleName, i: number): Record<string, unknown> {
  const def = MODULES[m];
  return {
    api_name: m, module_name: m, singular_label: def.singular, plural_label: def.plural, id: encodeId(tenant.info.prefix, OBJECT_CODES.modules, def.code),
    api_supported: true, generated_type: 'default', creatable: true, editable: true, deletable: true, viewable: true, visible: true,
    status: 'visible', sequence_number: i + 1, modified_time: null, presence_sub_menu: false, global_search_supported: true, feeds_required: false,
  };
}

function send(reply: import('fastify').FastifyReply, body: unknown) {
  return reply.code(200).type(JSON_TYPE).send(JSON.stringify(body));
}

export function registerMetaRoutes(api: FastifyInstance): void {
  api.get('/crm/v8/users', async (request, reply) => {
    const { tenant, user } = ctxOf(request);
    const q = request.query as Q;
    const type = q.type ?? 'AllUsers';
    const perPage = Math.min(200, Math.max(1, Number(q.per_page ?? 200) || 200));
    const page = Math.max(1, Number(q.page ?? 1) || 1);
    const all = Array.from({ length: tenant.seed.counts.users }, (_, i) => i);
    let list: number[];
    switch (type) {
      case 'CurrentUser': list = [user]; break;
      case 'AdminUsers': case 'ActiveConfirmedAdmins': list = [0]; break;
      case 'ActiveUsers': case 'ActiveConfirmedUsers': case 'ConfirmedUsers': list = all.filter((i) => tenant.seed.user(i).active); break;
      case 'DeactiveUsers': list = all.filter((i) => !tenant.seed.user(i).active); break;
      case 'AllUsers': case 'NotConfirmedUsers': case 'DeletedUsers': list = type === 'AllUsers' ? all : []; break;
      default: return sendError(reply, 400, Errors.invalidParam('type'));
    }
    if (q.ids) {
      const wanted = new Set(q.ids.split(','));
      list = list.filter((i) => wanted.has(tenant.userId(i)));
    }
    const ims = request.headers['if-modified-since'];
    const since = typeof ims === 'string' ? Date.parse(ims) : NaN;
    if (!Number.isNaN(since)) list = list.filter((i) => tenant.seed.user(i).modifiedAt > since);
    const slice = list.slice((page - 1) * perPage, page * perPage);
    if (slice.length === 0) return reply.code(Number.isNaN(since) ? 204 : 304).send();
    return send(reply, { users: slice.map((i) => userJson(tenant, i)), info: { per_page: perPage, count: slice.length, page, more_records: list.length > page * perPage } });
  });

  api.get('/crm/v8/users/:id', async (request, reply) => {
    const { tenant } = ctxOf(request);
    const { id } = request.params as { id: string };
    const p = tenant.userPosition(id);
    if (p < 0) return sendError(reply, 400, Errors.invalidId(id));
    return send(reply, { users: [userJson(tenant, p)] });
  });

  api.get('/crm/v8/org', async (request, reply) => {
    const { tenant } = ctxOf(request);
    const admin = tenant.seed.user(0);
    return send(reply, {
      org: [{
        country: 'United States', photo_id: null, city: 'San Francisco', description: null, mc_status: false, gapps_enabled: false,
        domain_name: tenant.info.domain, translation_enabled: false, street: null, alias: null, currency: 'US Dollar', id: tenant.orgId,
        state: 'CA', fax: null, employee_count: String(tenant.seed.counts.users), zip: null, website: null, currency_symbol: '$', mobile: null,
        currency_locale: 'en_US', primary_zuid: String(80_000_000 + Number(tenant.info.prefix.slice(-3)) * 1000), zia_portal_id: null,
        time_zone: 'Etc/UTC', zgid: String(Number(tenant.info.prefix) * 10 + 1), country_code: 'US', company_name: tenant.info.company,
        privacy_settings: false, primary_email: admin.email, iso_code: 'USD', phone: null, type: 'production',
        license_details: { paid_expiry: null, users_license_purchased: tenant.seed.counts.users, trial_type: null, trial_expiry: null, paid: true, paid_type: 'enterprise' },
      }],
    });
  });

  api.get('/crm/v8/settings/modules', async (request, reply) => {
    const { tenant } = ctxOf(request);
    return send(reply, { modules: MODULE_NAMES.map((m, i) => moduleJson(tenant, m, i)) });
  });

  api.get('/crm/v8/settings/modules/:module', async (request, reply) => {
    const { tenant } = ctxOf(request);
    const m = moduleByName((request.params as { module: string }).module);
    if (!m) return sendError(reply, 400, Errors.invalidModule(3));
    return send(reply, { modules: [{ ...moduleJson(tenant, m, MODULE_NAMES.indexOf(m)), fields: fieldsJson(tenant, m) }] });
  });

  api.get('/crm/v8/settings/fields', async (request, reply) => {
    const { tenant } = ctxOf(request);
    const q = request.query as Q;
    if (!q.module) return sendError(reply, 400, Errors.requiredParam('module'));
    const m = moduleByName(q.module);
    if (!m) return sendError(reply, 400, Errors.invalidModule());
    return send(reply, { fields: fieldsJson(tenant, m) });
  });

  api.get('/crm/v8/settings/fields/:id', async (request, reply) => {
    const { tenant } = ctxOf(request);
    const q = request.query as Q;
    const m = q.module ? moduleByName(q.module) : undefined;
    if (!m) return sendError(reply, 400, q.module ? Errors.invalidModule() : Errors.requiredParam('module'));
    const f = fieldsJson(tenant, m).find((x) => x.id === (request.params as { id: string }).id);
    if (!f) return sendError(reply, 400, Errors.invalidId((request.params as { id: string }).id));
    return send(reply, { fields: [f] });
  });

  api.get('/crm/v8/settings/layouts', async (request, reply) => {
    const { tenant } = ctxOf(request);
    const q = request.query as Q;
    if (!q.module) return sendError(reply, 400, Errors.requiredParam('module'));
    const m = moduleByName(q.module);
    if (!m) return sendError(reply, 400, Errors.invalidModule());
    const admin = tenant.user(0);
    return send(reply, {
      layouts: [{
        id: layoutId(tenant, m), name: 'Standard', api_name: 'Standard', display_label: 'Standard', status: 'active', visible: true, source: 'crm',
        created_time: null, modified_time: null, created_by: null, modified_by: { name: admin.name, id: admin.id },
        profiles: [{ name: 'Administrator', id: encodeId(tenant.info.prefix, OBJECT_CODES.profiles, 1), default: true }],
        sections: [{ display_label: `${MODULES[m].singular} Information`, api_name: `${MODULES[m].singular}_Information`, sequence_number: 1, column_count: 2, fields: fieldsJson(tenant, m).map((f) => ({ api_name: f.api_name, id: f.id, data_type: f.data_type })) }],
      }],
    });
  });

  api.get('/crm/v8/settings/pipeline', async (request, reply) => {
    const { tenant } = ctxOf(request);
    const q = request.query as Q;
    if (!q.layout_id) return sendError(reply, 400, Errors.requiredParam('layout_id'));
    if (q.layout_id !== layoutId(tenant, 'Deals')) return sendError(reply, 400, Errors.invalidParam('layout_id'));
    const stageField = MODULES.Deals.fields.find((f) => f.api === 'Stage') as FieldDef;
    const maps = pickList(tenant, 'Deals', stageField).map((s) => ({ ...s, colour_code: null }));
    return send(reply, {
      pipeline: [{ id: encodeId(tenant.info.prefix, OBJECT_CODES.pipelines, 1), display_value: 'Standard', actual_value: 'Standard', default: true, child_available: false, parent: null, maps }],
    });
  });
}
