import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error';
import { isHubspotApiHost } from '../integrations/hubspot/auth';
import { isSalesforceApiHost } from '../integrations/salesforce/auth';
import { isZohoApiHost } from '../integrations/zoho/auth';
import { resolveOnBase, validateBaseUrlOverride, validatePassthroughHeaders, validatePassthroughPath } from './url-guard';

function pointerOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    return (err as ApiError).errors[0]?.source?.pointer;
  }
  return undefined;
}

describe('validatePassthroughPath', () => {
  it.each([
    '/services/data/v62.0/sobjects/Account/001000000000001AAA',
    '/crm/v3/objects/contacts?limit=10&properties=email,firstname',
    '/crm/v3/objects/contacts/pat@example.com?idProperty=email',
    '/crm/v8/Leads/search?criteria=(Last_Name:equals:O%27Brien)',
    '/services/data/v62.0/query?q=SELECT+Id+FROM+Account+WHERE+Name+%3D+%27a%2Fb%27',
    '/',
  ])('accepts %s', (path) => {
    const out = validatePassthroughPath(path);
    expect(out.pathname + out.search).toBe(path);
  });

  it.each([
    ['https://evil.example/x', 'absolute URL'],
    ['http://169.254.169.254/latest/meta-data/', 'metadata service'],
    ['HTTPS://EVIL.EXAMPLE', 'upper-case scheme'],
    ['javascript:alert(1)', 'other scheme'],
    ['//evil.example/x', 'scheme-relative'],
    ['/\\evil.example', 'backslash'],
    ['\\\\evil.example\\x', 'UNC backslashes'],
    ['/%2F%2Fevil.example', 'encoded slashes'],
    ['/%2f/evil.example', 'lower-case encoded slash'],
    ['/../hubspot/crm/v3/objects/contacts', 'dot-dot'],
    ['/a/./b', 'dot segment'],
    ['/%2e%2e/x', 'encoded dot-dot'],
    ['/.%2E/x', 'mixed encoded dot-dot'],
    ['/%252e%252e/x', 'double-encoded dot-dot'],
    ['/x%5c..%5cy', 'encoded backslash'],
    ['/x\r\nHost: evil.example', 'CRLF injection'],
    ['/x%0d%0aHost:%20evil', 'encoded CRLF in the path'],
    ['/x?y=%0d%0aSet-Cookie:a', 'encoded CRLF in the query'],
    ['/x\u0000', 'NUL'],
    ['/x y', 'space'],
    ['/x#frag', 'fragment'],
    ['evil.example/x', 'no leading slash'],
    ['@evil.example', 'userinfo trick without slash'],
    ['', 'empty'],
    ['/%zz', 'malformed escape'],
  ])('rejects %s (%s)', (path) => {
    expect(pointerOf(() => validatePassthroughPath(path))).toBe('/body/path');
  });

  it('rejects non-strings and very long paths', () => {
    expect(pointerOf(() => validatePassthroughPath(42))).toBe('/body/path');
    expect(pointerOf(() => validatePassthroughPath(`/${'a'.repeat(5000)}`))).toBe('/body/path');
  });
});

describe('resolveOnBase', () => {
  it('keeps the URL under the base path and origin', () => {
    const url = resolveOnBase('http://127.0.0.1:3000/sandbox/salesforce', validatePassthroughPath('/services/data/v62.0/limits?x=1'));
    expect(url.toString()).toBe('http://127.0.0.1:3000/sandbox/salesforce/services/data/v62.0/limits?x=1');
  });

  it('catches a path that would leave the base even if it got past the path checks', () => {
    expect(pointerOf(() => resolveOnBase('http://127.0.0.1:3000/sandbox/salesforce', { pathname: '/../hubspot', search: '' }))).toBe('/body/path');
  });
});

describe('validateBaseUrlOverride', () => {
  const salesforce = { accountBase: 'https://acme.my.salesforce.com', isSandbox: false, isOwnApiHost: isSalesforceApiHost };
  const sandbox = { accountBase: 'http://127.0.0.1:4000/sandbox/hubspot', isSandbox: true, isOwnApiHost: isHubspotApiHost };

  it('accepts the vendor own hosts and the sandbox emulator base', () => {
    expect(validateBaseUrlOverride('https://other.my.salesforce.com/', salesforce)).toBe('https://other.my.salesforce.com');
    expect(validateBaseUrlOverride('https://na1.salesforce.com', salesforce)).toBe('https://na1.salesforce.com');
    expect(validateBaseUrlOverride('http://127.0.0.1:4000/sandbox/hubspot', sandbox)).toBe('http://127.0.0.1:4000/sandbox/hubspot');
  });

  it.each([
    ['https://salesforce.com.evil.example', salesforce],
    ['https://evil-salesforce.com', salesforce],
    ['https://acme.my.salesforce.com.', salesforce],
    ['http://acme.my.salesforce.com', salesforce],
    ['https://acme.my.salesforce.com:8443', salesforce],
    ['https://user:pw@acme.my.salesforce.com', salesforce],
    ['https://@acme.my.salesforce.com', salesforce],
    ['https://acme.my.salesforce.com@evil.example', salesforce],
    ['https://evil.example#.salesforce.com', salesforce],
    ['https://evil.example\\.salesforce.com', salesforce],
    ['https://169.254.169.254', salesforce],
    ['https://[::1]', salesforce],
    ['https://2130706433', salesforce],
    ['https://acme.my.salesforce.com/?x=1', salesforce],
    ['https://acme.my.salesforce.com/a/%2e%2e/b', salesforce],
    ['not a url', salesforce],
    ['http://127.0.0.1:4000/sandbox/salesforce', sandbox],
    ['http://127.0.0.1:4001/sandbox/hubspot', sandbox],
    ['http://localhost:4000/sandbox/hubspot', sandbox],
    ['https://api.hubapi.com', sandbox],
  ])('rejects %s', (url, allowed) => {
    expect(pointerOf(() => validateBaseUrlOverride(url, allowed))).toBe('/body/base_url_override');
  });
});

describe('vendor API hosts', () => {
  it('knows each vendor’s own hosts and nothing else', () => {
    expect(isHubspotApiHost(new URL('https://api.hubapi.com'))).toBe(true);
    expect(isHubspotApiHost(new URL('https://api.hubapi.com.evil.example'))).toBe(false);
    expect(isZohoApiHost(new URL('https://www.zohoapis.eu'))).toBe(true);
    expect(isZohoApiHost(new URL('https://sandbox.zohoapis.com'))).toBe(true);
    expect(isZohoApiHost(new URL('https://www.zohoapis.evil.example'))).toBe(false);
    expect(isSalesforceApiHost(new URL('https://acme--dev.sandbox.my.salesforce.com'))).toBe(true);
    expect(isSalesforceApiHost(new URL('https://salesforce.com'))).toBe(false);
  });
});

describe('validatePassthroughHeaders', () => {
  it('lower-cases allowed headers', () => {
    expect(validatePassthroughHeaders({ 'Content-Type': 'application/xml', Accept: 'application/xml', 'X-PrettyPrint': 1, 'Sforce-Call-Options': 'client=x' })).toEqual({
      'content-type': 'application/xml',
      accept: 'application/xml',
      'x-prettyprint': '1',
      'sforce-call-options': 'client=x',
    });
  });

  it.each(['Authorization', 'authorization', 'AUTHORIZATION', 'Proxy-Authorization', 'Cookie', 'X-Account-Token', 'Host', 'Content-Length', 'Transfer-Encoding', 'X-Forwarded-Host', 'X-Api-Key', 'X-Auth-Token', 'X-HTTP-Method-Override'])(
    'rejects %s',
    (name) => {
      expect(pointerOf(() => validatePassthroughHeaders({ [name]: 'x' }))).toBe(`/body/headers/${name}`);
    },
  );

  it('rejects header injection and bad names', () => {
    expect(pointerOf(() => validatePassthroughHeaders({ 'X-Note': 'a\r\nAuthorization: Bearer evil' }))).toBe('/body/headers/X-Note');
    expect(pointerOf(() => validatePassthroughHeaders({ 'X Note': 'a' }))).toBe('/body/headers/X Note');
    expect(pointerOf(() => validatePassthroughHeaders({ 'X-Obj': { a: 1 } }))).toBe('/body/headers/X-Obj');
    expect(pointerOf(() => validatePassthroughHeaders({ accept: 'a', Accept: 'b' }))).toBe('/body/headers/Accept');
    expect(pointerOf(() => validatePassthroughHeaders(['a']))).toBe('/body/headers');
  });
});
