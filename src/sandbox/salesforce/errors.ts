import type { FastifyReply } from 'fastify';
import type { InjectedStatus } from '../common/faults';

/** Salesforce REST errors: always a JSON array of {message, errorCode[, fields]}. */

export interface SfError {
  message: string;
  errorCode: string;
  fields?: string[];
  [extra: string]: unknown;
}

export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

export function sendErrors(reply: FastifyReply, status: number, errors: SfError[]): FastifyReply {
  return reply.code(status).header('content-type', JSON_CONTENT_TYPE).send(JSON.stringify(errors));
}

export function sendError(reply: FastifyReply, status: number, errorCode: string, message: string, fields?: string[]): FastifyReply {
  return sendErrors(reply, status, [fields ? { message, errorCode, fields } : { message, errorCode }]);
}

export const notFound = (reply: FastifyReply) => sendError(reply, 404, 'NOT_FOUND', 'The requested resource does not exist');
export const invalidSession = (reply: FastifyReply) =>
  sendError(reply.header('www-authenticate', 'Token'), 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
export const entityDeleted = (reply: FastifyReply) => sendError(reply, 404, 'ENTITY_IS_DELETED', 'entity is deleted');

/** A write-validation failure carried to the route. */
export class SfWriteError extends Error {
  constructor(
    readonly status: number,
    readonly errors: SfError[],
  ) {
    super(errors[0]?.message ?? 'error');
  }
}

export function writeError(errorCode: string, message: string, fields: string[] = [], status = 400): SfWriteError {
  return new SfWriteError(status, [{ message, errorCode, fields }]);
}

/** Injected faults as Salesforce's edge and API servers answer them. */
export function renderInjectedFault(status: InjectedStatus, reply: FastifyReply): FastifyReply {
  switch (status) {
    case 429:
      return sendError(reply, 429, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.');
    case 500:
      return sendError(reply, 500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support: 1795326542-98431 (-1183474617)');
    case 502:
      return reply
        .code(502)
        .header('content-type', 'text/html')
        .send('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>');
    case 503:
      return sendError(reply, 503, 'SERVER_UNAVAILABLE', 'Server is temporarily unavailable. Please try again later.');
  }
}
