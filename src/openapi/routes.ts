import { type INestApplication, RequestMethod } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger';
import { IS_PUBLIC } from '../auth/auth-context';
import { LinkedAccountGuard } from '../linked-accounts/account-context';

/** One HTTP route as the server really serves it, read from the controllers' metadata. */
export interface ServedRoute {
  method: string;
  /** OpenAPI form: `/api/crm/v1/contacts/{id}`. */
  path: string;
  controller: string;
  handler: string;
  /** No API key (`@Public()`). */
  isPublic: boolean;
  /** Needs X-Account-Token (LinkedAccountGuard on the controller or the handler). */
  needsAccount: boolean;
  /** Left out of the document on purpose (ApiExcludeController / ApiExcludeEndpoint). */
  excluded: boolean;
  /** Routes outside Nest's controllers (GraphQL) state their security requirements and error statuses. */
  security?: Record<string, string[]>[];
  errorStatuses?: string[];
}

const METHODS: Record<number, string> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.DELETE]: 'delete',
  [RequestMethod.OPTIONS]: 'options',
  [RequestMethod.HEAD]: 'head',
  [RequestMethod.ALL]: 'all',
};

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [v === undefined ? '/' : String(v)]);

function joinPath(...parts: string[]): string {
  const joined = '/' + parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/');
  return joined.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * Every route of every controller, so that the document's security, error responses and
 * coverage follow the guards the server actually applies rather than what decorators claim.
 */
export function collectServedRoutes(app: INestApplication): ServedRoute[] {
  const routes: ServedRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!type?.prototype) continue;
      const classPaths = asList(Reflect.getMetadata(PATH_METADATA, type));
      const classGuards: unknown[] = Reflect.getMetadata(GUARDS_METADATA, type) ?? [];
      const classPublic = Reflect.getMetadata(IS_PUBLIC, type) === true;
      const classExcluded = (Reflect.getMetadata(DECORATORS.API_EXCLUDE_CONTROLLER, type) as unknown[] | undefined)?.[0] === true;
      for (const handler of Object.getOwnPropertyNames(type.prototype)) {
        if (handler === 'constructor') continue;
        const fn = Object.getOwnPropertyDescriptor(type.prototype, handler)?.value;
        if (typeof fn !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, fn) as number | undefined;
        if (method === undefined) continue;
        const guards: unknown[] = [...classGuards, ...((Reflect.getMetadata(GUARDS_METADATA, fn) as unknown[] | undefined) ?? [])];
        const excludedEndpoint = (Reflect.getMetadata(DECORATORS.API_EXCLUDE_ENDPOINT, fn) as { disable?: boolean } | undefined)?.disable === true;
        for (const base of classPaths) {
          for (const sub of asList(Reflect.getMetadata(PATH_METADATA, fn))) {
            routes.push({
              method: METHODS[method] ?? 'all',
              path: joinPath(base, sub),
              controller: type.name,
              handler,
              isPublic: classPublic || Reflect.getMetadata(IS_PUBLIC, fn) === true,
              needsAccount: guards.includes(LinkedAccountGuard),
              excluded: classExcluded || excludedEndpoint,
            });
          }
        }
      }
    }
  }
  return routes;
}
