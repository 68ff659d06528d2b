import type { SfField, SfObject } from '../schema';
import { OBJECT_NAMES, OBJECTS } from '../schema';

/** describe / describeGlobal bodies, built once per (object, version). */

const SOAP_TYPE: Record<string, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
};

function describeField(f: SfField, object: SfObject): Record<string, unknown> {
  const numeric = f.type === 'double' || f.type === 'currency' || f.type === 'percent';
  return {
    aggregatable: f.type !== 'textarea',
    autoNumber: false,
    byteLength: f.length * 3,
    calculated: false,
    caseSensitive: false,
    createable: f.createable,
    custom: f.custom,
    defaultValue: null,
    defaultedOnCreate: f.defaultedOnCreate,
    digits: f.type === 'int' ? 9 : 0,
    externalId: false,
    filterable: f.type !== 'textarea' || f.length <= 255,
    groupable: !numeric && f.type !== 'textarea' && f.type !== 'datetime',
    idLookup: f.name === 'Id' || (f.type === 'email' && object.name !== 'User'),
    label: f.label,
    length: f.type === 'int' || numeric || f.type === 'boolean' || f.type === 'date' || f.type === 'datetime' ? 0 : f.length,
    name: f.name,
    nameField: f.name === 'Name' || (object.name === 'Note' && f.name === 'Title') || (object.name === 'OpportunityStage' && f.name === 'MasterLabel'),
    nillable: f.nillable,
    permissionable: f.nillable && f.createable,
    picklistValues: (f.picklistValues ?? []).map((v, i) => ({ active: true, defaultValue: i === 0 && f.defaultedOnCreate, label: v, validFor: null, value: v })),
    precision: numeric ? 18 : 0,
    referenceTo: f.referenceTo ?? [],
    relationshipName: f.relationshipName ?? null,
    restrictedPicklist: f.restricted ?? false,
    scale: numeric ? 2 : 0,
    soapType: SOAP_TYPE[f.type] ?? 'xsd:string',
    sortable: f.type !== 'textarea',
    type: f.type,
    unique: false,
    updateable: f.updateable,
  };
}

function urls(name: string, version: string): Record<string, string> {
  const base = `/services/data/v${version}/sobjects/${name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

function basic(o: SfObject, version: string): Record<string, unknown> {
  return {
    activateable: false,
    createable: o.createable,
    custom: false,
    customSetting: false,
    deletable: o.deletable,
    deprecatedAndHidden: false,
    feedEnabled: false,
    hasSubtypes: false,
    isSubtype: false,
    keyPrefix: o.keyPrefix,
    label: o.label,
    labelPlural: o.labelPlural,
    layoutable: o.createable,
    mergeable: o.name === 'Account' || o.name === 'Contact' || o.name === 'Lead',
    mruEnabled: o.createable,
    name: o.name,
    queryable: true,
    replicateable: true,
    retrieveable: true,
    searchable: o.createable,
    triggerable: o.createable,
    undeletable: o.deletable,
    updateable: o.updateable,
    urls: urls(o.name, version),
  };
}

const cache = new Map<string, string>();

function cached(key: string, build: () => unknown): string {
  let s = cache.get(key);
  if (s === undefined) {
    s = JSON.stringify(build());
    cache.set(key, s);
  }
  return s;
}

export function describeObject(o: SfObject, version: string): string {
  return cached(`d:${o.name}:${version}`, () => ({
    ...basic(o, version),
    childRelationships: [],
    fields: o.fields.map((f) => describeField(f, o)),
    recordTypeInfos: [],
    supportedScopes: [{ label: 'All ' + o.labelPlural.toLowerCase(), name: 'everything' }],
  }));
}

export function objectInfo(o: SfObject, version: string): string {
  return cached(`b:${o.name}:${version}`, () => ({ objectDescribe: basic(o, version), recentItems: [] }));
}

export function describeGlobal(version: string): string {
  return cached(`g:${version}`, () => ({ encoding: 'UTF-8', maxBatchSize: 200, sobjects: OBJECT_NAMES.map((n) => basic(OBJECTS[n], version)) }));
}
