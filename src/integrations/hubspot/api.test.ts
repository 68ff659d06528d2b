import { describe, expect, it } from 'vitest';
import { propertyNamesOf, toVendorError } from './api';

describe('HubSpot error answers -> VendorError', () => {
  it('validation: the vendor message verbatim and the common field names', () => {
    const message = 'Property values were not valid: [{"isValid":false,"message":"lots was not a valid number.","error":"INVALID_FLOAT","name":"amount"}]';
    const err = toVendorError({ status: 400, headers: {}, body: { status: 'error', message, category: 'VALIDATION_ERROR', correlationId: 'c' } }, (p) => (p === 'amount' ? 'amount' : `x_${p}`));
    expect(err).toMatchObject({ vendor: 'hubspot', status: 400, vendorCode: 'VALIDATION_ERROR', vendorMessage: message, kind: 'validation', fields: ['amount'] });
  });

  it('property names from errors[].context too', () => {
    expect(propertyNamesOf({ message: 'x', errors: [{ message: 'y', context: { propertyName: ['email'] } }] })).toEqual(['email']);
  });

  it('kinds by status', () => {
    const kind = (status: number, body: unknown = {}) => toVendorError({ status, headers: {}, body }).kind;
    expect(kind(409, { category: 'CONFLICT', message: 'Contact already exists. Existing ID: 1' })).toBe('duplicate');
    expect(kind(404, { category: 'OBJECT_NOT_FOUND', message: 'resource not found' })).toBe('not_found');
    expect(kind(401, { category: 'INVALID_AUTHENTICATION' })).toBe('auth');
    expect(kind(403, { category: 'MISSING_SCOPES' })).toBe('auth');
    expect(kind(503, '<html>')).toBe('unavailable');
    const limited = toVendorError({ status: 429, headers: {}, body: { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', policyName: 'SECONDLY' } });
    expect(limited).toMatchObject({ kind: 'rate_limited', vendorCode: 'RATE_LIMIT', retryAfterSeconds: 1 });
  });
});
