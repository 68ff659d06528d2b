import type { CrmAdapter, VendorSlug } from './contract';
import { hubspotAdapter } from './hubspot';
import { salesforceAdapter } from './salesforce';
import { zohoAdapter } from './zoho';

/**
 * Every vendor integration. Adding a vendor: a folder under src/integrations/<vendor>/ that
 * exports a CrmAdapter, plus one line here; the conformance suite then runs against it.
 */
export const ADAPTERS: Partial<Record<VendorSlug, CrmAdapter>> = {
  salesforce: salesforceAdapter,
  hubspot: hubspotAdapter,
  zoho: zohoAdapter,
};

/** Slugs of every registered vendor, in registration order. */
export const VENDOR_SLUGS = Object.keys(ADAPTERS) as VendorSlug[];

export function adapterFor(vendor: string): CrmAdapter | undefined {
  return ADAPTERS[vendor as VendorSlug];
}
