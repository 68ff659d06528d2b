import type { ModelName } from '../../../models/spec';
import type { WriteInput } from '../../contract';
import type { SfRecord } from '../api';
import type { Mapped, VendorBody } from './common';

/** One vendor object (optionally a slice of it) that feeds a common model. */
export interface SourceDef {
  object: string;
  /** Fixed SOQL condition selecting this model's rows of the object (e.g. TaskSubtype). */
  where?: string;
  /** Whether a record read by id belongs to this model (defaults to true). */
  accepts?(rec: SfRecord): boolean;
  /** The field used as the common remote id (default Id; Stage uses ApiName). */
  idField?: string;
  /** `track` false: `used` is not collected (null), for reads that show no remote fields. */
  read(rec: SfRecord, track?: boolean): Mapped;
  /** Server-side filters: common relation field -> SOQL field compared with the vendor id. */
  relationFields?: Record<string, string>;
  /** Common string field -> SOQL field (exact or contains is decided by the filter spec). */
  stringFields?: Record<string, string>;
  emailFields?: string[];
  phoneFields?: string[];
  /** Common datetime field -> SOQL datetime field. */
  datetimeFields?: Record<string, string>;
  /**
   * Activities (Task, Event) are archived by Salesforce after a year and then only `queryAll`
   * returns them: such sources are read with queryAll and `IsDeleted = false` unless deleted
   * records are wanted.
   */
  archivable?: boolean;
  /** Extra server-side narrowing for a datetime filter on a derived field (exact check still on the mapped record). */
  datetimePrefilter?(field: string, range: { gt?: Date; lt?: Date }): string[];
  /** A SOQL condition for an enum filter; undefined means "filter the mapped records instead". */
  enumClause?(field: string, value: string): string | undefined;
}

export interface WriteDef {
  /** The vendor object a create goes to (Engagement: Task or Event by engagement type). */
  objectForCreate(input: WriteInput): string;
  /** Common fields -> vendor body. `object` is the target object. */
  toBody(input: WriteInput, op: 'create' | 'update', object: string): VendorBody;
  /** Vendor field -> common field name, for error `fields`. */
  commonName(vendorField: string): string | undefined;
  /** Common fields accepted on create / update, with the vendor's required flags. */
  writable: { create: { field: string; required: boolean }[]; update: { field: string; required: boolean }[] };
}

export interface ModelDef {
  model: ModelName;
  sources: SourceDef[];
  write?: WriteDef;
}

/** Writable-field lists from one declaration: [field, requiredOnCreate, updatable]. */
export function writableList(entries: [string, boolean, boolean?][]): WriteDef['writable'] {
  return {
    create: entries.map(([field, required]) => ({ field, required })),
    update: entries.filter(([, , upd]) => upd !== false).map(([field]) => ({ field, required: false })),
  };
}

export function reverse(map: Record<string, string>): (vendorField: string) => string | undefined {
  const r = new Map(Object.entries(map).map(([c, v]) => [v, c]));
  return (f) => r.get(f);
}
