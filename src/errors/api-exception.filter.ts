import { ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeForLog, renderError } from './render-error';

/** The one place every error from a Nest handler, guard or pipe becomes our JSON shape. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception; // GraphQL formats its own errors
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendError(exception, request, reply);
  }
}

export function sendError(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const rendered = renderError(exception, String(request.id));
  if (rendered.unexpected) request.log.error({ err: describeForLog(exception) }, 'request failed');
  if (reply.sent) return;
  reply.status(rendered.status).headers(rendered.headers).type('application/json; charset=utf-8').send(rendered.body);
}
