import { MODEL_NAMES, MODELS, type ModelName } from '../../src/models/spec';

/**
 * Every relation filter the common model declares (models/spec.ts), as [model, field], for adapter
 * tests to check against their emulator's data. A lead's conversion targets are left to each test:
 * a seed may hold no converted lead, so those need a fallback id.
 */
export const RELATION_FILTER_CASES: [ModelName, string][] = MODEL_NAMES.flatMap((model) =>
  MODELS[model].filters.flatMap((f): [ModelName, string][] => (f.kind === 'relation' && !f.field.startsWith('converted_') ? [[model, f.field]] : [])),
);
