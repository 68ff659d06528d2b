import { Inject } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Args, Context, Field, ID, InputType, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import type { AuthContext } from '../auth/auth-context';
import { ApiValidationPipe } from '../errors/validation.pipe';
import { LinkedAccountGuard } from '../linked-accounts/account-context';
import { LinkedAccountsQuery } from '../linking/dto';
import { LinkedAccountsController } from '../linking/linked-accounts.controller';
import type { GqlContext } from './context';
import { camel, PageInfo } from './types';
import { JsonScalar } from './scalars';

/**
 * Linked-account queries, answered by the very handlers of the REST routes (GET /linked-accounts,
 * GET /account-details) so both surfaces agree; keys are camelCased.
 */

const camelTop = (row: object) => Object.fromEntries(Object.entries(row).map(([k, v]) => [camel(k), v]));

@ObjectType('LinkedAccount', { description: "One of the organization's linked accounts (REST GET /linked-accounts)." })
class LinkedAccountNode {
  @Field(() => ID) id!: string;
  @Field(() => String) category!: string;
  @Field(() => String, { description: 'COMPLETE, INCOMPLETE, RELINK_NEEDED or IDLE.' }) status!: string;
  @Field(() => String, { nullable: true }) statusDetail!: string | null;
  @Field(() => String, { nullable: true }) endUserOriginId!: string | null;
  @Field(() => String, { nullable: true }) endUserOrganizationName!: string | null;
  @Field(() => String, { nullable: true }) endUserEmailAddress!: string | null;
  @Field(() => String) accountType!: string;
  @Field(() => String, { nullable: true }) completedAt!: string | null;
  @Field(() => Boolean) isSandbox!: boolean;
  @Field(() => JsonScalar, { description: 'The integration as REST returns it: name, slug, categories, images, color, passthrough_available, available_model_operations.' })
  integration!: unknown;
}

@ObjectType('LinkedAccountConnection')
class LinkedAccountConnection {
  @Field(() => [LinkedAccountNode]) nodes!: LinkedAccountNode[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@InputType('LinkedAccountFilter')
class LinkedAccountFilter {
  @Field(() => String, { nullable: true }) endUserOriginId?: string;
  @Field(() => String, { nullable: true }) endUserEmailAddress?: string;
  @Field(() => String, { nullable: true }) endUserOrganizationName?: string;
  @Field(() => String, { nullable: true, description: 'Slug or name, e.g. hubspot or "HubSpot".' }) integrationName?: string;
  @Field(() => String, { nullable: true }) status?: string;
  @Field(() => ID, { nullable: true }) id?: string;
}

@ObjectType('AccountDetails', { description: 'The linked account selected by X-Account-Token (REST GET /account-details).' })
class AccountDetails {
  @Field(() => ID) id!: string;
  @Field(() => String) integration!: string;
  @Field(() => String) integrationSlug!: string;
  @Field(() => String) category!: string;
  @Field(() => String, { nullable: true }) endUserOriginId!: string | null;
  @Field(() => String, { nullable: true }) endUserOrganizationName!: string | null;
  @Field(() => String, { nullable: true }) endUserEmailAddress!: string | null;
  @Field(() => String) status!: string;
  @Field(() => String) accountType!: string;
  @Field(() => String, { nullable: true }) completedAt!: string | null;
  @Field(() => Boolean) isSandbox!: boolean;
  @Field(() => String, { nullable: true }) remoteAccountId!: string | null;
}

@Resolver()
export class LinkedAccountResolver {
  private readonly pipe = new ApiValidationPipe();

  constructor(
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(LinkedAccountGuard) private readonly accountGuard: LinkedAccountGuard,
  ) {}

  private controller(): LinkedAccountsController {
    return this.moduleRef.get(LinkedAccountsController, { strict: false });
  }

  @Query(() => LinkedAccountConnection, { description: "The organization's linked accounts (X-Account-Token is not needed)." })
  async linkedAccounts(
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('filter', { type: () => LinkedAccountFilter, nullable: true }) filter: LinkedAccountFilter | null,
    @Context() ctx: GqlContext,
  ): Promise<LinkedAccountConnection> {
    const raw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(filter ?? {})) if (v !== undefined && v !== null) raw[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
    if (first !== null && first !== undefined) raw.page_size = first;
    if (after) raw.cursor = after;
    const query = (await this.pipe.transform(raw, { type: 'query', metatype: LinkedAccountsQuery })) as LinkedAccountsQuery;
    const page = await this.controller().list((ctx.req as unknown as { user: AuthContext }).user, query);
    return {
      nodes: page.results.map((r) => camelTop(r) as unknown as LinkedAccountNode),
      pageInfo: { hasNextPage: page.next !== null, hasPreviousPage: page.previous !== null, startCursor: page.previous ?? null, endCursor: page.next ?? null },
    };
  }

  @Query(() => AccountDetails, { description: 'The linked account selected by X-Account-Token.' })
  async accountDetails(@Context() ctx: GqlContext): Promise<AccountDetails> {
    const account = await ctx.state.linkedAccount(this.accountGuard, ctx);
    return camelTop(await this.controller().details(account)) as unknown as AccountDetails;
  }
}
