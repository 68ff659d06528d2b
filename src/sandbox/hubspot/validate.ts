import { ownerIndexOf } from './ids';
import type { ObjectDef } from './schema';

/**
 * Property validation for creates and updates, producing HubSpot's "Property values were not
 * valid: [...]" VALIDATION_ERROR details, and normalising accepted values to wire strings.
 */

export interface PropertyProblem {
  isValid: false;
  message: string;
  error: string;
  name: string;
  localizedErrorMessage: string;
  portalId: number;
}

export type Normalized = { ok: true; values: Record<string, string | null> } | { ok: false; problems: PropertyProblem[]; notObject?: boolean };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function problem(name: string, error: string, message: string, portalId: number): PropertyProblem {
  return { isValid: false, message, error, name, localizedErrorMessage: message, portalId };
}

function parseTime(v: string): number {
  if (/^-?\d+$/.test(v)) return Number(v);
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return Date.parse(`${v}T00:00:00.000Z`);
  return Date.parse(v);
}

export function normalizeProperties(def: ObjectDef, input: unknown, opts: { create: boolean; portalId: number; ownerCount: number }): Normalized {
  if (input === undefined && !opts.create) return { ok: true, values: {} };
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { ok: false, problems: [], notObject: true };
  const problems: PropertyProblem[] = [];
  const values: Record<string, string | null> = {};
  for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
    const prop = def.byName.get(name);
    if (!prop) {
      problems.push(problem(name, 'PROPERTY_DOESNT_EXIST', `Property "${name}" does not exist`, opts.portalId));
      continue;
    }
    if (prop.readOnly) {
      problems.push(problem(name, 'READ_ONLY_VALUE', `"${name}" is a read only property; its value cannot be set.`, opts.portalId));
      continue;
    }
    if (raw === null || raw === '') {
      values[name] = null;
      continue;
    }
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      problems.push(problem(name, 'INVALID_TYPE', `${JSON.stringify(raw)} is not a valid value for ${name}.`, opts.portalId));
      continue;
    }
    const text = String(raw);
    switch (prop.type) {
      case 'number': {
        const n = Number(text);
        if (text.trim() === '' || !Number.isFinite(n)) problems.push(problem(name, 'INVALID_FLOAT', `${text} was not a valid number.`, opts.portalId));
        else values[name] = String(n);
        break;
      }
      case 'datetime': {
        const t = parseTime(text);
        if (Number.isNaN(t)) problems.push(problem(name, 'INVALID_DATE', `${text} was not a valid long or ISO 8601 date.`, opts.portalId));
        else values[name] = new Date(t).toISOString();
        break;
      }
      case 'bool':
        if (text !== 'true' && text !== 'false') problems.push(problem(name, 'INVALID_BOOLEAN', `${text} was not a valid boolean.`, opts.portalId));
        else values[name] = text;
        break;
      case 'enumeration': {
        if (name === 'hubspot_owner_id') {
          const i = ownerIndexOf(text);
          if (i < 0 || i >= opts.ownerCount) problems.push(problem(name, 'INVALID_OWNER_ID', `${text} is not a valid owner id`, opts.portalId));
          else values[name] = text;
          break;
        }
        const options = prop.options ?? [];
        if (!options.some((o) => o.value === text)) {
          const allowed = options.map((o) => o.value).join(', ');
          problems.push(problem(name, 'INVALID_OPTION', `${text} was not one of the allowed options: [${allowed}]`, opts.portalId));
        } else values[name] = text;
        break;
      }
      default:
        if (name === 'email' && !EMAIL.test(text)) problems.push(problem(name, 'INVALID_EMAIL', `Email address ${text} is invalid`, opts.portalId));
        else values[name] = text;
    }
  }
  if (opts.create) {
    for (const name of def.required) {
      if (values[name] === undefined || values[name] === null) {
        if (!problems.some((p) => p.name === name)) problems.push(problem(name, 'REQUIRED_PROPERTY', `${name} is required`, opts.portalId));
      }
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, values };
}

export function problemsMessage(problems: PropertyProblem[]): string {
  return `Property values were not valid: ${JSON.stringify(problems)}`;
}
