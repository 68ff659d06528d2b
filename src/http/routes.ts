/**
 * Every CRM route is served under both prefixes: Merge SDK users set baseUrl with or without
 * `/api`. The OpenAPI document lists the `/api` form only (see openapi/document.ts).
 */
export const CRM_PREFIXES = ['api/crm/v1', 'crm/v1'];
export const CANONICAL_CRM_PREFIX = '/api/crm/v1';
export const ALIAS_CRM_PREFIX = '/crm/v1';
