import type { CrmAdapter } from './contract';
import { hubspotAdapter } from './hubspot';
import { salesforceAdapter } from './salesforce';
import { zohoAdapter } from './zoho';

/**
 * Every vendor integration: its slug (the key, which VendorSlug is made of) and its adapter.
 * Adding a vendor: a folder under src/integrations/<vendor>/ that exports a CrmAdapter, plus one
 * line here (see README.md in this folder); configuration, Link pages, sync and the conformance
 * suite then pick it up.
 */
export const ADAPTERS = {
  salesforce: salesforceAdapter,
  hubspot: hubspotAdapter,
  zoho: zohoAdapter,
} as const satisfies Record<string, CrmAdapter>;

/** A registered vendor's slug, e.g. in linked_accounts.integration and /sandbox/<slug>. */
export type VendorSlug = keyof typeof ADAPTERS;

/** Slugs of every registered vendor, in registration order. */
export const VENDOR_SLUGS = Object.keys(ADAPTERS) as VendorSlug[];

export function isVendorSlug(value: string): value is VendorSlug {
  return Object.hasOwn(ADAPTERS, value);
}

export function adapterFor(vendor: string): CrmAdapter | undefined {
  return isVendorSlug(vendor) ? ADAPTERS[vendor] : undefined;
}
