export { zohoAdapter } from './adapter';
export { zohoAuth, isZohoAccountsServer } from './auth';
