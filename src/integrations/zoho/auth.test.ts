import { describe, expect, it } from 'vitest';
import { zohoAuth, isZohoAccountsServer } from './auth';

describe('zoho auth settings', () => {
  it('Link callback: trusts only its own accounts servers', () => {
    expect(zohoAuth.authBaseUrlFromCallback!({ 'accounts-server': 'https://accounts.zoho.eu' })).toBe('https://accounts.zoho.eu');
    expect(zohoAuth.authBaseUrlFromCallback!({ 'accounts-server': 'https://evil.example' })).toBeUndefined();
    expect(zohoAuth.authBaseUrlFromCallback!({})).toBeUndefined();
  });

  it('endpoints: real vendor, data-centre accounts server, emulator', () => {
    expect(zohoAuth.endpoints({})).toEqual({
      authorizeUrl: 'https://accounts.zoho.com/oauth/v2/auth',
      tokenUrl: 'https://accounts.zoho.com/oauth/v2/token',
      revokeUrl: 'https://accounts.zoho.com/oauth/v2/token/revoke',
      apiBaseUrl: 'https://www.zohoapis.com',
    });
    expect(zohoAuth.endpoints({ authBaseUrl: 'https://accounts.zoho.eu' }).tokenUrl).toBe('https://accounts.zoho.eu/oauth/v2/token');
    expect(() => zohoAuth.endpoints({ authBaseUrl: 'https://evil.example.com' })).toThrow(/not a Zoho accounts server/);
    expect(() => zohoAuth.endpoints({ authBaseUrl: 'http://accounts.zoho.com' })).toThrow();
    const sb = zohoAuth.endpoints({ sandboxBaseUrl: 'http://localhost:3000/sandbox/zoho/' });
    expect(sb).toEqual({
      authorizeUrl: 'http://localhost:3000/sandbox/zoho/oauth/v2/auth',
      tokenUrl: 'http://localhost:3000/sandbox/zoho/oauth/v2/token',
      revokeUrl: 'http://localhost:3000/sandbox/zoho/oauth/v2/token/revoke',
      apiBaseUrl: 'http://localhost:3000/sandbox/zoho',
    });
    expect(isZohoAccountsServer('https://accounts.zohocloud.ca')).toBe(true);
    expect(isZohoAccountsServer('https://accounts.zoho.com.evil.io')).toBe(false);
  });

  it('authorize settings and header', () => {
    expect(zohoAuth.scopeSeparator).toBe(',');
    expect(zohoAuth.supportsPkce).toBe(true);
    expect(zohoAuth.extraAuthorizeParams).toEqual({ access_type: 'offline', prompt: 'consent' });
    expect(zohoAuth.defaultScopes).toContain('ZohoCRM.modules.ALL');
    expect(zohoAuth.authorizationHeader('1000.a.b')).toBe('Zoho-oauthtoken 1000.a.b');
  });

  it('parses a code exchange with api_domain and the accounts-server of the callback', () => {
    const parsed = zohoAuth.parseTokenResponse(
      200,
      { access_token: '1000.a.b', refresh_token: '1000.r.t', api_domain: 'https://www.zohoapis.eu', token_type: 'Bearer', expires_in: 3600, scope: 'ZohoCRM.modules.ALL' },
      { callbackParams: { code: 'x', location: 'eu', 'accounts-server': 'https://accounts.zoho.eu' } },
    );
    expect(parsed).toEqual({
      accessToken: '1000.a.b',
      refreshToken: '1000.r.t',
      expiresInSeconds: 3600,
      apiBaseUrl: 'https://www.zohoapis.eu',
      scopes: 'ZohoCRM.modules.ALL',
      authBaseUrl: 'https://accounts.zoho.eu',
    });
  });

  it('parses a refresh answer without refresh_token; expires_in_sec wins', () => {
    const parsed = zohoAuth.parseTokenResponse(200, { access_token: 'n', api_domain: 'https://www.zohoapis.com', expires_in: 3600000, expires_in_sec: 3600 }, {});
    expect(parsed).toMatchObject({ accessToken: 'n', expiresInSeconds: 3600, apiBaseUrl: 'https://www.zohoapis.com' });
    expect('refreshToken' in parsed && parsed.refreshToken).toBeFalsy();
  });

  it('token errors: HTTP 200 invalid_code is an invalid grant; others are not', () => {
    expect(zohoAuth.parseTokenResponse(200, { error: 'invalid_code' }, {})).toEqual({ error: 'invalid_code', description: 'invalid_code', invalidGrant: true });
    expect(zohoAuth.parseTokenResponse(400, { error: 'invalid_grant', error_description: 'expired' }, {})).toEqual({ error: 'invalid_grant', description: 'expired', invalidGrant: true });
    expect(zohoAuth.parseTokenResponse(200, { error: 'invalid_client' }, {})).toMatchObject({ invalidGrant: false });
    expect(zohoAuth.parseTokenResponse(502, '<html>bad gateway</html>', {})).toMatchObject({ error: 'http_502', invalidGrant: false });
    expect(zohoAuth.parseTokenResponse(200, '{"error":"invalid_code"}', {})).toMatchObject({ invalidGrant: true });
    expect(zohoAuth.parseTokenResponse(200, {}, {})).toMatchObject({ error: 'invalid_response' });
  });

  it('retry delay on 429', () => {
    expect(zohoAuth.retryDelayMs?.({ status: 429, headers: {}, body: null })).toBe(1000);
    expect(zohoAuth.retryDelayMs?.({ status: 500, headers: {}, body: null })).toBeUndefined();
    const d = zohoAuth.retryDelayMs?.({ status: 429, headers: { 'x-ratelimit-reset': String(Date.now() + 5000) }, body: null });
    expect(d).toBeGreaterThan(4000);
  });
});
