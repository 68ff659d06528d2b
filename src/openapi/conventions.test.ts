import { describe, expect, it } from 'vitest';
import { mergeStyleOperationId } from './conventions';

const list = { responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/PaginatedContactList' } } } } } };
const one = { responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/AccountDetails' } } } } } };

describe('Merge-style operation ids', () => {
  it.each([
    ['get', '/api/crm/v1/contacts', list, 'contactsList'],
    ['get', '/api/crm/v1/contacts/{id}', one, 'contactsRetrieve'],
    ['patch', '/api/crm/v1/contacts/{id}', one, 'contactsPartialUpdate'],
    ['delete', '/api/crm/v1/contacts/{id}', {}, 'contactsDestroy'],
    ['get', '/api/crm/v1/account-details', one, 'accountDetailsRetrieve'],
    ['get', '/api/crm/v1/account-token/{public_token}', one, 'accountTokenRetrieve'],
    ['post', '/api/crm/v1/delete-account', one, 'deleteAccountCreate'],
    ['post', '/api/crm/v1/sync-status/resync', one, 'syncStatusResyncCreate'],
    ['get', '/api/crm/v1/async-passthrough/{async_passthrough_receipt_id}', one, 'asyncPassthroughRetrieve'],
    ['put', '/api/crm/v1/link-settings', one, 'linkSettingsUpdate'],
    ['get', '/health', one, 'healthRetrieve'],
  ])('%s %s -> %s', (method, path, op, id) => {
    expect(mergeStyleOperationId(method, path, op)).toBe(id);
  });
});
