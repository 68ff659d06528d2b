import { describe, expect, it } from 'vitest';
import type { RemoteRecord } from '../contract';
import { compareIds, matches } from './filters';
import { countryCode, countryName, iso } from './mappers/common';

const record = (fields: RemoteRecord['fields'], extra: Partial<RemoteRecord> = {}): RemoteRecord => ({
  model: 'Account',
  remoteId: '110000000001',
  fields,
  remoteCreatedAt: '2024-01-01T00:00:00.000Z',
  remoteUpdatedAt: '2024-02-01T00:00:00.000Z',
  remoteWasDeleted: false,
  remoteData: [],
  remoteFields: [],
  ...extra,
});

describe('client-side filter check', () => {
  it('strings: Account name contains, User email exact, both case-insensitive', () => {
    expect(matches('Account', record({ name: 'Acme Industries' }), { strings: { name: 'me ind' } })).toBe(true);
    expect(matches('Account', record({ name: 'Acme' }), { strings: { name: 'globex' } })).toBe(false);
    expect(matches('User', record({ email: 'A@x.example' }, { model: 'User' }), { strings: { email: 'a@x.example' } })).toBe(true);
    expect(matches('User', record({ email: 'a@x.example.org' }, { model: 'User' }), { strings: { email: 'a@x.example' } })).toBe(false);
  });

  it('ranges are exclusive, deleted records only with includeDeleted, phones by digits', () => {
    const r = record({ phone_numbers: [{ phone_number: '+1 (415) 555-0100', phone_number_type: 'WORK' }] });
    expect(matches('Account', r, { modifiedAfter: new Date('2024-02-01T00:00:00.000Z') })).toBe(false);
    expect(matches('Account', r, { modifiedAfter: new Date('2024-01-31T23:59:59.999Z') })).toBe(true);
    expect(matches('Account', r, { phone: '+14155550100' })).toBe(true);
    expect(matches('Account', { ...r, remoteWasDeleted: true }, {})).toBe(false);
    expect(matches('Account', { ...r, remoteWasDeleted: true }, { includeDeleted: true })).toBe(true);
  });

  it('relations match single refs and lists', () => {
    expect(matches('Engagement', record({ contacts: [{ model: 'Contact', remoteId: '7' }] }), { relations: { contacts: '7' } })).toBe(true);
    expect(matches('Note', record({ account: null }), { relations: { account: '7' } })).toBe(false);
  });

  it('orders numeric ids numerically', () => {
    expect(['10', '9', '100'].sort(compareIds)).toEqual(['9', '10', '100']);
  });
});

describe('conversions', () => {
  it('countries: names to alpha-2 and back, unknown values as is', () => {
    expect(countryCode('United States')).toBe('US');
    expect(countryCode('Germany')).toBe('DE');
    expect(countryCode('de')).toBe('DE');
    expect(countryCode('France')).toBe('FR');
    expect(countryCode('United Kingdom')).toBe('GB');
    expect(countryCode('Myanmar (Burma)')).toBe('MM');
    expect(countryCode('Atlantis')).toBe('Atlantis');
    expect(countryName('DE')).toBe('Germany');
    expect(countryName('Atlantis')).toBe('Atlantis');
  });

  it('datetimes: ISO or epoch ms to ISO UTC', () => {
    expect(iso('1704067200000')).toBe('2024-01-01T00:00:00.000Z');
    expect(iso('2024-01-01T01:00:00+01:00')).toBe('2024-01-01T00:00:00.000Z');
    expect(iso('')).toBeNull();
  });
});
