import { Readable } from 'node:stream';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
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
    fastify.addHook('preParsing', async (request, _reply, payload) => {
      if (!request.url.startsWith(INCOMING_PATH_PREFIX)) return payload;
      const chunks: Buffer[] = [];
      for await (const chunk of payload) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
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
