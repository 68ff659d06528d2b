import type { ModelName } from '../../../models/spec';
import type { CommonValue } from '../../contract';
import type { StageInfo } from '../metadata';

export type Raw = Record<string, unknown>;

/** What mapping a Deals record needs beyond the record (pipeline stages). */
export interface MapContext {
  stages: StageInfo[];
}

/** How one Zoho module maps to (a part of) one common model. */
export interface ModuleMapper {
  model: ModelName;
  /** Zoho module API name. */
  module: string;
  /** Vendor fields consumed by `read` (everything else becomes a remote field). */
  mapped: readonly string[];
  /** Vendor field -> common field, for naming the common field of a vendor error. */
  fieldOf: Record<string, string>;
  read(raw: Raw, ctx: MapContext): Record<string, CommonValue>;
  /** Common fields -> vendor record body (only the fields given). */
  write?(fields: Record<string, CommonValue>, ctx: MapContext, op: 'create' | 'update'): Raw;
  /** Common fields accepted on writes, with what the vendor requires on create. */
  writable?: { field: string; requiredOnCreate: boolean }[];
  /** Vendor field holding a common datetime field, for server-side criteria (e.g. start_time). */
  datetimeField?: Record<string, string>;
  /** Vendor lookup a relation filter compares with ((Field:equals:id)). */
  relationField?: Record<string, string>;
}
