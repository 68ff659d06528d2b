import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth-context';
import { PrismaService } from '../database/prisma.service';
import { MetricsService } from '../observability/metrics';

/** Operations endpoints: liveness, readiness (database reachable) and Prometheus metrics. */
@ApiExcludeController()
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly metrics: MetricsService,
  ) {}

  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply) {
    const db = await this.prisma.ping();
    return reply.status(db.ok ? 200 : 503).send({ status: db.ok ? 'ready' : 'unavailable', database: { ok: db.ok, latency_ms: db.latencyMs } });
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metricsText(@Res() reply: FastifyReply) {
    return reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
