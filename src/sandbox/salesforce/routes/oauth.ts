import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SalesforceRuntime } from '../runtime';
import { baseUrl } from './context';

/**
 * The login host (login.salesforce.com / test.salesforce.com): OAuth 2.0 web-server flow with
 * PKCE, the token endpoint (authorization_code, refresh_token), revoke.
 */

type Params = Record<string, string | undefined>;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const PASSED = ['response_type', 'client_id', 'redirect_uri', 'state', 'scope', 'code_challenge', 'code_challenge_method', 'prompt', 'login_hint', 'display'];

function errorPage(reply: FastifyReply, error: string, description: string): FastifyReply {
  return reply
    .code(400)
    .header('content-type', 'text/html;charset=UTF-8')
    .send(`<!DOCTYPE html><html><head><title>Error | Salesforce</title></head><body><h1>OAuth Error</h1><p>We can't authorize you because of an OAuth error.</p><p>error=${esc(error)}</p><p>error_description=${esc(description)}</p></body></html>`);
}

function redirectWith(reply: FastifyReply, redirectUri: string, params: Record<string, string | undefined>): FastifyReply {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return reply.redirect(url.toString(), 302);
}

/** Checks the parameters shared by GET and POST; returns an error reply or null. */
function checkAuthorizeParams(reply: FastifyReply, p: Params): FastifyReply | null {
  if (!p.client_id) return errorPage(reply, 'invalid_client_id', 'client identifier invalid');
  if (!p.redirect_uri) return errorPage(reply, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
  try {
    new URL(p.redirect_uri);
  } catch {
    return errorPage(reply, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
  }
  if (p.response_type !== 'code') {
    return redirectWith(reply, p.redirect_uri, { error: 'unsupported_response_type', error_description: 'response type not supported', state: p.state });
  }
  if (p.code_challenge_method && p.code_challenge_method !== 'S256' && p.code_challenge_method !== 'plain') {
    return redirectWith(reply, p.redirect_uri, { error: 'invalid_request', error_description: 'invalid code_challenge_method', state: p.state });
  }
  return null;
}

function authorizePage(runtime: SalesforceRuntime, p: Params): string {
  const hidden = PASSED.filter((k) => p[k] !== undefined)
    .map((k) => `<input type="hidden" name="${k}" value="${esc(p[k] as string)}">`)
    .join('\n      ');
  const tenants = runtime.tenants
    .map(
      (t, i) =>
        `<label><input type="radio" name="tenant" value="${esc(t.key)}"${i === 0 ? ' checked' : ''}> ${esc(t.label)} <small>(${runtime.org(t.key).orgId})</small></label><br>`,
    )
    .join('\n      ');
  return `<!DOCTYPE html>
<html lang="en">
  <head><meta charset="utf-8"><title>Allow Access? | Salesforce (Switchboard sandbox)</title>
  <style>body{font-family:sans-serif;max-width:34rem;margin:3rem auto;color:#16325c}fieldset{border:1px solid #d8dde6;padding:1rem}button{margin:1rem .5rem 0 0;padding:.5rem 1.5rem}</style></head>
  <body>
    <h1>Allow Access?</h1>
    <p><strong>${esc(p.client_id ?? '')}</strong> is asking to: access and manage your data (${esc(p.scope ?? 'api refresh_token')}).</p>
    <form method="post" action="authorize">
      <fieldset><legend>Sandbox org to connect</legend>
      ${tenants}
      </fieldset>
      ${hidden}
      <button id="allow" name="decision" value="allow" type="submit">Allow</button>
      <button id="deny" name="decision" value="deny" type="submit">Deny</button>
    </form>
  </body>
</html>`;
}

function tokenError(reply: FastifyReply, error: string, description: string, status = 400): FastifyReply {
  return reply.code(status).header('content-type', 'application/json;charset=UTF-8').send({ error, error_description: description });
}

function mapStoreError(reply: FastifyReply, e: { error: string; description: string }): FastifyReply {
  if (e.error === 'invalid_client') return tokenError(reply, 'invalid_client_id', 'client identifier invalid');
  if (e.description === 'redirect_uri mismatch') return tokenError(reply, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
  return tokenError(reply, e.error, e.description);
}

export function registerOAuthRoutes(app: FastifyInstance, runtime: SalesforceRuntime): void {
  app.get('/services/oauth2/authorize', async (request, reply) => {
    const p = request.query as Params;
    const bad = checkAuthorizeParams(reply, p);
    if (bad) return bad;
    return reply.header('content-type', 'text/html;charset=UTF-8').header('cache-control', 'no-store').send(authorizePage(runtime, p));
  });

  app.post('/services/oauth2/authorize', async (request, reply) => {
    const p = { ...(request.query as Params), ...((request.body ?? {}) as Params) };
    const bad = checkAuthorizeParams(reply, p);
    if (bad) return bad;
    const redirectUri = p.redirect_uri as string;
    if (p.decision !== 'allow') {
      return redirectWith(reply, redirectUri, { error: 'access_denied', error_description: 'end-user denied authorization', state: p.state });
    }
    const tenant = p.tenant ?? runtime.tenants[0].key;
    if (!runtime.orgs.has(tenant)) return errorPage(reply, 'invalid_request', `unknown sandbox org ${tenant}`);
    const code = runtime.tokens.issueCode({
      grant: { tenantKey: tenant, clientId: p.client_id as string, scope: p.scope ?? 'api refresh_token' },
      redirectUri,
      codeChallenge: p.code_challenge,
      codeChallengeMethod: p.code_challenge ? (p.code_challenge_method ?? 'S256') : undefined,
    });
    return redirectWith(reply, redirectUri, { code, state: p.state });
  });

  app.post('/services/oauth2/token', async (request, reply) => {
    const p = { ...(request.query as Params), ...((request.body ?? {}) as Params) };
    const clientId = p.client_id;
    const secret = p.client_secret;
    const known = clientId ? runtime.clientSecrets.get(clientId) : undefined;
    if (!clientId) return tokenError(reply, 'invalid_client_id', 'client identifier invalid');
    if (secret !== undefined && known !== undefined && secret !== known) return tokenError(reply, 'invalid_client', 'invalid client credentials');
    const base = baseUrl(request, app);
    if (p.grant_type === 'authorization_code') {
      if (!p.code) return tokenError(reply, 'invalid_grant', 'invalid authorization code');
      if (secret === undefined && !p.code_verifier) return tokenError(reply, 'invalid_client', 'invalid client credentials');
      const issued = runtime.tokens.redeemCode(p.code, { clientId, redirectUri: p.redirect_uri, codeVerifier: p.code_verifier });
      if ('error' in issued) return mapStoreError(reply, issued);
      if (secret !== undefined && known === undefined) runtime.clientSecrets.set(clientId, secret);
      return reply.header('cache-control', 'no-cache,must-revalidate,max-age=0,no-store,private').send(runtime.renderTokenResponse(issued, base));
    }
    if (p.grant_type === 'refresh_token') {
      if (!p.refresh_token) return tokenError(reply, 'invalid_request', 'refresh_token must be provided');
      const issued = runtime.tokens.refreshTokens(p.refresh_token, clientId);
      if ('error' in issued) return mapStoreError(reply, issued);
      if (secret !== undefined && known === undefined) runtime.clientSecrets.set(clientId, secret);
      return reply.header('cache-control', 'no-cache,must-revalidate,max-age=0,no-store,private').send(runtime.renderTokenResponse(issued, base, issued.rotated));
    }
    if (!p.grant_type) return tokenError(reply, 'invalid_request', 'grant type not specified');
    return tokenError(reply, 'unsupported_grant_type', 'grant type not supported');
  });

  const revoke = async (request: FastifyRequest, reply: FastifyReply) => {
    const p = { ...(request.query as Params), ...((request.body ?? {}) as Params) };
    if (!p.token) return tokenError(reply, 'unsupported_token_type', 'unsupported token type');
    if (!runtime.tokens.revoke(p.token)) return tokenError(reply, 'invalid_token', 'invalid token');
    return reply.code(200).send('');
  };
  app.post('/services/oauth2/revoke', revoke);
  app.get('/services/oauth2/revoke', revoke);
}
