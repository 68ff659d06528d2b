import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import type { DocumentNode, GraphQLSchema } from 'graphql';
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
      context: createContext as never,
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
