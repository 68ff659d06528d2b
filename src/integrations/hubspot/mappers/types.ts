import type { ModelName } from '../../../models/spec';
import type { CommonValue, ListFilters } from '../../contract';
import type { HubObject, SearchFilter } from '../api';
import type { PipelineStage } from '../metadata';

/** One HubSpot object type a common model is read from (Engagement has three). */
export interface SourceSpec {
  /** Vendor object type in paths, e.g. "companies". */
  type: string;
  /** Created / modified time properties. */
  created: string;
  modified: string;
  /** Vendor properties mapped into common fields (everything else becomes a remote field). */
  mapped: readonly string[];
  /** Vendor properties a create must carry (as HubSpot enforces them). */
  required: readonly string[];
  /** Association targets read for every record (vendor types), e.g. ["companies"]. */
  assoc: readonly string[];
  /** HubSpot-defined association type ids for writes: target vendor type -> typeId. */
  assocTypeIds: Readonly<Record<string, number>>;
}

/** What a mapper needs besides the record: associations, pipelines, related records. */
export interface MapContext {
  /** vendor target type -> record id -> associated ids (primary first). */
  assoc: Record<string, Map<string, string[]>>;
  stages: Map<string, PipelineStage>;
  /** Related records read for the page (leads: their contacts), by vendor type then id. */
  related: Record<string, Map<string, HubObject>>;
}

export interface VendorWrite {
  source: SourceSpec;
  properties: Record<string, string>;
  /** Relation changes: target type -> ids (empty = remove all); undefined = untouched. */
  associations: Record<string, string[]>;
  /** Properties of a related record to write too (leads: their contact). */
  related?: { type: string; properties: Record<string, string> };
}

export interface WriteHelpers {
  stages: Map<string, PipelineStage>;
  /** The current vendor record on update (null on create). */
  current: HubObject | null;
}

export interface ModelMapper {
  model: ModelName;
  sources: readonly SourceSpec[];
  /** Common fields of one vendor record. */
  read(source: SourceSpec, obj: HubObject, ctx: MapContext): Record<string, CommonValue>;
  /** Common fields -> vendor properties and associations; `source` chosen by the mapper (Engagement: by type). */
  write(fields: Record<string, CommonValue>, op: 'create' | 'update', helpers: WriteHelpers, currentSource?: SourceSpec): VendorWrite;
  /** Vendor property -> common field name, for error messages. */
  fieldOf(prop: string): string;
  /** Common fields accepted on create / update with their required flags. */
  writable(op: 'create' | 'update'): { field: string; required: boolean }[];
  /** Common relation field -> parent vendor type read from the parent side for relation filters. */
  relationParents: Readonly<Record<string, string>>;
  /**
   * Search filters (ANDed; alternatives ORed as separate groups) that pre-select records for
   * `filters` on this source; every filter is checked again on the mapped record.
   * Returns null when nothing can match.
   */
  serverFilters(source: SourceSpec, filters: ListFilters, stages: PipelineStage[]): SearchFilter[][] | null;
  /** Related records to read for a page (vendor type -> ids) after associations are known. */
  relatedToRead?(ctx: MapContext, ids: string[]): { type: string; ids: string[] }[];
  /** Extra candidate ids for filters the vendor cannot express on the object itself (leads by their contact's email). */
  candidates?(api: import('../api').HubspotApi, filters: ListFilters): Promise<string[] | undefined>;
}
