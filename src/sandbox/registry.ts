import type { EmulatorSettings, SandboxEmulator, SandboxVendor } from './common/emulator';
import { createHubspotEmulator } from './hubspot/emulator';
import { createSalesforceEmulator } from './salesforce/emulator';
import { createZohoEmulator } from './zoho/emulator';

/** Every sandbox vendor. Adding one: a folder with create<Vendor>Emulator and a line here. */
export const SANDBOX_FACTORIES: Record<SandboxVendor, (settings?: Partial<EmulatorSettings>) => SandboxEmulator> = {
  salesforce: createSalesforceEmulator,
  hubspot: createHubspotEmulator,
  zoho: createZohoEmulator,
};

export const SANDBOX_VENDORS = Object.keys(SANDBOX_FACTORIES) as SandboxVendor[];

export function createEmulator(vendor: SandboxVendor, settings: Partial<EmulatorSettings> = {}): SandboxEmulator {
  return SANDBOX_FACTORIES[vendor](settings);
}
