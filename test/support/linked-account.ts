import type { VendorSlug } from '../../src/integrations/contract';
import { adapterFor } from '../../src/integrations/registry';
import { LinkedAccountsService } from '../../src/linked-accounts/linked-accounts.service';
import { type MountedSandbox, SANDBOX_EMULATORS } from '../../src/sandbox/sandbox.module';
import type { TestApp } from './test-app';

export function mountedSandbox(t: TestApp, vendor: VendorSlug): MountedSandbox {
  const found = t.app.get<MountedSandbox[]>(SANDBOX_EMULATORS).find((s) => s.vendor === vendor);
  if (!found) throw new Error(`no sandbox for ${vendor}`);
  return found;
}

/**
 * A linked account on a mounted sandbox vendor, created directly with tokens from the emulator's
 * control API (the hosted Link flow has its own browser tests).
 */
export async function linkSandboxAccount(
  t: TestApp,
  organizationId: string,
  vendor: VendorSlug,
  tenantKey?: string,
  /**
   * refreshable: issue the tokens to the server's own sandbox OAuth client, so its refreshes (e.g.
   * after a 401) work. readMode: live by default (nothing is synced unless a test asks).
   */
  options: { refreshable?: boolean; readMode?: 'stored' | 'live' } = {},
): Promise<{ accountToken: string; linkedAccountId: string }> {
  const sandbox = mountedSandbox(t, vendor);
  const adapter = adapterFor(vendor)!;
  const grant = { ...(tenantKey ? { tenantKey } : {}), ...(options.refreshable ? { clientId: `switchboard-sandbox-${vendor}` } : {}) };
  const res = await fetch(`${sandbox.baseUrl}/__sandbox/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(grant) });
  if (!res.ok) throw new Error(`sandbox tokens: ${res.status}`);
  const parsed = adapter.auth.parseTokenResponse(res.status, await res.json(), {});
  if ('error' in parsed) throw new Error(`token answer: ${parsed.description}`);
  const endpoints = adapter.auth.endpoints({ sandboxBaseUrl: sandbox.baseUrl });
  const { account, accountToken } = await t.app.get(LinkedAccountsService).create({
    organizationId,
    integration: vendor,
    isSandbox: true,
    apiBaseUrl: parsed.apiBaseUrl ?? endpoints.apiBaseUrl ?? sandbox.baseUrl,
    authBaseUrl: sandbox.baseUrl,
    remoteAccountId: parsed.remoteAccountId ?? null,
    endUserOriginId: `test-${vendor}`,
    readMode: options.readMode ?? 'live',
    tokens: { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken ?? null, expiresAt: parsed.expiresInSeconds ? new Date(Date.now() + parsed.expiresInSeconds * 1000) : null },
  });
  return { accountToken, linkedAccountId: account.id };
}
