export { hubspotAdapter } from './adapter';
export { hubspotAuth, hubspotRetryDelayMs } from './auth';
