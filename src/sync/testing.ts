import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { loadConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { IdentitiesService } from '../crm/identities.service';
import { keysOf, serializeRecord } from '../crm/serializer';
import { CryptoModule } from '../crypto/crypto.module';
import { PrismaService } from '../database/prisma.service';
import { EventsModule } from '../events/event-bus';
import type { RemoteRecord, VendorSlug } from '../integrations/contract';
import { adapterFor } from '../integrations/registry';
import { VendorConnections } from '../linked-accounts/connections';
import { LinkedAccountsModule } from '../linked-accounts/linked-accounts.module';
import { LinkedAccountsService, type LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import type { ModelName } from '../models/spec';
import { ObservabilityModule } from '../observability/observability.module';
import type { RunningEmulator } from '../sandbox/common/standalone';
import { type MountedSandbox, SANDBOX_EMULATORS } from '../sandbox/sandbox.module';
import { SyncModule } from './sync.module';

/**
 * The sync engine with only what it needs (database, vault, vendor connections, events), without
 * the HTTP server: for engine tests and bench:sync against standalone emulators.
 */
export async function startSyncContext(prisma: PrismaService, emulators: (RunningEmulator | { vendor: VendorSlug; url: string })[] = []): Promise<INestApplicationContext> {
  // Standalone emulators stand in for the mounted ones: token refresh goes to them (only the
  // vendor and base URL are used for that, so emulators in another process work too).
  const sandboxes = emulators.map((e) =>
    'emulator' in e ? { vendor: e.emulator.vendor, emulator: e.emulator, pathPrefix: '', baseUrl: e.url } : { vendor: e.vendor, pathPrefix: '', baseUrl: e.url },
  ) as MountedSandbox[];
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SANDBOX: 'off' });
  @Module({
    imports: [
      ConfigModule.forRoot(config),
      { module: class DatabaseOverride {}, global: true, providers: [{ provide: PrismaService, useValue: prisma }], exports: [PrismaService] },
      ObservabilityModule,
      CryptoModule,
      EventsModule,
      { module: class SandboxOverride {}, global: true, providers: [{ provide: SANDBOX_EMULATORS, useValue: sandboxes }], exports: [SANDBOX_EMULATORS] },
      LinkedAccountsModule,
      SyncModule,
    ],
  })
  class SyncHarnessModule {}
  return NestFactory.createApplicationContext(SyncHarnessModule, { logger: false, abortOnError: false });
}

/** A linked account on a standalone emulator at `baseUrl`, with tokens from its control API. */
export async function linkStandalone(ctx: INestApplicationContext, vendor: VendorSlug, baseUrl: string, tokenRequest: { tenantKey?: string; scope?: string } = {}): Promise<LinkedAccountRecord> {
  const prisma = ctx.get(PrismaService);
  const org = await prisma.organization.create({ data: { name: `sync ${vendor} ${Date.now()}` } });
  const adapter = adapterFor(vendor)!;
  const res = await fetch(`${baseUrl}/__sandbox/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: `switchboard-sandbox-${vendor}`, ...tokenRequest }) });
  if (!res.ok) throw new Error(`sandbox tokens: ${res.status}`);
  const parsed = adapter.auth.parseTokenResponse(res.status, await res.json(), {});
  if ('error' in parsed) throw new Error(`token answer: ${parsed.description}`);
  const endpoints = adapter.auth.endpoints({ sandboxBaseUrl: baseUrl });
  const { account } = await ctx.get(LinkedAccountsService).create({
    organizationId: org.id,
    integration: vendor,
    isSandbox: true,
    apiBaseUrl: parsed.apiBaseUrl ?? endpoints.apiBaseUrl ?? baseUrl,
    authBaseUrl: baseUrl,
    remoteAccountId: parsed.remoteAccountId ?? null,
    tokens: { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken ?? null, expiresAt: parsed.expiresInSeconds ? new Date(Date.now() + parsed.expiresInSeconds * 1000) : null },
  });
  return account;
}

/**
 * Every record of a model read live from the vendor and serialized exactly as the live REST path
 * does (CrmReadService.serializeMany: ids resolved in bulk, remote_data and remote_fields on).
 */
export async function liveRecords(ctx: INestApplicationContext, account: LinkedAccountRecord, model: ModelName, includeDeleted = false): Promise<Record<string, unknown>[]> {
  const adapter = adapterFor(account.integration)!;
  const conn = ctx.get(VendorConnections).forAccount(account);
  const identities = ctx.get(IdentitiesService);
  const out: Record<string, unknown>[] = [];
  let state = null;
  do {
    const page = await adapter.list(conn, model, { pageSize: 100, state, filters: { includeDeleted } });
    const ids = await identities.idsFor(account.id, keysOf(page.records));
    out.push(...page.records.map((r: RemoteRecord) => serializeRecord(r, { ids }, { includeRemoteData: true, includeRemoteFields: true })));
    state = page.nextState;
  } while (state);
  return out;
}

export interface StoredRow {
  id: string;
  remote_id: string;
  data: Record<string, unknown>;
  remote_data: unknown;
  remote_fields: unknown;
  remote_was_deleted: boolean;
  modified_at: Date | string;
}

export async function storedRecords(prisma: PrismaService, accountId: string, model: ModelName): Promise<StoredRow[]> {
  return prisma.sql.query<StoredRow>(
    `SELECT id::text AS id, remote_id, data, remote_data, remote_fields, remote_was_deleted, modified_at FROM crm_records
     WHERE linked_account_id = $1::uuid AND model = $2 ORDER BY seq`,
    [accountId, model],
  );
}

const NOT_IN_DATA = new Set(['created_at', 'modified_at', 'remote_data', 'remote_fields', 'remote_was_deleted', 'field_mappings', 'id', 'remote_id']);
/** The part of a wire record that crm_records.data holds. */
export const dataPart = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([k]) => !NOT_IN_DATA.has(k)));
