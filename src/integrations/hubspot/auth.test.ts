import { describe, expect, it } from 'vitest';
import { hubspotAuth, hubspotBudgetDelayMs, hubspotRateWindows, hubspotRetryDelayMs } from './auth';

describe('hubspot auth settings', () => {
  it('points at the real vendor, or at the emulator under its mount point', () => {
    expect(hubspotAuth.endpoints({})).toEqual({
      authorizeUrl: 'https://app.hubspot.com/oauth/authorize',
      tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
      revokeUrl: 'https://api.hubapi.com/oauth/v3/token/revoke',
      apiBaseUrl: 'https://api.hubapi.com',
    });
    expect(hubspotAuth.endpoints({ sandboxBaseUrl: 'http://localhost:3000/sandbox/hubspot/' })).toEqual({
      authorizeUrl: 'http://localhost:3000/sandbox/hubspot/oauth/authorize',
      tokenUrl: 'http://localhost:3000/sandbox/hubspot/oauth/v1/token',
      revokeUrl: 'http://localhost:3000/sandbox/hubspot/oauth/v3/token/revoke',
      apiBaseUrl: 'http://localhost:3000/sandbox/hubspot',
    });
    expect(hubspotAuth.endpoints({ authBaseUrl: 'https://app-eu1.hubspot.com' }).authorizeUrl).toBe('https://app-eu1.hubspot.com/oauth/authorize');
    expect(hubspotAuth.supportsPkce).toBe(true);
    expect(hubspotAuth.scopeSeparator).toBe(' ');
    expect(hubspotAuth.defaultScopes).toContain('crm.objects.contacts.write');
    expect(hubspotAuth.extraAuthorizeParams?.optional_scope).toContain('crm.objects.leads.read');
    expect(hubspotAuth.authorizationHeader('abc')).toBe('Bearer abc');
  });

  it('parses a code-exchange answer', () => {
    const parsed = hubspotAuth.parseTokenResponse(
      200,
      { token_type: 'bearer', refresh_token: 'na1-r', access_token: 'C1', expires_in: 1800, hub_id: 146000101, scopes: ['oauth', 'crm.objects.contacts.read'], token_use: 'access_token' },
      {},
    );
    expect(parsed).toEqual({ accessToken: 'C1', refreshToken: 'na1-r', expiresInSeconds: 1800, scopes: 'oauth crm.objects.contacts.read', remoteAccountId: '146000101' });
  });

  it('keeps the old refresh token when a refresh answer has none, and accepts a JSON string body', () => {
    const parsed = hubspotAuth.parseTokenResponse(200, JSON.stringify({ access_token: 'C2', expires_in: 1800 }), {});
    expect(parsed).toEqual({ accessToken: 'C2', expiresInSeconds: 1800 });
    expect('refreshToken' in parsed).toBe(false);
  });

  it('detects a dead grant, and tells it apart from a client misconfiguration', () => {
    expect(hubspotAuth.parseTokenResponse(400, { status: 'BAD_REFRESH_TOKEN', message: 'missing or invalid refresh token', correlationId: 'x' }, {})).toEqual({
      error: 'BAD_REFRESH_TOKEN',
      description: 'missing or invalid refresh token',
      invalidGrant: true,
    });
    expect(hubspotAuth.parseTokenResponse(400, { status: 'BAD_AUTH_CODE', message: 'missing or unknown auth code' }, {})).toMatchObject({ invalidGrant: true });
    expect(hubspotAuth.parseTokenResponse(400, { error: 'invalid_grant', error_description: 'revoked' }, {})).toEqual({ error: 'invalid_grant', description: 'revoked', invalidGrant: true });
    expect(hubspotAuth.parseTokenResponse(400, { status: 'BAD_CLIENT_SECRET', message: 'missing or invalid client secret' }, {})).toMatchObject({ error: 'BAD_CLIENT_SECRET', invalidGrant: false });
    expect(hubspotAuth.parseTokenResponse(502, '<html>bad gateway</html>', {})).toMatchObject({ error: 'HTTP_502', invalidGrant: false });
    expect(hubspotAuth.parseTokenResponse(500, { status: 'error', category: 'INTERNAL_ERROR', message: 'oops' }, {})).toMatchObject({ error: 'INTERNAL_ERROR', description: 'oops' });
  });

  it('derives the retry delay from the rate-limit policy', () => {
    const res = (body: unknown, headers: Record<string, string> = {}) => ({ status: 429, headers, body });
    expect(hubspotRetryDelayMs(res({ policyName: 'SECONDLY', message: 'You have reached your secondly limit.' }))).toBe(1000);
    expect(hubspotRetryDelayMs(res({ policyName: 'TEN_SECONDLY_ROLLING' }, { 'x-hubspot-ratelimit-interval-milliseconds': '10000' }))).toBe(10_000);
    expect(hubspotRetryDelayMs(res({ policyName: 'DAILY' }))).toBeGreaterThan(60_000);
    expect(hubspotRetryDelayMs({ status: 500, headers: {}, body: null })).toBeUndefined();
  });

  it('reads the rolling windows from the budget headers; a spent window is paced, not paused for a whole interval', () => {
    const ok = (headers: Record<string, string>) => ({ status: 200, headers, body: {} });
    const spent = ok({ 'x-hubspot-ratelimit-max': '110', 'x-hubspot-ratelimit-remaining': '0', 'x-hubspot-ratelimit-interval-milliseconds': '10000' });
    expect(hubspotRateWindows(spent)).toEqual([{ name: 'interval', limit: 110, remaining: 0, windowMs: 10_000 }]);
    // The client's request log decides when the next request goes; a 10 s pause here idled the next window.
    expect(hubspotBudgetDelayMs(spent)).toBeUndefined();
    expect(hubspotBudgetDelayMs(ok({ 'x-hubspot-ratelimit-daily': '250000', 'x-hubspot-ratelimit-daily-remaining': '0' }))).toBeGreaterThan(60_000);
    expect(hubspotRateWindows(ok({ 'x-hubspot-ratelimit-secondly': '10', 'x-hubspot-ratelimit-secondly-remaining': '3' }))).toEqual([{ name: 'secondly', limit: 10, remaining: 3, windowMs: 1_000 }]);
    expect(hubspotRateWindows(ok({ 'x-hubspot-ratelimit-max': 'abc', 'x-hubspot-ratelimit-remaining': '1' }))).toEqual([]);
    expect(hubspotRateWindows(ok({}))).toEqual([]);
    expect(hubspotAuth.rateWindows).toBe(hubspotRateWindows);
  });
});
