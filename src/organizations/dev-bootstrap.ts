import type { PrismaService } from '../database/prisma.service';
import type { OrganizationsService } from './organizations.service';

export const DEV_ORG_SETTING = 'dev_organization_id';

export interface DevBootstrapResult {
  created: boolean;
  organizationId: string;
  /** Only when created: the key is shown this once. */
  apiKey?: string;
}

/**
 * First start on the embedded database: a development organization and API key, so that the
 * quick start needs no admin step. Later starts find the setting and create nothing.
 */
export async function ensureDevOrganization(prisma: PrismaService, orgs: OrganizationsService): Promise<DevBootstrapResult> {
  const existing = await prisma.systemSetting.findUnique({ where: { key: DEV_ORG_SETTING } });
  if (existing) return { created: false, organizationId: existing.value };
  const { organization, key } = await orgs.createWithKey('Development', 'development');
  await prisma.systemSetting.create({ data: { key: DEV_ORG_SETTING, value: organization.id } });
  return { created: true, organizationId: organization.id, apiKey: key.key };
}
