import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { ApiKeysService, type CreatedApiKey } from '../auth/api-keys.service';

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly keys: ApiKeysService,
  ) {}

  async create(name: string): Promise<{ id: string; name: string }> {
    const org = await this.prisma.organization.create({ data: { name } });
    return { id: org.id, name: org.name };
  }

  async createWithKey(name: string, keyName = 'default'): Promise<{ organization: { id: string; name: string }; key: CreatedApiKey }> {
    const organization = await this.create(name);
    const key = await this.keys.create(organization.id, keyName);
    return { organization, key };
  }

  async get(id: string) {
    return this.prisma.organization.findUnique({ where: { id } });
  }
}
