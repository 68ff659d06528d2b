export { salesforceAdapter } from './adapter';
export { salesforceAuth, SALESFORCE_API_VERSION } from './auth';
