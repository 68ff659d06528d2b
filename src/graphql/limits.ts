import { type DocumentNode, getNamedType, GraphQLError, type GraphQLSchema, isListType, isNonNullType, Kind, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import { MODEL_NAMES } from '../models/spec';

/**
 * Deepest selection nesting allowed. The deepest valid selection of today's (acyclic) schema is 7
 * (notes.edges.node.opportunity.account.owner.email); the limit guards against relation cycles
 * that later fields (reverse relations, custom objects) could introduce.
 */
export const MAX_DEPTH = 8;
/**
 * Largest estimated cost, which approximates the records one request can read: each record of a
 * connection counts 1 (times its page size, default 100), each related record 1, a relation list
 * 10; scalar fields and embedded lists (addresses, emails, phones) are free. A page of 100
 * opportunities with account, account owner, owner and stage costs 501.
 */
export const MAX_COST = 3_000;

function depthOf(set: SelectionSetNode, ctx: ValidationContext, depth: number, visiting: Set<string>): number {
  let max = depth;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      // Introspection is bounded by the schema itself; it stays available to explorers and tools.
      if (sel.name.value.startsWith('__')) continue;
      max = Math.max(max, sel.selectionSet ? depthOf(sel.selectionSet, ctx, depth + 1, visiting) : depth + 1);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(sel.selectionSet, ctx, depth, visiting));
    } else {
      const name = sel.name.value;
      const fragment = ctx.getFragment(name);
      if (!fragment || visiting.has(name)) continue; // cycles are reported by the standard rules
      visiting.add(name);
      max = Math.max(max, depthOf(fragment.selectionSet, ctx, depth, visiting));
      visiting.delete(name);
    }
  }
  return max;
}

/** A validation rule: operations nested deeper than `max` fields fail with QUERY_TOO_DEEP. */
export function depthLimit(max = MAX_DEPTH): ValidationRule {
  return (ctx) => ({
    OperationDefinition(node) {
      const depth = depthOf(node.selectionSet, ctx, 0, new Set());
      if (depth > max) {
        ctx.reportError(
          new GraphQLError(`The query is too deep: it nests ${depth} levels, the limit is ${max}.`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_DEEP', depth, max_depth: max },
          }),
        );
      }
    },
  });
}

const MODEL_TYPES = new Set<string>(MODEL_NAMES);

const estimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const named = getNamedType(field.type);
  if (named.name.startsWith('__')) return 0;
  if (named.name.endsWith('Connection')) {
    const size = Number(args.first ?? args.last ?? 100);
    return 1 + (Number.isFinite(size) && size > 0 ? size : 100) * (1 + childComplexity);
  }
  // edges / nodes / node: the records are counted by their connection.
  if (['edges', 'nodes', 'node'].includes(field.name)) return childComplexity;
  if (!MODEL_TYPES.has(named.name)) return childComplexity;
  const type = isNonNullType(field.type) ? field.type.ofType : field.type;
  return (isListType(type) ? 10 : 1) * (1 + childComplexity);
};

/** The estimated cost of an operation with its variables (see MAX_COST). */
export function costOf(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string): number {
  return getComplexity({ schema, query: document, variables: variables ?? {}, operationName, estimators: [estimator] });
}

/** Mercurius reuses the parsed document of a repeated query: its cost is computed once per variables. */
const costCache = new WeakMap<DocumentNode, Map<string, number>>();

export function assertCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string, max = MAX_COST): void {
  let byVariables = costCache.get(document);
  if (!byVariables) costCache.set(document, (byVariables = new Map()));
  const key = `${operationName ?? ''}\u0000${JSON.stringify(variables ?? {})}`;
  let cost = byVariables.get(key);
  if (cost === undefined) {
    cost = costOf(schema, document, variables, operationName);
    if (byVariables.size < 100) byVariables.set(key, cost);
  }
  if (cost > max) {
    throw new GraphQLError(`The query is too expensive: estimated cost ${cost}, the limit is ${max}. Ask for smaller pages (first) or fewer nested fields.`, {
      extensions: { code: 'QUERY_TOO_COMPLEX', cost, max_cost: max },
    });
  }
}
