import type { RemoteFieldClassRef, RemoteFieldValue } from '../contract';
import type { SfDescribe, SfFieldDescribe, SfRecord } from './api';
import { SYSTEM_FIELDS } from './mappers/common';

/** Salesforce describe field -> Merge-style remote field class. */
const TYPE_MAP: Record<string, string> = {
  id: 'string',
  reference: 'string',
  string: 'string',
  textarea: 'string',
  email: 'string',
  phone: 'string',
  url: 'string',
  encryptedstring: 'string',
  combobox: 'string',
  picklist: 'enum',
  multipicklist: 'list',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  double: 'number',
  currency: 'number',
  percent: 'number',
  date: 'date',
  datetime: 'datetime',
  time: 'string',
  address: 'object',
  location: 'object',
};

export function fieldClass(f: SfFieldDescribe): RemoteFieldClassRef {
  return {
    name: f.name,
    display_name: f.label,
    description: f.inlineHelpText ?? null,
    field_type: TYPE_MAP[f.type] ?? f.type,
    is_custom: f.custom,
    is_required: f.createable && !f.nillable && !f.defaultedOnCreate,
    field_choices: (f.picklistValues ?? []).filter((p) => p.active !== false).map((p) => p.value),
  };
}

const classCache = new WeakMap<SfDescribe, Map<string, RemoteFieldClassRef>>();

function classesOf(d: SfDescribe): Map<string, RemoteFieldClassRef> {
  let m = classCache.get(d);
  if (!m) {
    m = new Map(d.fields.map((f) => [f.name, fieldClass(f)]));
    classCache.set(d, m);
  }
  return m;
}

const SKIP = new Set(['attributes', ...SYSTEM_FIELDS]);

/** Every field of the record that the common model did not take (custom fields included). */
export function remoteFieldsOf(rec: SfRecord, used: string[], d: SfDescribe): RemoteFieldValue[] {
  const taken = new Set(used);
  const classes = classesOf(d);
  const out: RemoteFieldValue[] = [];
  for (const [name, value] of Object.entries(rec)) {
    if (SKIP.has(name) || taken.has(name)) continue;
    const cls = classes.get(name) ?? { name, display_name: name, description: null, field_type: typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string', is_custom: name.endsWith('__c'), is_required: false, field_choices: [] };
    out.push({ remote_field_class: cls, value: value ?? null });
  }
  return out;
}
