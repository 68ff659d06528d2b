import type { LinkedAccount } from '../generated/prisma/client';
import { integrationInfo } from '../linking/integrations';

/** The `linked_account` object of a webhook body: the fields GET /account-details answers. */
export function linkedAccountPayload(a: LinkedAccount, publicUrl: string): Record<string, unknown> {
  const info = integrationInfo(a.integration, a.isSandbox, publicUrl);
  return {
    id: a.id,
    integration: info.name,
    integration_slug: a.integration,
    category: 'crm',
    end_user_origin_id: a.endUserOriginId,
    end_user_organization_name: a.endUserOrganizationName,
    end_user_email_address: a.endUserEmailAddress,
    status: a.status,
    webhook_listener_url: `${publicUrl}/webhooks/vendors/${a.integration}`,
    is_duplicate: null,
    account_type: a.isSandbox ? 'SANDBOX' : 'PRODUCTION',
    completed_at: (a.completedAt ?? a.createdAt).toISOString(),
    is_sandbox: a.isSandbox,
    remote_account_id: a.remoteAccountId,
  };
}
