import { normalizeId } from './ids';
import { parseSfDateTime, sfDateTime, type SfRecord } from './records';
import { STAGE_BY_LABEL, type SfField, type SfObject } from './schema';
import { SfWriteError, writeError, type SfError } from './errors';
import type { SalesforceOrg } from './store';

/**
 * Validation of create/update bodies with Salesforce's error codes and wording. Returns the body
 * with canonical field names and wire values. Duplicate rule: a Contact whose Email equals
 * (case-insensitively) a live Contact's Email is rejected with DUPLICATES_DETECTED unless the
 * request carries `Sforce-Duplicate-Rule-Header: allowSave=true`.
 */

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const STRINGISH = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'combobox']);

function deserialize(type: string, value: unknown): SfWriteError {
  const kind = typeof value === 'string' ? 'VALUE_STRING' : typeof value === 'boolean' ? `VALUE_${String(value).toUpperCase()}` : Array.isArray(value) ? 'START_ARRAY' : typeof value === 'object' ? 'START_OBJECT' : 'VALUE_NUMBER_INT';
  const shown = typeof value === 'object' ? '' : ` value ${String(value)}`;
  return writeError('JSON_PARSER_ERROR', `Cannot deserialize instance of ${type} from ${kind}${shown} or request may be missing a required field at [line:1, column:1]`);
}

function coerceValue(org: SalesforceOrg, f: SfField, value: unknown): unknown {
  if (value === null) return null;
  if (STRINGISH.has(f.type)) {
    if (typeof value === 'number' || typeof value === 'boolean') value = String(value);
    if (typeof value !== 'string') throw deserialize('string', value);
    if (value.length > f.length) throw writeError('STRING_TOO_LONG', `${f.label}: data value too large: ${value.slice(0, 40)} (max length=${f.length})`, [f.name]);
    if (value === '') return null;
    if (f.type === 'email' && !EMAIL_RE.test(value)) throw writeError('INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${value}`, [f.name]);
    if (f.type === 'picklist' && f.restricted && !f.picklistValues?.includes(value)) {
      throw writeError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${f.label}: bad value for restricted picklist field: ${value}`, [f.name]);
    }
    return value;
  }
  switch (f.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw deserialize('boolean', value);
    case 'int': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw deserialize('int', value);
      return n;
    }
    case 'double':
    case 'currency':
    case 'percent': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw deserialize(f.type, value);
      return n;
    }
    case 'date': {
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value + 'T00:00:00Z')) || new Date(value + 'T00:00:00Z').toISOString().slice(0, 10) !== value) {
        throw deserialize('date', value);
      }
      return value;
    }
    case 'datetime': {
      if (typeof value !== 'string') throw deserialize('datetime', value);
      const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(value + 'T00:00:00Z') : parseSfDateTime(value);
      if (Number.isNaN(ms)) throw deserialize('datetime', value);
      return sfDateTime(ms);
    }
    case 'reference': {
      if (typeof value !== 'string') throw deserialize('id', value);
      const id = normalizeId(value);
      if (!id) throw writeError('MALFORMED_ID', `${f.label}: id value of incorrect type: ${value}`, [f.name]);
      const target = org.findAny(id);
      const types = f.referenceTo ?? [];
      if (!types.some((t) => id.startsWith(org.stores[t]?.schema.keyPrefix ?? '~'))) {
        throw writeError('FIELD_INTEGRITY_EXCEPTION', `${f.label}: id value of incorrect type: ${value}`, [f.name]);
      }
      if (!target || target.row.deleted) throw writeError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [f.name]);
      return id;
    }
    default:
      throw writeError('INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${f.name}.`, [f.name]);
  }
}

export interface WriteOptions {
  allowDuplicates: boolean;
  /** The current record (update) and its position. */
  existing?: { rec: SfRecord; pos: number };
  version: string;
}

export function validateWrite(org: SalesforceOrg, schema: SfObject, body: unknown, options: WriteOptions): Record<string, unknown> {
  const create = options.existing === undefined;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    const kind = Array.isArray(body) ? 'START_ARRAY' : 'VALUE_STRING';
    throw writeError('JSON_PARSER_ERROR', `Cannot deserialize instance of ${schema.name} from ${kind} value [line:1, column:1]`);
  }
  const out: Record<string, unknown> = {};
  const notWritable: string[] = [];
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key === 'attributes') continue;
    const f = schema.byLower.get(key.toLowerCase());
    if (!f) throw new SfWriteError(400, [{ message: `No such column '${key}' on sobject of type ${schema.name}`, errorCode: 'INVALID_FIELD' }]);
    if (create ? !f.createable : !f.updateable) {
      notWritable.push(f.name);
      continue;
    }
    out[f.name] = coerceValue(org, f, value);
  }
  if (notWritable.length) {
    throw writeError(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${notWritable.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      notWritable,
    );
  }
  const missing: string[] = [];
  for (const f of schema.required) {
    if (create ? out[f.name] === undefined || out[f.name] === null : f.name in out && out[f.name] === null) missing.push(f.name);
  }
  if (schema.name === 'Event' && create) {
    if (out.StartDateTime == null && out.ActivityDateTime != null) out.StartDateTime = out.ActivityDateTime;
    if (out.StartDateTime == null) missing.push('StartDateTime');
    else if (out.EndDateTime == null && out.DurationInMinutes == null) missing.push('DurationInMinutes');
  }
  if (missing.length) throw writeError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
  if (schema.name === 'Opportunity' && typeof out.StageName === 'string' && out.Probability === undefined) {
    out.Probability = STAGE_BY_LABEL.get(out.StageName)?.probability ?? null;
  }
  if (schema.name === 'Contact' && typeof out.Email === 'string' && !options.allowDuplicates) {
    const dup = org.findContactByEmail(out.Email, options.existing?.pos);
    if (dup !== null) throw duplicateError(org, dup, options.version);
  }
  return out;
}

function duplicateError(org: SalesforceOrg, position: number, version: string): SfWriteError {
  const id = org.id('Contact', position);
  const err: SfError = {
    duplicateResult: {
      allowSave: true,
      duplicateRule: 'Standard_Contact_Duplicate_Rule',
      duplicateRuleEntityType: 'Contact',
      errorMessage: 'You\'re creating a duplicate record. We recommend you use an existing record instead.',
      matchResults: [
        {
          entityType: 'Contact',
          errorMessage: null,
          matchEngine: 'ExactMatchEngine',
          matchRecords: [
            {
              additionalInformation: [],
              fieldDiffs: [],
              matchConfidence: 100.0,
              record: { attributes: { type: 'Contact', url: `/services/data/v${version}/sobjects/Contact/${id}` }, Id: id },
            },
          ],
          rule: 'Standard_Contact_Match_Rule_v1_1',
          size: 1,
          success: true,
        },
      ],
    },
    errorCode: 'DUPLICATES_DETECTED',
    message: 'You\'re creating a duplicate record. We recommend you use an existing record instead.',
  };
  return new SfWriteError(400, [err]);
}
