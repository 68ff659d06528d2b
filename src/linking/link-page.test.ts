import { describe, expect, it } from 'vitest';
import { errorPage, pickerPage, successPage } from './link-page';
import { originOf, redirectKey } from './link.service';
import { redactUrl } from '../observability/logger';

const info = { name: 'HubSpot (sandbox)', slug: 'hubspot', categories: ['crm'], image: '', square_image: '', color: '#EA580C', is_sandbox: true };

describe('Link pages', () => {
  it('escape user-provided text and carry a strict CSP with a nonce', () => {
    const p = pickerPage({ endUserOrganizationName: '<script>alert(1)</script>', options: [{ info, href: '/link/start?a=1&b=2' }] });
    expect(p.html).not.toContain('<script>alert(1)</script>');
    expect(p.html).toContain('&lt;script&gt;');
    expect(p.html).toContain('href="/link/start?a=1&amp;b=2"');
    expect(p.html).toContain('class="badge">Sandbox<');
    expect(p.html).not.toContain('style="');
    const nonce = /style-src 'nonce-([^']+)'/.exec(p.headers['content-security-policy']!)![1];
    expect(p.html).toContain(`<style nonce="${nonce}">`);
    expect(p.headers['referrer-policy']).toBe('no-referrer');
  });
  it('success in a popup posts only to the given origin; error pages offer retry', () => {
    const s = successPage({ integration: info, endUserOrganizationName: 'Acme', popupOrigin: 'https://app.example', publicToken: 'sbp_x' });
    expect(s.html).toContain('postMessage(msg,target)');
    expect(s.html).toContain('"https://app.example"');
    expect(s.html).not.toContain('"*"');
    const plain = successPage({ integration: info, endUserOrganizationName: 'Acme' });
    expect(plain.html).not.toContain('sbp_');
    const e = errorPage({ title: 'Link expired', message: 'x', retryUrl: '/link?link_token=a' });
    expect(e.html).toContain('id="retry"');
  });
  it('logged URLs of the flow carry no secret', () => {
    const logged = [
      redactUrl('/link?link_token=sbl_secret1&redirect_url=x'),
      redactUrl('/link/start?link_token=sbl_secret1&integration=hubspot'),
      redactUrl('/link/oauth/callback?code=secret2&state=sbs_secret3&accounts-server=x'),
      redactUrl('/api/crm/v1/account-token/sbp_secret4'),
    ].join(' ');
    expect(logged).not.toMatch(/secret/);
    expect(redactUrl('/crm/v1/account-token/regenerate')).toBe('/crm/v1/account-token/regenerate');
  });
  it('allowlist keys: origins and redirect URLs', () => {
    expect(originOf('https://a.example/x?y')).toBe('https://a.example');
    expect(originOf('javascript:alert(1)')).toBeNull();
    expect(originOf('https://u:p@a.example/')).toBeNull();
    expect(redirectKey('https://a.example/done?x=1')).toBe('https://a.example/done');
  });
});
