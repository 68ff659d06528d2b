import { type DocumentNode, getNamedType, GraphQLError, type GraphQLSchema, isListType, isNonNullType, Kind, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';

/**
 * Deepest selection nesting allowed. The deepest valid selection of today's (acyclic) schema is 7
 * (notes.edges.node.opportunity.account.owner.email); the limit guards against relation cycles
 * that later fields (reverse relations, custom objects) could introduce.
 */
export const MAX_DEPTH = 8;
/**
 * Largest estimated cost: every field costs 1, a connection multiplies its selection by its page
 * size (default 100), a relation list by 10. A page of 100 contacts with a dozen fields, account
 * and owner is about 1,200: the limit allows several such pages in one request.
 */
export const MAX_COST = 10_000;

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

const estimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const named = getNamedType(field.type);
  if (named.name.startsWith('__')) return 0;
  if (named.name.endsWith('Connection')) {
    const size = Number(args.first ?? args.last ?? 100);
    return 1 + childComplexity * (Number.isFinite(size) && size > 0 ? size : 100);
  }
  const type = isNonNullType(field.type) ? field.type.ofType : field.type;
  // Lists other than a connection's own edges/nodes (already counted by its page size).
  if (isListType(type) && !['edges', 'nodes'].includes(field.name) && getNamedType(type).name !== 'JSON') return 1 + childComplexity * 10;
  return 1 + childComplexity;
};

/** The estimated cost of an operation with its variables (see MAX_COST). */
export function costOf(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string): number {
  return getComplexity({ schema, query: document, variables: variables ?? {}, operationName, estimators: [estimator] });
}

export function assertCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string, max = MAX_COST): void {
  const cost = costOf(schema, document, variables, operationName);
  if (cost > max) {
    throw new GraphQLError(`The query is too expensive: estimated cost ${cost}, the limit is ${max}. Ask for smaller pages (first) or fewer nested fields.`, {
      extensions: { code: 'QUERY_TOO_COMPLEX', cost, max_cost: max },
    });
  }
}
