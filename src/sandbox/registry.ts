import type { VendorSlug } from '../integrations/registry';
import type { EmulatorSettings, SandboxEmulator } from './common/emulator';
import { createHubspotEmulator } from './hubspot/emulator';
import { createSalesforceEmulator } from './salesforce/emulator';
import { createZohoEmulator } from './zoho/emulator';

type EmulatorFactory = (settings?: Partial<EmulatorSettings>) => SandboxEmulator;

/**
 * Every sandbox vendor: the slug of the integration it emulates (the key, which SandboxVendor is made
 * of) and its factory. Adding one: a folder with create<Vendor>Emulator and a line here; it is then
 * mounted under /sandbox/<slug> whenever the vendor has no credentials configured.
 */
export const SANDBOX_FACTORIES = {
  salesforce: createSalesforceEmulator,
  hubspot: createHubspotEmulator,
  zoho: createZohoEmulator,
} as const satisfies Partial<Record<VendorSlug, EmulatorFactory>>;

/** A vendor that has an emulator. */
export type SandboxVendor = keyof typeof SANDBOX_FACTORIES;

export const SANDBOX_VENDORS = Object.keys(SANDBOX_FACTORIES) as SandboxVendor[];

export function isSandboxVendor(value: string): value is SandboxVendor {
  return Object.hasOwn(SANDBOX_FACTORIES, value);
}

export function createEmulator(vendor: SandboxVendor, settings: Partial<EmulatorSettings> = {}): SandboxEmulator {
  const factory: EmulatorFactory = SANDBOX_FACTORIES[vendor];
  return factory(settings);
}
