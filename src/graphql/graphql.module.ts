import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { type DocumentNode, type GraphQLSchema, isObjectType } from 'graphql';
import { CrmModule } from '../crm/crm.module';
import { MODEL_NAMES } from '../models/spec';
import { createContext, type GqlContext } from './context';
import { errorFormatter } from './errors';
import { GraphqlExplorerController } from './explorer';
import { assertCost, depthLimit } from './limits';
import { LinkedAccountResolver } from './linked-accounts.resolver';
import { createModelResolver } from './resolvers';

export const GRAPHQL_PATH = '/graphql';

/**
 * Nest gives every plain field a resolver that reads the property; graphql-jit inlines property
 * reads only for fields without a resolver. Dropping these trivial resolvers (same behaviour: the
 * default resolver reads the property) makes pages of 100 records several times cheaper.
 */
function useDefaultResolvers(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.resolve?.name === 'rootFieldResolver') field.resolve = undefined;
    }
  }
  return schema;
}

/**
 * GraphQL at POST /graphql (Mercurius, Fastify-native), schema built code-first in memory from
 * models/spec.ts. Same auth as REST (the global API-key guard runs on every root field; model
 * fields take X-Account-Token). Depth is limited by a cached validation rule; cost depends on
 * variables (page sizes), so it is checked before execution.
 */
@Module({
  imports: [
    CrmModule,
    GraphQLModule.forRoot<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      path: GRAPHQL_PATH,
      autoSchemaFile: true,
      sortSchema: true,
      // Mercurius's GraphiQL loads from a CDN; the explorer at /graphql/explorer is self-contained.
      graphiql: false,
      // Compile a query to JavaScript (graphql-jit) from its second run: pages of 100 records
      // resolve thousands of fields per request, far faster compiled than interpreted.
      jit: 1,
      context: createContext as never,
      transformSchema: useDefaultResolvers,
      errorFormatter: errorFormatter as never,
      validationRules: [depthLimit()],
      hooks: {
        preExecution: async (schema: GraphQLSchema, document: DocumentNode, context: unknown, variables: Record<string, unknown>) => {
          const body = (context as GqlContext).req?.body as { operationName?: string } | undefined;
          assertCost(schema, document, variables, body?.operationName ?? undefined);
        },
      },
    } as MercuriusDriverConfig),
  ],
  controllers: [GraphqlExplorerController],
  providers: [...MODEL_NAMES.map((m) => createModelResolver(m)), LinkedAccountResolver],
})
export class GraphqlModule {}
