import { isDate, parseDateTime, zohoDateTime } from './format';
import { isZohoId } from './ids';
import { MODULES, SE_MODULES, fieldMap, type FieldDef, type ModuleName, type ZRecord } from './modules';
import { zerr, type ZohoError } from './errors';
import type { ModuleStore } from './tenant';

/**
 * Validation of record writes the way Zoho answers them per record: MANDATORY_NOT_FOUND,
 * INVALID_DATA (wrong type, too long, unknown lookup id, bad picklist for Stage), DUPLICATE_DATA
 * (duplicate Email on Contacts). Unknown and read-only fields are ignored, as Zoho does.
 */

export type WriteCheck = { ok: true; fields: Record<string, unknown>; changed: string[] } | { ok: false; error: ZohoError };

const FIELD_MAPS = new Map<ModuleName, Map<string, FieldDef>>();
function fieldsOf(module: ModuleName): Map<string, FieldDef> {
  let m = FIELD_MAPS.get(module);
  if (!m) {
    m = fieldMap(MODULES[module]);
    FIELD_MAPS.set(module, m);
  }
  return m;
}

function invalid(api: string, index: number, extra: Record<string, unknown> = {}, message = 'invalid data'): WriteCheck {
  return { ok: false, error: zerr('INVALID_DATA', message, { api_name: api, json_path: `$.data[${index}].${api}`, ...extra }) };
}

function lookupId(v: unknown): string | undefined {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v && typeof v === 'object' && 'id' in v) {
    const id = (v as { id: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint') return String(id);
  }
  return undefined;
}

export function checkWrite(store: ModuleStore, input: unknown, index: number, current?: { position: number; record: ZRecord }): WriteCheck {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { ok: false, error: zerr('INVALID_DATA', 'invalid data', { json_path: `$.data[${index}]` }) };
  const module = store.def.api;
  const defs = fieldsOf(module);
  const tenant = store.tenant;
  const src = input as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const changed: string[] = [];
  for (const [key, value] of Object.entries(src)) {
    const def = defs.get(key);
    if (!def || def.readOnly) continue;
    changed.push(key);
    if (value === null || value === '') {
      if (def.required) return { ok: false, error: zerr('MANDATORY_NOT_FOUND', 'required field not found', { api_name: key, json_path: `$.data[${index}].${key}` }) };
      out[key] = null;
      continue;
    }
    switch (def.type) {
      case 'text': case 'email': case 'phone': case 'website': case 'textarea': case 'picklist': {
        if (typeof value !== 'string' && typeof value !== 'number') return invalid(key, index, { expected_data_type: def.type === 'picklist' ? 'picklist' : 'text' });
        const s = String(value);
        const max = def.length ?? (def.type === 'textarea' ? 32000 : 255);
        if (s.length > max) return invalid(key, index, { maximum_length: String(max) });
        if (def.type === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s)) return invalid(key, index, { expected_data_type: 'email' });
        if (key === 'Stage' && module === 'Deals' && !tenant.seed.stages.some((st) => st.label === s)) return invalid(key, index, {}, 'Pipeline doesn\'t contain the Stage');
        if (key === 'Pipeline' && s !== 'Standard') return invalid(key, index, {}, 'Layout doesn\'t contain the Pipeline');
        out[key] = s;
        break;
      }
      case 'integer': case 'bigint':
        if (typeof value !== 'number' || !Number.isInteger(value)) return invalid(key, index, { expected_data_type: def.type });
        out[key] = value;
        break;
      case 'double': case 'currency':
        if (typeof value !== 'number' || !Number.isFinite(value)) return invalid(key, index, { expected_data_type: 'double' });
        out[key] = value;
        break;
      case 'boolean':
        if (typeof value !== 'boolean') return invalid(key, index, { expected_data_type: 'boolean' });
        out[key] = value;
        break;
      case 'date':
        if (!isDate(value)) return invalid(key, index, { expected_data_type: 'date' });
        out[key] = value;
        break;
      case 'datetime': {
        const ms = parseDateTime(value);
        if (Number.isNaN(ms)) return invalid(key, index, { expected_data_type: 'datetime' });
        out[key] = zohoDateTime(ms);
        break;
      }
      case 'ownerlookup': {
        const id = lookupId(value);
        const p = id === undefined ? -1 : tenant.userPosition(id);
        if (p < 0) return invalid(key, index, id === undefined ? { expected_data_type: 'jsonobject' } : { id }, 'invalid data');
        out[key] = tenant.user(p);
        break;
      }
      case 'lookup': {
        const id = lookupId(value);
        if (id === undefined || !isZohoId(id)) return invalid(key, index, { expected_data_type: 'jsonobject' });
        let target: ModuleName | undefined = def.lookup as ModuleName | undefined;
        if (!target) {
          // multi-module lookup: $se_module (or Parent_Id.module.api_name) says where it points
          const nested = value && typeof value === 'object' ? (value as { module?: { api_name?: unknown } }).module?.api_name : undefined;
          const se = (src.$se_module ?? nested ?? current?.record.f.$se_module) as string | undefined;
          const allowed = SE_MODULES[key] ?? [];
          target = allowed.find((m) => m.toLowerCase() === String(se ?? '').toLowerCase());
          if (!target) return { ok: false, error: zerr(se ? 'INVALID_DATA' : 'MANDATORY_NOT_FOUND', se ? 'invalid data' : 'required field not found', { api_name: '$se_module', json_path: `$.data[${index}].$se_module` }) };
          out.$se_module = target;
        }
        const targetStore = tenant.modules[target];
        const p = targetStore.position(id);
        if (p < 0 || !targetStore.coll.get(p)) return invalid(key, index, { id }, 'the id given seems to be invalid');
        out[key] = tenant.ref(target, p);
        break;
      }
      case 'participants':
        if (!Array.isArray(value)) return invalid(key, index, { expected_data_type: 'jsonarray' });
        out[key] = value;
        break;
    }
  }
  // Mandatory fields on create.
  if (!current) {
    for (const def of store.def.fields) {
      if (def.required && (out[def.api] === undefined || out[def.api] === null)) {
        return { ok: false, error: zerr('MANDATORY_NOT_FOUND', 'required field not found', { api_name: def.api, json_path: `$.data[${index}].${def.api}` }) };
      }
    }
  }
  // Duplicate rule: Email is unique on Contacts.
  if (module === 'Contacts' && typeof out.Email === 'string') {
    const dup = store.findEmail(out.Email);
    if (dup >= 0 && dup !== current?.position) {
      const d = store.coll.get(dup) as ZRecord;
      return {
        ok: false,
        error: zerr('DUPLICATE_DATA', 'duplicate data', {
          api_name: 'Email', json_path: `$.data[${index}].Email`,
          duplicate_record: { id: store.id(dup), module: { api_name: 'Contacts', id: '' }, Owner: d.f.Owner },
        }),
      };
    }
  }
  derive(module, out, current?.record);
  return { ok: true, fields: out, changed };
}

/** Fields Zoho computes from others. */
function derive(module: ModuleName, out: Record<string, unknown>, current?: ZRecord): void {
  const merged = { ...(current?.f ?? {}), ...out };
  if ((module === 'Contacts' || module === 'Leads') && ('First_Name' in out || 'Last_Name' in out)) {
    out.Full_Name = [merged.First_Name, merged.Last_Name].filter((x) => typeof x === 'string' && x).join(' ');
  }
  if (module === 'Deals') {
    if ('Stage' in out && !('Probability' in out)) {
      const p = STAGE_PROBABILITY[String(out.Stage)];
      if (p !== undefined) out.Probability = p;
    }
    if (!current && !('Pipeline' in out)) out.Pipeline = 'Standard';
    const amount = typeof merged.Amount === 'number' ? merged.Amount : 0;
    const prob = typeof (out.Probability ?? merged.Probability) === 'number' ? ((out.Probability ?? merged.Probability) as number) : 0;
    out.Expected_Revenue = Math.round((amount * prob) / 100);
  }
  if (module === 'Calls' && typeof out.Call_Duration === 'string') {
    const m = /^(\d+):(\d{2})$/.exec(out.Call_Duration);
    if (m) out.Call_Duration_in_seconds = Number(m[1]) * 60 + Number(m[2]);
  }
  if (module === 'Tasks' && 'Status' in out) out.Closed_Time = out.Status === 'Completed' ? zohoDateTime(Date.now()) : null;
  if (module === 'Leads' && !current) {
    out.Converted__s = false;
  }
}

const STAGE_PROBABILITY: Record<string, number> = {
  Prospecting: 10, Qualification: 20, 'Needs Analysis': 40, Proposal: 60, Negotiation: 80, 'Closed Won': 100, 'Closed Lost': 0,
};
