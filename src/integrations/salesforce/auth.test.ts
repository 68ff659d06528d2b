import { describe, expect, it } from 'vitest';
import { parseIdentityUrl, parseSalesforceTokenResponse, salesforceAuth, salesforceEndpoints, salesforceRetryDelayMs, to18 } from './auth';

describe('salesforce auth settings', () => {
  it('Link page: offers production and sandbox login hosts', () => {
    expect(salesforceAuth.loginOptions!.map((o) => o.key)).toEqual(['production', 'sandbox']);
  });

  it('names the real login host, a My Domain / test host, and the emulator', () => {
    expect(salesforceEndpoints({})).toEqual({
      authorizeUrl: 'https://login.salesforce.com/services/oauth2/authorize',
      tokenUrl: 'https://login.salesforce.com/services/oauth2/token',
      revokeUrl: 'https://login.salesforce.com/services/oauth2/revoke',
    });
    expect(salesforceEndpoints({ authBaseUrl: 'https://test.salesforce.com/' }).tokenUrl).toBe('https://test.salesforce.com/services/oauth2/token');
    expect(salesforceEndpoints({ sandboxBaseUrl: 'http://localhost:3000/sandbox/salesforce' })).toEqual({
      authorizeUrl: 'http://localhost:3000/sandbox/salesforce/services/oauth2/authorize',
      tokenUrl: 'http://localhost:3000/sandbox/salesforce/services/oauth2/token',
      revokeUrl: 'http://localhost:3000/sandbox/salesforce/services/oauth2/revoke',
      apiBaseUrl: 'http://localhost:3000/sandbox/salesforce',
    });
    expect(salesforceAuth.supportsPkce).toBe(true);
    expect(salesforceAuth.defaultScopes.join(salesforceAuth.scopeSeparator)).toBe('api refresh_token');
    expect(salesforceAuth.authorizationHeader('tok')).toBe('Bearer tok');
  });

  it('parses a code exchange answer: instance_url, org id from the id URL, no expires_in', () => {
    const parsed = parseSalesforceTokenResponse(200, {
      access_token: '00Dx0000000BV7z!AR8AQ',
      refresh_token: '5Aep861',
      signature: 'x',
      scope: 'refresh_token api',
      instance_url: 'https://acme.my.salesforce.com/',
      id: 'https://login.salesforce.com/id/00Dx0000000BV7zEAC/005x00000012Q9PAAU',
      token_type: 'Bearer',
      issued_at: '1278448832702',
    });
    expect(parsed).toEqual({
      accessToken: '00Dx0000000BV7z!AR8AQ',
      refreshToken: '5Aep861',
      expiresInSeconds: null,
      apiBaseUrl: 'https://acme.my.salesforce.com',
      scopes: 'refresh_token api',
      remoteAccountId: '00Dx0000000BV7zEAC',
    });
  });

  it('a refresh answer without refresh_token keeps the old one (undefined)', () => {
    const parsed = parseSalesforceTokenResponse(200, { access_token: 'a', instance_url: 'https://x.my.salesforce.com', id: 'https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA' });
    expect(parsed).toMatchObject({ accessToken: 'a', refreshToken: undefined, remoteAccountId: '00D000000000001AAA' });
  });

  it('errors: invalid_grant is fatal, others are not; a urlencoded answer is read', () => {
    expect(parseSalesforceTokenResponse(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' })).toEqual({
      error: 'invalid_grant',
      description: 'expired access/refresh token',
      invalidGrant: true,
    });
    expect(parseSalesforceTokenResponse(400, { error: 'invalid_client_id', error_description: 'client identifier invalid' })).toMatchObject({ invalidGrant: false, error: 'invalid_client_id' });
    expect(parseSalesforceTokenResponse(502, '<html>bad gateway</html>')).toMatchObject({ error: 'server_error', invalidGrant: false });
    expect(parseSalesforceTokenResponse(200, 'access_token=t&instance_url=https%3A%2F%2Fa.my.salesforce.com')).toMatchObject({ accessToken: 't', apiBaseUrl: 'https://a.my.salesforce.com' });
  });

  it('identity URL and 15 -> 18 ids', () => {
    expect(parseIdentityUrl('http://h/p/id/00D5g0000000001EAA/0055g0000000000AAA')).toEqual({ orgId: '00D5g0000000001EAA', userId: '0055g0000000000AAA' });
    expect(parseIdentityUrl('nope')).toBeUndefined();
    expect(to18('00D5g0000000001')).toBe('00D5g0000000001EAA');
  });

  it('retry hints from the vendor headers', () => {
    expect(salesforceRetryDelayMs({ status: 429, headers: { 'retry-after': '2' }, body: null })).toBe(2000);
    expect(salesforceRetryDelayMs({ status: 403, headers: { 'sforce-limit-info': 'api-usage=15000/15000' }, body: null })).toBe(3_600_000);
    expect(salesforceRetryDelayMs({ status: 429, headers: { 'sforce-limit-info': 'api-usage=10/15000' }, body: null })).toBe(1000);
    expect(salesforceRetryDelayMs({ status: 500, headers: {}, body: null })).toBeUndefined();
  });
});
