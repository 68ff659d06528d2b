import type { VendorConfiguration } from '../contract';

export const hubspotConfiguration: VendorConfiguration = {
  clientId: { name: 'HUBSPOT_CLIENT_ID', doc: 'HubSpot app client id (switches HubSpot to the real API).' },
  clientSecret: { name: 'HUBSPOT_CLIENT_SECRET', doc: 'HubSpot app client secret.' },
};
