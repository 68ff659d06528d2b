import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { baseUrlOf, type RouteDeps } from './context';
import { TENANTS, tenantInfo } from './tenant';

/**
 * Zoho Accounts OAuth 2.0 (section C1): /oauth/v2/auth (consent page and its form POST),
 * /oauth/v2/token (authorization_code and refresh_token grants; urlencoded, multipart or query),
 * /oauth/v2/token/revoke. Token errors are HTTP 200 with an `error` field, as Zoho answers them.
 */

type Params = Record<string, string | undefined>;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function paramsOf(request: FastifyRequest): Params {
  const q = (request.query ?? {}) as Params;
  const b = request.body && typeof request.body === 'object' ? (request.body as Params) : {};
  const out: Params = {};
  for (const [k, v] of Object.entries({ ...q, ...b })) out[k] = typeof v === 'string' ? v : v === undefined || v === null ? undefined : String(v);
  return out;
}

const AUTH_FIELDS = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'access_type', 'prompt', 'code_challenge', 'code_challenge_method'] as const;

function errorPage(reply: FastifyReply, message: string): FastifyReply {
  return reply
    .code(400)
    .type('text/html; charset=utf-8')
    .send(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>Zoho Accounts</title></head><body><h1>Invalid request</h1><p id="error">${esc(message)}</p></body></html>`);
}

function checkAuthParams(p: Params): string | undefined {
  if (p.response_type !== 'code') return 'Invalid response_type: only "code" is supported.';
  if (!p.client_id) return 'Invalid Client: client_id is missing.';
  if (!p.redirect_uri || !/^https?:\/\/|^[a-z][a-z0-9+.-]*:/i.test(p.redirect_uri)) return 'Invalid Redirect Uri.';
  if (!p.scope) return 'Invalid OAuth Scope: scope is missing.';
  if (p.code_challenge_method && !['S256', 'plain'].includes(p.code_challenge_method)) return 'Invalid code_challenge_method.';
  return undefined;
}

function redirect(reply: FastifyReply, target: string, params: Record<string, string | undefined>): FastifyReply {
  const url = new URL(target);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return reply.code(302).header('location', url.toString()).send();
}

export function registerOAuthRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { runtime } = deps;
  /** Codes issued with access_type=online get no refresh token. */
  const onlineCodes = new Set<string>();

  app.get('/oauth/v2/auth', async (request, reply) => {
    const p = paramsOf(request);
    const problem = checkAuthParams(p);
    if (problem) return errorPage(reply, problem);
    const hidden = AUTH_FIELDS.filter((k) => p[k] !== undefined)
      .map((k) => `<input type="hidden" name="${k}" value="${esc(p[k] as string)}">`)
      .join('\n      ');
    const tenants = TENANTS.map(
      (t, i) => `<label><input type="radio" name="tenant" value="${esc(t.key)}"${i === 0 ? ' checked' : ''}> ${esc(t.label)}</label><br>`,
    ).join('\n      ');
    const scopes = (p.scope as string).split(/[\s,]+/).filter(Boolean).map((s) => `<li>${esc(s)}</li>`).join('');
    const action = `${deps.prefix()}/oauth/v2/auth`;
    const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Zoho Accounts - Sandbox consent</title>
<style>body{font-family:sans-serif;max-width:560px;margin:40px auto}fieldset{margin:16px 0}button{margin-right:8px;padding:6px 16px}</style></head>
<body>
  <h1>Zoho CRM (sandbox)</h1>
  <p><strong>${esc(p.client_id as string)}</strong> would like to access your Zoho CRM data:</p>
  <ul id="scopes">${scopes}</ul>
  <form method="post" action="${esc(action)}">
    <fieldset><legend>Choose the organization</legend>
      ${tenants}
    </fieldset>
      ${hidden}
    <button id="allow" name="decision" value="allow" type="submit">Allow</button>
    <button id="deny" name="decision" value="deny" type="submit">Deny</button>
  </form>
</body></html>`;
    return reply.code(200).type('text/html; charset=utf-8').send(html);
  });

  app.post('/oauth/v2/auth', async (request, reply) => {
    const p = paramsOf(request);
    const problem = checkAuthParams(p);
    if (problem) return errorPage(reply, problem);
    const base = baseUrlOf(request, deps.prefix());
    const clientId = p.client_id as string;
    const redirectUri = p.redirect_uri as string;
    if (p.decision !== 'allow') {
      return redirect(reply, redirectUri, { error: 'access_denied', state: p.state, location: 'us', 'accounts-server': base });
    }
    const tenant = tenantInfo(p.tenant ?? TENANTS[0].key);
    if (!tenant) return errorPage(reply, 'Unknown organization.');
    const code = runtime.tokens.issueCode({
      grant: { tenantKey: tenant.key, clientId, scope: p.scope as string },
      redirectUri,
      codeChallenge: p.code_challenge,
      codeChallengeMethod: p.code_challenge ? (p.code_challenge_method ?? 'plain') : undefined,
    });
    if (p.access_type === 'online') onlineCodes.add(code);
    return redirect(reply, redirectUri, { state: p.state, code, location: 'us', 'accounts-server': base });
  });

  const tokenError = (reply: FastifyReply, error: string) => reply.code(200).send({ error });

  app.post('/oauth/v2/token', async (request, reply) => {
    const p = paramsOf(request);
    const base = baseUrlOf(request, deps.prefix());
    const clientId = p.client_id;
    const secret = p.client_secret;
    if (!p.grant_type) return tokenError(reply, 'invalid_request');
    if (p.grant_type !== 'authorization_code' && p.grant_type !== 'refresh_token') return tokenError(reply, 'unsupported_grant_type');
    if (!clientId) return tokenError(reply, 'invalid_client');
    // The secret is not known in advance: the first one seen for a client id is the one.
    const known = runtime.clientSecrets.get(clientId);
    if (known !== undefined && secret !== known) return tokenError(reply, 'invalid_client_secret');
    if (p.grant_type === 'authorization_code') {
      if (!p.code) return tokenError(reply, 'invalid_code');
      const online = onlineCodes.delete(p.code);
      const res = runtime.tokens.redeemCode(p.code, { clientId, redirectUri: p.redirect_uri, codeVerifier: p.code_verifier });
      if ('error' in res) {
        if (res.error === 'invalid_client') return tokenError(reply, 'invalid_client');
        if (res.description.includes('redirect_uri')) return tokenError(reply, 'invalid_redirect_uri');
        return tokenError(reply, 'invalid_code');
      }
      if (known === undefined && secret) runtime.clientSecrets.set(clientId, secret);
      const body = runtime.renderTokenResponse(res, base);
      if (online) delete body.refresh_token;
      return reply.code(200).send(body);
    }
    if (!p.refresh_token) return tokenError(reply, 'invalid_code');
    const res = runtime.tokens.refreshTokens(p.refresh_token, clientId);
    if ('error' in res) return tokenError(reply, res.error === 'invalid_client' ? 'invalid_client' : 'invalid_code');
    if (known === undefined && secret) runtime.clientSecrets.set(clientId, secret);
    const body = runtime.renderTokenResponse(res, base);
    delete body.refresh_token;
    return reply.code(200).send(body);
  });

  app.post('/oauth/v2/token/revoke', async (request, reply) => {
    const token = paramsOf(request).token;
    if (!token || !runtime.tokens.revoke(token)) return reply.code(400).send({ error: 'invalid_token' });
    return reply.code(200).send({ status: 'success' });
  });
}
