import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidSession, notFound, renderInjectedFault, sendError } from '../errors';
import { type SalesforceRuntime, unlimitedReportedMax } from '../runtime';
import type { SalesforceOrg } from '../store';

/** Per-request state of an authenticated REST call. */
export interface SfContext {
  org: SalesforceOrg;
  /** API version without the "v", e.g. "62.0". */
  version: string;
}

const contexts = new WeakMap<FastifyRequest, SfContext>();

export function ctx(request: FastifyRequest): SfContext {
  const c = contexts.get(request);
  if (!c) throw new Error('no Salesforce context on this request');
  return c;
}

/** Base URL of the emulator as the client reached it (protocol + Host + mount prefix). */
export function baseUrl(request: FastifyRequest, app: FastifyInstance): string {
  return `${request.protocol}://${request.headers.host ?? '127.0.0.1'}${app.prefix ?? ''}`;
}

export const MIN_VERSION = 50;
export const MAX_VERSION = 66;

/** "v62.0" -> "62.0", or null when the version is not served. */
export function parseVersion(v: string | undefined): string | null {
  const m = /^v(\d{2})\.0$/.exec(v ?? '');
  if (!m) return null;
  const n = Number(m[1]);
  return n >= MIN_VERSION && n <= MAX_VERSION ? `${n}.0` : null;
}

/**
 * onRequest hook of the REST API: injected faults, then the session check, then the daily API
 * budget (403 REQUEST_LIMIT_EXCEEDED) and the Sforce-Limit-Info header.
 */
export function apiHook(runtime: SalesforceRuntime) {
  return async function sfApiHook(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const forced = runtime.forcedFaults;
    if (forced && forced.remaining > 0) {
      forced.remaining--;
      if (forced.remaining === 0) runtime.forcedFaults = null;
      runtime.faults.injected.errors++;
      return renderInjectedFault(forced.status, reply);
    }
    if (runtime.faults.active && (await runtime.faults.apply(request, reply, renderInjectedFault))) return reply;
    const version = parseVersion((request.params as { version?: string }).version);
    if (!version) return notFound(reply);
    const auth = request.headers.authorization;
    const m = auth ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(auth) : null;
    if (!m) return invalidSession(reply);
    const check = runtime.tokens.checkAccess(m[1].trim());
    if (check.status !== 'valid') return invalidSession(reply);
    const org = runtime.orgs.get(check.grant.tenantKey);
    if (!org) return invalidSession(reply);
    runtime.apiRequests++;
    const budget = runtime.budget(org.tenant.key);
    const state = budget.consume();
    const limit = budget.enabled ? state.limit : unlimitedReportedMax(state.used);
    reply.header('sforce-limit-info', `api-usage=${state.used}/${limit}`);
    if (!state.allowed) return sendError(reply, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    contexts.set(request, { org, version });
    return undefined;
  };
}
