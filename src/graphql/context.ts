import DataLoader from 'dataloader';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CrmReadService } from '../crm/read.service';
import type { ReadContext } from '../crm/stored-read.service';
import { LinkedAccountGuard } from '../linked-accounts/account-context';
import type { LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import type { ModelName } from '../models/spec';
import { type Node, toNode } from './mapping';

/** Per-request GraphQL state: the linked account (resolved once) and one DataLoader per model. */
export class GraphqlRequestState {
  private account?: Promise<LinkedAccountRecord>;
  private readonly loaders = new Map<ModelName, DataLoader<string, Node | null>>();

  constructor(readonly req: FastifyRequest) {}

  /** X-Read-Mode of the request, for the read services (same header as REST). */
  readContext(): ReadContext {
    return { requestedMode: this.req.headers['x-read-mode'] };
  }

  /** The linked account of X-Account-Token, checked by the same guard as REST (once per request). */
  linkedAccount(guard: LinkedAccountGuard, ctx: GqlContext): Promise<LinkedAccountRecord> {
    this.account ??= guard
      .canActivate({ getType: () => 'graphql', getArgByIndex: () => ctx } as never)
      .then(() => (this.req as unknown as { linkedAccount: LinkedAccountRecord }).linkedAccount);
    return this.account;
  }

  /** Batches every relation lookup of one model in a tick into one getByIds call. */
  loader(model: ModelName, reads: CrmReadService): DataLoader<string, Node | null> {
    let loader = this.loaders.get(model);
    if (!loader) {
      loader = new DataLoader<string, Node | null>(async (ids) => {
        const account = await this.account;
        if (!account) throw new Error('relation resolved before the linked account');
        const found = await reads.getByIds(account, model, [...ids], undefined, this.readContext());
        return ids.map((id) => {
          const wire = found.get(id.toLowerCase());
          return wire ? toNode(model, wire) : null;
        });
      });
      this.loaders.set(model, loader);
    }
    return loader;
  }
}

export interface GqlContext {
  req: FastifyRequest;
  reply: FastifyReply;
  state: GraphqlRequestState;
}

export function createContext(req: FastifyRequest, reply: FastifyReply): GqlContext {
  return { req, reply, state: new GraphqlRequestState(req) };
}
