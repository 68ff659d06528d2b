import { describe, expect, it } from 'vitest';
import { createEmulator, isSandboxVendor, SANDBOX_VENDORS } from '../sandbox/registry';
import { adapterFor, ADAPTERS, isVendorSlug, VENDOR_SLUGS } from './registry';

describe('vendor registries', () => {
  it('every adapter is registered under its own slug', () => {
    expect(VENDOR_SLUGS).toEqual(Object.keys(ADAPTERS));
    expect(VENDOR_SLUGS.length).toBeGreaterThan(0);
    for (const slug of VENDOR_SLUGS) {
      expect(adapterFor(slug)?.vendor, slug).toBe(slug);
      expect(slug).toMatch(/^[a-z][a-z0-9-]*$/);
    }
  });

  it('answers nothing for unknown slugs, including inherited property names', () => {
    for (const name of ['', 'toString', '__proto__', 'constructor', 'nope']) {
      expect(isVendorSlug(name), name).toBe(false);
      expect(adapterFor(name), name).toBeUndefined();
      expect(isSandboxVendor(name), name).toBe(false);
    }
  });

  it('every emulator is of a registered vendor and created under its slug', () => {
    for (const vendor of SANDBOX_VENDORS) {
      expect(isVendorSlug(vendor), vendor).toBe(true);
      const emulator = createEmulator(vendor, { contacts: 4 });
      expect(emulator.vendor).toBe(vendor);
      expect(emulator.contactObject.length).toBeGreaterThan(0);
    }
  });
});
