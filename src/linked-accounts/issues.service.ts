import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { LinkedAccountIssue } from '../generated/prisma/client';

export type IssueKind = 'REFRESH_FAILED' | (string & {});

/**
 * Problems with a linked account (GET /issues). One ONGOING issue per (account, kind): a repeat
 * only moves last_incident_time; a successful re-link resolves it.
 */
@Injectable()
export class IssuesService {
  constructor(private readonly prisma: PrismaService) {}

  async open(input: { organizationId: string; linkedAccountId: string; kind: IssueKind; description: string; details: string[] }): Promise<LinkedAccountIssue> {
    const now = new Date();
    const existing = await this.prisma.linkedAccountIssue.findFirst({ where: { linkedAccountId: input.linkedAccountId, kind: input.kind, status: 'ONGOING' } });
    if (existing) {
      return this.prisma.linkedAccountIssue.update({ where: { id: existing.id }, data: { lastIncidentTime: now, errorDescription: input.description, errorDetails: input.details } });
    }
    return this.prisma.linkedAccountIssue.create({
      data: {
        organizationId: input.organizationId,
        linkedAccountId: input.linkedAccountId,
        kind: input.kind,
        status: 'ONGOING',
        errorDescription: input.description,
        errorDetails: input.details,
        firstIncidentTime: now,
        lastIncidentTime: now,
      },
    });
  }

  /** Resolves the account's ongoing issues (all kinds, or one). */
  async resolve(linkedAccountId: string, kind?: IssueKind): Promise<number> {
    const r = await this.prisma.linkedAccountIssue.updateMany({ where: { linkedAccountId, status: 'ONGOING', ...(kind ? { kind } : {}) }, data: { status: 'RESOLVED' } });
    return r.count;
  }
}
