import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_SCOPES, type HubspotRuntime } from './runtime';
import { TENANTS, tenantByKey } from './store';
import { USER_BASE } from './ids';

/**
 * HubSpot OAuth 2.0: consent page (/oauth/authorize, /oauth/{hubId}/authorize), token endpoint
 * (POST /oauth/v1/token, form), token metadata and refresh-token revocation.
 */

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

type Query = Record<string, string | undefined>;

function oauthError(reply: FastifyReply, status: string, message: string, code = 400) {
  return reply.code(code).type('application/json;charset=utf-8').send({ status, message, correlationId: randomUUID(), requestId: randomUUID() });
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;color:#213343}fieldset{border:1px solid #cbd6e2;border-radius:6px;margin:1rem 0}label{display:block;padding:.3rem 0}button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}#allow{background:#ff7a59;color:#fff;border:0;border-radius:4px}</style>
</head><body>${body}</body></html>`;
}

function authorizePage(q: Query, pinnedHub: number | undefined, action: string): string {
  const tenants = pinnedHub === undefined ? TENANTS : TENANTS.filter((t) => t.hubId === pinnedHub);
  const hidden = ['client_id', 'redirect_uri', 'scope', 'optional_scope', 'state', 'code_challenge', 'code_challenge_method']
    .filter((k) => q[k] !== undefined)
    .map((k) => `<input type="hidden" name="${k}" value="${esc(String(q[k]))}">`)
    .join('');
  const radios = tenants
    .map((t, i) => `<label><input type="radio" name="tenant" value="${esc(t.key)}"${i === 0 ? ' checked' : ''}> ${esc(t.name)} (Hub ID ${t.hubId})</label>`)
    .join('');
  const scopes = (q.scope ?? 'oauth').split(/[\s+,]+/).filter(Boolean).map((s) => `<li>${esc(s)}</li>`).join('');
  return page(
    'Choose an account | HubSpot (sandbox)',
    `<h1>Connect app to HubSpot</h1><p>App <strong>${esc(q.client_id ?? '')}</strong> is requesting access to:</p><ul>${scopes}</ul>
<form method="post" action="${esc(action)}">${hidden}<fieldset><legend>Choose an account</legend>${radios}</fieldset>
<button id="allow" name="decision" value="allow" type="submit">Allow</button><button id="deny" name="decision" value="deny" type="submit">Deny</button></form>`,
  );
}

function redirectWith(uri: string, params: Record<string, string | undefined>): string {
  const u = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

export function registerOAuthRoutes(app: FastifyInstance, runtime: HubspotRuntime): void {
  const showPage = async (request: FastifyRequest<{ Querystring: Query; Params: { hubId?: string } }>, reply: FastifyReply) => {
    const q = request.query;
    const pinned = request.params.hubId !== undefined ? Number(request.params.hubId) : undefined;
    const problems: string[] = [];
    if (!q.client_id) problems.push('client_id is required');
    if (!q.redirect_uri) problems.push('redirect_uri is required');
    else if (!URL.canParse(q.redirect_uri)) problems.push('redirect_uri is not a valid URL');
    if (pinned !== undefined && !TENANTS.some((t) => t.hubId === pinned)) problems.push(`unknown hub id ${request.params.hubId}`);
    if (problems.length) return reply.code(400).type('text/html; charset=utf-8').send(page('Authorization error', `<h1>Authorization error</h1><p>${problems.map(esc).join('<br>')}</p>`));
    // request.url already carries the mount prefix: post the form back to the same path.
    return reply.type('text/html; charset=utf-8').send(authorizePage(q, pinned, request.url.split('?')[0]));
  };
  const decide = async (request: FastifyRequest<{ Body: Query; Params: { hubId?: string } }>, reply: FastifyReply) => {
    const b = (request.body ?? {}) as Query;
    if (!b.client_id || !b.redirect_uri || !URL.canParse(b.redirect_uri)) {
      return reply.code(400).type('text/html; charset=utf-8').send(page('Authorization error', '<h1>Authorization error</h1><p>client_id and a valid redirect_uri are required</p>'));
    }
    if (b.decision !== 'allow') {
      return reply.redirect(redirectWith(b.redirect_uri, { error: 'access_denied', error_description: 'The user denied the authorization request.', state: b.state }), 302);
    }
    const tenant = tenantByKey(b.tenant ?? '') ?? (request.params.hubId ? tenantByKey(request.params.hubId) : undefined);
    if (!tenant) return reply.code(400).type('text/html; charset=utf-8').send(page('Authorization error', '<h1>Authorization error</h1><p>choose an account</p>'));
    const code = runtime.tokens.issueCode({
      grant: { tenantKey: tenant.key, clientId: b.client_id, scope: b.scope ?? DEFAULT_SCOPES.join(' ') },
      redirectUri: b.redirect_uri,
      codeChallenge: b.code_challenge,
      codeChallengeMethod: b.code_challenge_method ?? (b.code_challenge ? 'S256' : undefined),
    });
    return reply.redirect(redirectWith(b.redirect_uri, { code, state: b.state }), 302);
  };
  app.get('/oauth/authorize', showPage);
  app.get('/oauth/:hubId/authorize', showPage);
  app.post('/oauth/authorize', decide);
  app.post('/oauth/:hubId/authorize', decide);

  app.post('/oauth/v1/token', async (request, reply) => {
    const b = (request.body ?? {}) as Query;
    const clientId = b.client_id;
    if (!clientId) return oauthError(reply, 'BAD_CLIENT_ID', 'missing or invalid client id');
    if (!b.client_secret) return oauthError(reply, 'BAD_CLIENT_SECRET', 'missing or invalid client secret');
    const known = runtime.clientSecrets.get(clientId);
    if (known !== undefined && known !== b.client_secret) return oauthError(reply, 'BAD_CLIENT_SECRET', 'missing or invalid client secret');
    let issued;
    if (b.grant_type === 'authorization_code') {
      if (!b.code) return oauthError(reply, 'BAD_AUTH_CODE', 'missing or unknown auth code');
      const r = runtime.tokens.redeemCode(b.code, { clientId, redirectUri: b.redirect_uri, codeVerifier: b.code_verifier });
      if ('error' in r) {
        if (r.description.includes('redirect_uri')) return oauthError(reply, 'BAD_REDIRECT_URI', 'redirect_uri does not match initial redirect_uri');
        if (r.error === 'invalid_client') return oauthError(reply, 'BAD_CLIENT_ID', 'missing or invalid client id');
        if (r.description.includes('verifier')) return oauthError(reply, 'BAD_CODE_VERIFIER', 'missing or invalid code_verifier');
        return oauthError(reply, 'BAD_AUTH_CODE', 'missing or unknown auth code');
      }
      issued = r;
    } else if (b.grant_type === 'refresh_token') {
      if (!b.refresh_token) return oauthError(reply, 'BAD_REFRESH_TOKEN', 'missing or invalid refresh token');
      const r = runtime.tokens.refreshTokens(b.refresh_token, clientId);
      if ('error' in r) {
        if (r.error === 'invalid_client') return oauthError(reply, 'BAD_CLIENT_ID', 'missing or invalid client id');
        return oauthError(reply, 'BAD_REFRESH_TOKEN', 'missing or invalid refresh token');
      }
      issued = r;
    } else {
      return oauthError(reply, 'BAD_GRANT_TYPE', `unsupported grant_type: ${b.grant_type ?? '(missing)'}`);
    }
    if (known === undefined) runtime.clientSecrets.set(clientId, b.client_secret);
    return reply.header('cache-control', 'no-store').send(runtime.renderTokenResponse(issued));
  });

  app.get('/oauth/v1/access-tokens/:token', async (request: FastifyRequest<{ Params: { token: string } }>, reply) => {
    const token = request.params.token;
    const check = runtime.tokens.checkAccess(token);
    if (check.status !== 'valid') return oauthError(reply, 'EXPIRED_ACCESS_TOKEN', 'The access token is expired or invalid', 404);
    const tenant = tenantByKey(check.grant.tenantKey) ?? TENANTS[0];
    const portal = runtime.portal(tenant.key);
    return {
      token,
      user: portal.owners[0]?.email ?? 'sandbox@example.com',
      hub_domain: tenant.domain,
      scopes: check.grant.scope.split(/[\s,]+/).filter(Boolean),
      scope_to_scope_group_pks: [],
      trial_scopes: [],
      trial_scope_to_scope_group_pks: [],
      hub_id: tenant.hubId,
      app_id: 4_100_001,
      expires_in: Math.max(0, Math.floor((check.expiresAt - Date.now()) / 1000)),
      user_id: USER_BASE,
      token_type: 'access',
    };
  });

  const refreshMeta = (token: string) => {
    const info = runtime.refreshInfo.get(token);
    return info && !info.revoked ? info : undefined;
  };
  app.get('/oauth/v1/refresh-tokens/:token', async (request: FastifyRequest<{ Params: { token: string } }>, reply) => {
    const info = refreshMeta(request.params.token);
    if (!info) return oauthError(reply, 'BAD_REFRESH_TOKEN', 'missing or invalid refresh token', 404);
    const tenant = tenantByKey(info.grant.tenantKey) ?? TENANTS[0];
    return {
      token: request.params.token,
      user: runtime.portal(tenant.key).owners[0]?.email ?? 'sandbox@example.com',
      hub_domain: tenant.domain,
      scopes: info.grant.scope.split(/[\s,]+/).filter(Boolean),
      hub_id: tenant.hubId,
      client_id: info.grant.clientId,
      user_id: USER_BASE,
      token_type: 'refresh',
    };
  });
  app.delete('/oauth/v1/refresh-tokens/:token', async (request: FastifyRequest<{ Params: { token: string } }>, reply) => {
    const info = refreshMeta(request.params.token);
    if (!info) return oauthError(reply, 'BAD_REFRESH_TOKEN', 'missing or invalid refresh token', 404);
    info.revoked = true;
    runtime.tokens.revoke(request.params.token);
    return reply.code(204).send();
  });
  app.post('/oauth/v3/token/revoke', async (request, reply) => {
    const b = (request.body ?? {}) as Query;
    if (b.token) {
      const info = runtime.refreshInfo.get(b.token);
      if (info) info.revoked = true;
      runtime.tokens.revoke(b.token);
    }
    return reply.code(200).send();
  });
}
