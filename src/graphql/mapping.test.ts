import { describe, expect, it } from 'vitest';
import { envelopeToResponse, filterToQuery, graphqlPath, inputToBody, RAW, toNode } from './mapping';

describe('GraphQL <-> REST mapping', () => {
  it('filter inputs become the REST query parameters', () => {
    expect(filterToQuery('Opportunity', { accountId: 'a', status: 'WON', remoteCreatedAfter: '2024-01-01T00:00:00Z', includeDeletedData: true, createdBefore: null })).toEqual({
      account_id: 'a',
      status: 'WON',
      remote_created_after: '2024-01-01T00:00:00Z',
      include_deleted_data: 'true',
    });
    expect(filterToQuery('Contact', { emailAddresses: 'x@y.z', unknown: 'ignored' })).toEqual({ email_addresses: 'x@y.z' });
    expect(filterToQuery('Stage', null)).toEqual({});
  });

  it('mutation inputs become REST bodies (relations by id, sub-objects snake_case, omitted fields absent)', () => {
    expect(
      inputToBody(
        'Engagement',
        { subject: 'Call', accountId: 'acc', contactIds: ['c1', 'c2'], direction: 'INBOUND', startTime: null },
        [{ remoteFieldClass: 'Custom__c', value: 3 }],
      ),
    ).toEqual({
      model: { subject: 'Call', account: 'acc', contacts: ['c1', 'c2'], direction: 'INBOUND', start_time: null },
      remote_fields: [{ remote_field_class: 'Custom__c', value: 3 }],
    });
    expect(inputToBody('Contact', { emailAddresses: [{ emailAddress: 'a@b.c' }], lastName: 'L' }, null)).toEqual({
      model: { last_name: 'L', email_addresses: [{ email_address: 'a@b.c', email_address_type: null }] },
    });
  });

  it('wire records become nodes: camelCase, relation ids as fields, raw relations kept for resolvers', () => {
    const node = toNode('Contact', {
      id: 'c',
      remote_id: 'r',
      first_name: 'Ada',
      account: { id: 'a', name: 'Acme' },
      owner: 'u',
      email_addresses: [{ email_address: 'a@b.c', email_address_type: 'WORK', created_at: 't', modified_at: 't' }],
      remote_was_deleted: false,
    });
    expect(node).toMatchObject({ id: 'c', remoteId: 'r', firstName: 'Ada', accountId: 'a', ownerId: 'u', lastName: null, remoteWasDeleted: false });
    expect(node.emailAddresses).toEqual([{ emailAddress: 'a@b.c', emailAddressType: 'WORK', createdAt: 't', modifiedAt: 't' }]);
    expect(node[RAW]).toEqual({ account: { id: 'a', name: 'Acme' }, owner: 'u' });
    expect(toNode('Engagement', { id: 'e', contacts: ['c1', { id: 'c2' }] }).contactIds).toEqual(['c1', 'c2']);
  });

  it('REST error pointers become GraphQL argument paths', () => {
    expect(graphqlPath(null, '/query/page_size')).toBe('first');
    expect(graphqlPath(null, '/query/cursor')).toBe('after');
    expect(graphqlPath(null, '/query/account_id')).toBe('filter.accountId');
    expect(graphqlPath(null, '/path/id')).toBe('id');
    expect(graphqlPath(null, '/headers/idempotency-key')).toBe('idempotencyKey');
    expect(graphqlPath('Contact', '/model/first_name')).toBe('input.firstName');
    expect(graphqlPath('Contact', '/model/account')).toBe('input.accountId');
    expect(graphqlPath('Engagement', '/model/contacts')).toBe('input.contactIds');
    expect(graphqlPath('Contact', '/model/email_addresses/0/email_address')).toBe('input.emailAddresses.0.emailAddress');
    expect(graphqlPath(null, '/remote_fields/1/remote_field_class')).toBe('remoteFields.1.remoteFieldClass');
  });

  it('write envelopes keep model, warnings, errors and logs with GraphQL pointers', () => {
    const out = envelopeToResponse('Contact', {
      model: null,
      warnings: [{ source: { pointer: '/model/phone_numbers' }, title: 'T', detail: 'D', problem_type: 'UNSUPPORTED_FIELD' }],
      errors: [{ source: { pointer: '/model/last_name' }, title: 'Missing', detail: 'required', problem_type: 'MISSING_REQUIRED_FIELD' }],
      logs: [],
    });
    expect(out).toEqual({
      model: null,
      warnings: [{ source: { pointer: '/input/phoneNumbers' }, title: 'T', detail: 'D', problemType: 'UNSUPPORTED_FIELD' }],
      errors: [{ source: { pointer: '/input/lastName' }, title: 'Missing', detail: 'required', problemType: 'MISSING_REQUIRED_FIELD' }],
      logs: [],
    });
  });
});
