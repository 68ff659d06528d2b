import type { FastifyReply } from 'fastify';
import type { InjectedStatus } from '../common/faults';

/** Zoho CRM API errors: a top-level {code, details, message, status:"error"} object (section C5). */

export interface ZohoError {
  code: string;
  details: Record<string, unknown>;
  message: string;
  status: 'error';
}

export function zerr(code: string, message: string, details: Record<string, unknown> = {}): ZohoError {
  return { code, details, message, status: 'error' };
}

export const JSON_TYPE = 'application/json;charset=UTF-8';

export function sendError(reply: FastifyReply, httpStatus: number, error: ZohoError): FastifyReply {
  return reply.code(httpStatus).type(JSON_TYPE).send(JSON.stringify(error));
}

export const Errors = {
  authenticationFailure: () => zerr('AUTHENTICATION_FAILURE', 'Authentication failed'),
  invalidToken: () => zerr('INVALID_TOKEN', 'invalid oauth token'),
  scopeMismatch: () => zerr('OAUTH_SCOPE_MISMATCH', 'invalid oauth scope to access this URL'),
  invalidModule: (index = 0) => zerr('INVALID_MODULE', 'the module name given seems to be invalid', { resource_path_index: index }),
  invalidUrl: () => zerr('INVALID_URL_PATTERN', 'Please check if the URL trying to access is a correct one'),
  methodNotAllowed: () => zerr('INVALID_REQUEST_METHOD', 'The http request method type is not a valid one'),
  requiredParam: (param: string) => zerr('REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', { param }),
  invalidParam: (param: string, extra: Record<string, unknown> = {}) => zerr('INVALID_DATA', 'invalid data', { param, ...extra }),
  invalidId: (id: string) => zerr('INVALID_DATA', 'the id given seems to be invalid', { id }),
  tooManyRequests: () => zerr('TOO_MANY_REQUESTS', 'You have made too many requests continuously. Please try again after some time.'),
  internal: () => zerr('INTERNAL_ERROR', 'Internal server error occurred.'),
  pageLimit: () =>
    zerr('DISCRETE_PAGINATION_LIMIT_EXCEEDED', 'The limit of 2000 records via page has been exceeded. Use page_token to fetch more records.', { limit: 2000 }),
  invalidQuery: (reason: string, extra: Record<string, unknown> = {}) => zerr('INVALID_QUERY', 'invalid query formed', { reason, ...extra }),
};

/** Injected faults, rendered the way Zoho's API and its front-end gateway answer. */
export function renderFault(status: InjectedStatus, reply: FastifyReply): FastifyReply {
  if (status === 429) return sendError(reply, 429, Errors.tooManyRequests());
  if (status === 500) return sendError(reply, 500, Errors.internal());
  const title = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
  return reply.code(status).type('text/html').send(`<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center><hr><center>ZGS</center></body></html>`);
}
