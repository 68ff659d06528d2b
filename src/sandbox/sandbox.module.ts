import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import type { SandboxEmulator, SandboxVendor } from './common/emulator';
import { createEmulator, SANDBOX_VENDORS } from './registry';

export const SANDBOX_EMULATORS = Symbol('SANDBOX_EMULATORS');

export interface MountedSandbox {
  vendor: SandboxVendor;
  emulator: SandboxEmulator;
  /** Path under this server where the emulator is mounted, e.g. /sandbox/hubspot */
  pathPrefix: string;
  /** Public base URL of the emulator (PUBLIC_URL + pathPrefix). */
  baseUrl: string;
}

/**
 * Sandbox mode: every vendor without real credentials is served by its emulator, mounted inside
 * this server (see createApp), so a fresh `npm start` can link and sync with no vendor account.
 */
export function sandboxesFor(config: AppConfig): MountedSandbox[] {
  if (config.sandbox.mode === 'off') return [];
  return SANDBOX_VENDORS.filter((vendor) => !config.vendors[vendor]).map((vendor) => {
    const pathPrefix = `/sandbox/${vendor}`;
    return {
      vendor,
      pathPrefix,
      baseUrl: `${config.publicUrl}${pathPrefix}`,
      emulator: createEmulator(vendor, { seed: config.sandbox.seed, contacts: config.sandbox.contacts }),
    };
  });
}

@Global()
@Module({})
export class SandboxModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: SandboxModule,
      providers: [{ provide: SANDBOX_EMULATORS, useFactory: () => sandboxesFor(config) }],
      exports: [SANDBOX_EMULATORS],
    };
  }
}
