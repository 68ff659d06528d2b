import type { VendorConfiguration } from '../contract';

export const salesforceConfiguration: VendorConfiguration = {
  clientId: { name: 'SALESFORCE_CLIENT_ID', doc: 'Salesforce connected-app consumer key (setting it switches Salesforce from sandbox to the real API).' },
  clientSecret: { name: 'SALESFORCE_CLIENT_SECRET', doc: 'Salesforce connected-app consumer secret.' },
};
