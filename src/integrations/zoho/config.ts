import { z } from 'zod';
import type { VendorConfiguration } from '../contract';

/** The secret Zoho notification channel tokens are derived from (see webhooks.ts). */
export const ZOHO_WEBHOOK_TOKEN = 'ZOHO_WEBHOOK_TOKEN';

export const zohoConfiguration: VendorConfiguration = {
  clientId: { name: 'ZOHO_CLIENT_ID', doc: 'Zoho API console client id (switches Zoho to the real API).' },
  clientSecret: { name: 'ZOHO_CLIENT_SECRET', doc: 'Zoho API console client secret.' },
  settings: [
    {
      name: ZOHO_WEBHOOK_TOKEN,
      schema: z.string().min(8).max(50).optional(),
      doc: 'Secret (8 to 50 characters) the token of each Zoho notification channel is derived from (bound to the org); incoming Zoho notifications must carry the token of their channel. Sandbox: derived automatically.',
    },
  ],
};
