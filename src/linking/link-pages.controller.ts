import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth-context';
import { adapterFor, VENDOR_SLUGS } from '../integrations/registry';
import { logoSvg } from './integrations';
import { errorPage, type PickerOption, pickerPage, popupErrorScript, type RenderedPage, successPage } from './link-page';
import { LinkPageError, LinkService, type ReturnTarget } from './link.service';

type Q = Record<string, string | undefined>;

// Reference documentation of the pages (they answer HTML or redirects, never JSON).
const html = (status: number, description: string) => ApiResponse({ status, description, content: { 'text/html': { schema: { type: 'string' } } } });
const redirect = (description: string) =>
  ApiResponse({ status: 302, description, headers: { Location: { description: 'Where the browser goes next.', schema: { type: 'string', format: 'uri' } } } });
const q = (name: string, description: string, extra: Record<string, unknown> = {}) => ApiQuery({ name, required: false, description, type: String, ...extra });
const pageErrors = [
  html(400, 'Error page: a bad choice, a return address outside the allowlist, or an invalid, used or expired sign-in state.'),
  html(404, 'Error page: unknown link token.'),
  html(410, 'Error page: the link token expired.'),
  html(502, 'Error page: the CRM refused or failed the authorization.'),
];
const returnParams = [
  q('mode', 'popup: the result is posted to `origin` with window.opener.postMessage; omitted: full page.', { enum: ['popup'] }),
  q('redirect_url', 'Full-page flow: where the browser returns with `public_token` and `integration` (must be in the link settings allowlist).'),
  q('origin', 'Popup flow: the origin the result is posted to (must be in the link settings allowlist).'),
];

const TITLES: Record<LinkPageError['kind'], string> = {
  invalid_link: 'Link not valid',
  expired_link: 'Link expired',
  invalid_state: 'Sign-in not verified',
  used_state: 'Sign-in already used',
  expired_state: 'Sign-in expired',
  denied: 'Access not granted',
  vendor_error: 'Your CRM reported a problem',
  not_allowed: 'Return address not allowed',
  unavailable: 'CRM not available',
};

/**
 * The hosted Link flow (no API key: the link token is the credential):
 *   GET /link?link_token=…[&mode=popup&origin=…|&redirect_url=…]   picker (or straight to the preselected vendor)
 *   GET /link/start?link_token=…&integration=…                      creates the OAuth state, 302 to the vendor
 *   GET /link/oauth/callback?code=…&state=…                         the vendor's redirect back
 */
/** The shared parameter and error documentation as one decorator each. */
function DocReturnParams(): MethodDecorator {
  return (target, key, descriptor) => {
    for (const d of returnParams) d(target, key, descriptor);
  };
}
function DocPageErrors(): MethodDecorator {
  return (target, key, descriptor) => {
    for (const d of pageErrors) d(target, key, descriptor);
  };
}

@ApiTags('hosted link')
@ApiProduces('text/html')
@Public()
@Controller('link')
export class LinkPagesController {
  constructor(private readonly link: LinkService) {}

  @Get()
  @ApiOperation({ summary: 'The hosted Link page the end user opens: the CRM picker, or straight to the CRM preselected on the link token' })
  @ApiQuery({ name: 'link_token', required: true, type: String, description: 'From POST /link-token (the credential of this page).' })
  @DocReturnParams()
  @q('login_environment', 'Login host for CRMs that have several (e.g. `sandbox` for Salesforce sandbox orgs).')
  @html(200, 'The picker page (no external assets).')
  @redirect("To the CRM's consent screen, when the link token names the integration.")
  @DocPageErrors()
  async page(@Query() q: Q, @Res() reply: FastifyReply): Promise<void> {
    let target: ReturnTarget | undefined;
    try {
      const token = await this.link.openLinkToken(q.link_token);
      target = await this.link.resolveTarget(token.organizationId, { mode: q.mode, redirectUrl: q.redirect_url, origin: q.origin });
      const integrations = await this.link.integrationsFor(token.organizationId);
      if (token.integration) {
        const url = await this.link.start(q.link_token!, token.integration, target, q.login_environment);
        return this.redirect(reply, url);
      }
      const options: PickerOption[] = [];
      for (const info of integrations) {
        const choices = this.link.loginOptions(info.slug);
        if (!choices.length) options.push({ info, href: this.startHref(q, info.slug) });
        for (const c of choices) options.push({ info, href: this.startHref(q, info.slug, c.key), variant: c.label });
      }
      return this.send(reply, 200, pickerPage({ endUserOrganizationName: token.endUserOrganizationName, options }));
    } catch (err) {
      return this.fail(reply, err, q.link_token, target);
    }
  }

  @Get('start')
  @ApiOperation({ summary: "Start the authorization with one CRM: creates the single-use OAuth state and goes to the CRM's consent screen" })
  @ApiQuery({ name: 'link_token', required: true, type: String, description: 'From POST /link-token.' })
  @ApiQuery({ name: 'integration', required: true, enum: [...VENDOR_SLUGS].sort(), description: 'The CRM the end user picked.' })
  @DocReturnParams()
  @q('login_environment', 'Login host for CRMs that have several (e.g. `sandbox` for Salesforce sandbox orgs).')
  @redirect("To the CRM's consent screen.")
  @DocPageErrors()
  async start(@Query() q: Q, @Res() reply: FastifyReply): Promise<void> {
    let target: ReturnTarget | undefined;
    try {
      const token = await this.link.openLinkToken(q.link_token);
      target = await this.link.resolveTarget(token.organizationId, { mode: q.mode, redirectUrl: q.redirect_url, origin: q.origin });
      if (!q.integration || !adapterFor(q.integration)) throw new LinkPageError('unavailable', 400, 'Pick a CRM from the list.', q.link_token, target);
      const url = await this.link.start(q.link_token!, q.integration, target, q.login_environment);
      return this.redirect(reply, url);
    } catch (err) {
      return this.fail(reply, err, q.link_token, target);
    }
  }

  @Get('oauth/callback')
  @ApiOperation({ summary: 'Where the CRM sends the browser back after consent (register PUBLIC_URL/link/oauth/callback in the vendor apps)' })
  @q('code', 'The authorization code.')
  @q('state', 'The state created by /link/start (single use, 10 minutes).')
  @q('error', 'The CRM refused or the user declined (e.g. access_denied).')
  @q('error_description', "The CRM's description of the error.")
  @q('accounts-server', "Zoho: the accounts server of the user's data centre (the token exchange goes there).")
  @redirect('Full-page flow: to the redirect URL with `public_token` and `integration`.')
  @html(200, 'Success page (popup flow: it posts the public token to the opener and closes).')
  @DocPageErrors()
  async callback(@Query() q: Q, @Res() reply: FastifyReply): Promise<void> {
    try {
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(q)) if (typeof v === 'string') params[k] = v;
      const result = await this.link.callback(params);
      if (result.target.mode === 'redirect' && result.target.returnTo) {
        const url = new URL(result.target.returnTo);
        url.searchParams.set('public_token', result.publicToken);
        url.searchParams.set('integration', result.integration.slug);
        return this.redirect(reply, url.toString());
      }
      const popupOrigin = result.target.mode === 'popup' ? (result.target.returnTo ?? undefined) : undefined;
      return this.send(reply, 200, successPage({ integration: result.integration, endUserOrganizationName: result.endUserOrganizationName, popupOrigin, publicToken: popupOrigin ? result.publicToken : undefined }));
    } catch (err) {
      return this.fail(reply, err, undefined, undefined);
    }
  }

  @Get('assets/:file')
  @ApiOperation({ summary: 'Logo of an integration (SVG), used by the Link pages and the integration objects of the API' })
  @ApiParam({ name: 'file', description: '`<integration slug>.svg`', example: 'hubspot.svg' })
  @ApiProduces('image/svg+xml')
  @ApiResponse({ status: 200, description: 'The logo.', content: { 'image/svg+xml': { schema: { type: 'string' } } } })
  @ApiResponse({ status: 404, description: 'No such logo.', content: { 'text/plain': { schema: { type: 'string' } } } })
  logo(@Param('file') file: string, @Res() reply: FastifyReply): void {
    const slug = /^([a-z0-9_-]{1,40})\.svg$/.exec(file)?.[1];
    if (!slug || !adapterFor(slug)) {
      reply.status(404).header('content-type', 'text/plain').send('not found');
      return;
    }
    reply.status(200).header('content-type', 'image/svg+xml').header('cache-control', 'public, max-age=86400').header('x-content-type-options', 'nosniff').send(logoSvg(slug));
  }

  private startHref(q: Q, integration: string, loginEnvironment?: string): string {
    const p = new URLSearchParams({ link_token: q.link_token ?? '', integration });
    if (q.mode) p.set('mode', q.mode);
    if (q.redirect_url) p.set('redirect_url', q.redirect_url);
    if (q.origin) p.set('origin', q.origin);
    if (loginEnvironment) p.set('login_environment', loginEnvironment);
    return `/link/start?${p.toString()}`;
  }

  private retryHref(linkToken: string, target?: ReturnTarget): string {
    const p = new URLSearchParams({ link_token: linkToken });
    if (target?.mode === 'popup') {
      p.set('mode', 'popup');
      if (target.returnTo) p.set('origin', target.returnTo);
    } else if (target?.returnTo) {
      p.set('redirect_url', target.returnTo);
    }
    return `/link?${p.toString()}`;
  }

  private fail(reply: FastifyReply, err: unknown, linkToken: string | undefined, target: ReturnTarget | undefined): void {
    if (!(err instanceof LinkPageError)) {
      const page = errorPage({ title: 'Something went wrong', message: 'Linking could not be completed. Please try again.', retryUrl: linkToken ? this.retryHref(linkToken, target) : undefined });
      return this.send(reply, 500, page);
    }
    const t = err.target ?? target;
    const retryToken = err.retryLinkToken ?? (err.kind === 'invalid_link' || err.kind === 'expired_link' || err.kind === 'not_allowed' ? undefined : linkToken);
    let returnUrl: string | undefined;
    if (t?.mode === 'redirect' && t.returnTo) {
      const u = new URL(t.returnTo);
      u.searchParams.set('error', err.kind);
      returnUrl = u.toString();
    }
    const page = errorPage({ title: TITLES[err.kind], message: err.message, retryUrl: retryToken ? this.retryHref(retryToken, t) : undefined, returnUrl });
    if (t?.mode === 'popup' && t.returnTo) {
      const script = popupErrorScript(t.returnTo, err.kind);
      const nonce = /script-src 'nonce-([^']+)'/.exec(page.headers['content-security-policy']!)?.[1];
      page.html = page.html.replace('</body>', `<script nonce="${nonce}">${script}</script>\n</body>`);
    }
    return this.send(reply, err.status, page);
  }

  private send(reply: FastifyReply, status: number, page: RenderedPage): void {
    reply.status(status).headers(page.headers).send(page.html);
  }

  private redirect(reply: FastifyReply, url: string): void {
    reply.status(302).header('location', url).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send();
  }
}
