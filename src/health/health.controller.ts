import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth-context';
import { PrismaService } from '../database/prisma.service';
import { MetricsService } from '../observability/metrics';

const READY = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ready', 'unavailable'] },
    database: { type: 'object', properties: { ok: { type: 'boolean' }, latency_ms: { type: 'number', description: 'Round trip of a trivial query.' } }, required: ['ok'] },
  },
  required: ['status', 'database'],
};

/** Operations endpoints: liveness, readiness (database reachable) and Prometheus metrics. */
@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly metrics: MetricsService,
  ) {}

  @Get('health')
  @ApiOperation({ summary: 'Liveness: the process answers (no dependency is checked).' })
  @ApiOkResponse({ description: 'Alive.', schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] }, example: { status: 'ok' } })
  health() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers; 503 while it does not (take the instance out of rotation).' })
  @ApiOkResponse({ description: 'Ready to serve.', schema: READY, example: { status: 'ready', database: { ok: true, latency_ms: 1.2 } } })
  @ApiResponse({ status: 503, description: 'The database does not answer.', schema: READY, example: { status: 'unavailable', database: { ok: false, latency_ms: 5000 } } })
  async ready(@Res() reply: FastifyReply) {
    const db = await this.prisma.ping();
    return reply.status(db.ok ? 200 : 503).send({ status: db.ok ? 'ready' : 'unavailable', database: { ok: db.ok, latency_ms: db.latencyMs } });
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format): HTTP requests, vendor calls, sync, queue, webhooks, process.' })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Metrics in the Prometheus text format.',
    content: { 'text/plain': { schema: { type: 'string' }, example: '# TYPE switchboard_http_requests_total counter\nswitchboard_http_requests_total{method="GET",route="/api/crm/v1/contacts",status="200"} 42\n' } },
  })
  async metricsText(@Res() reply: FastifyReply) {
    return reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
