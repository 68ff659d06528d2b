import { Readable } from 'node:stream';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from '../../errors/api-exception.filter';
import { INCOMING_PATH_PREFIX } from './incoming.service';

const XML_TYPES = ['text/xml', 'application/xml', 'application/soap+xml'];

/** The exact bytes of an incoming vendor notification (signatures are over them, not over parsed JSON). */
export function rawBodyOf(request: FastifyRequest): Buffer {
  return (request as FastifyRequest & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
}

/**
 * Keeps the raw body of requests to the incoming vendor routes (and only those), and accepts
 * XML bodies (Salesforce outbound messages are SOAP) as text.
 */
@Injectable()
export class IncomingRawBody implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify || typeof fastify.addHook !== 'function') return;
    fastify.addHook('preParsing', async (request, reply, payload) => {
      if (!request.url.startsWith(INCOMING_PATH_PREFIX)) return payload;
      // Buffered before Fastify's own limit applies (it counts what this hook hands on), so checked here too.
      const limit = fastify.initialConfig.bodyLimit ?? 1_048_576;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of payload) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
        size += buf.length;
        // Past the limit the rest is read and dropped, so the sender gets the 413 instead of a reset connection.
        if (size <= limit) chunks.push(buf);
      }
      if (size > limit) {
        // Answered here in the API's error shape (errors thrown by hooks bypass the exception filter).
        sendError(Object.assign(new Error('Request body is too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }), request, reply);
        return reply;
      }
      const raw = Buffer.concat(chunks);
      (request as FastifyRequest & { rawBody?: Buffer }).rawBody = raw;
      const replay = Readable.from([raw]) as Readable & { receivedEncodedLength?: number };
      replay.receivedEncodedLength = raw.length;
      return replay;
    });
    for (const type of XML_TYPES) {
      if (!fastify.hasContentTypeParser(type)) fastify.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));
    }
  }
}
