import type { CrmAdapter } from '../integrations/contract';
import { adapterFor } from '../integrations/registry';

/** Merge-compatible integration object ({name, slug, categories, image, square_image, color}). */
export interface IntegrationInfo {
  name: string;
  slug: string;
  categories: string[];
  image: string;
  square_image: string;
  color: string;
  is_sandbox: boolean;
}

const PALETTE = ['#2563EB', '#EA580C', '#DC2626', '#059669', '#7C3AED', '#0891B2'];

/** The adapter's brand colour when it declares one, else a stable colour from the slug. */
export function colorOf(adapter: CrmAdapter | undefined, slug: string): string {
  const declared = (adapter as (CrmAdapter & { brandColor?: string }) | undefined)?.brandColor;
  if (declared && /^#[0-9a-fA-F]{6}$/.test(declared)) return declared.toUpperCase();
  let h = 0;
  for (const c of slug) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

export function displayNameOf(slug: string): string {
  return adapterFor(slug)?.displayName ?? slug;
}

/** Integration metadata; sandbox integrations are labelled "<Name> (sandbox)". */
export function integrationInfo(slug: string, isSandbox: boolean, publicUrl: string): IntegrationInfo {
  const adapter = adapterFor(slug);
  const base = adapter?.displayName ?? slug;
  return {
    name: isSandbox ? `${base} (sandbox)` : base,
    slug,
    categories: ['crm'],
    image: `${publicUrl}/link/assets/${encodeURIComponent(slug)}.svg`,
    square_image: `${publicUrl}/link/assets/${encodeURIComponent(slug)}.svg`,
    color: colorOf(adapter, slug),
    is_sandbox: isSandbox,
  };
}

/** A small square logo (initial on the brand colour): served by the server, no external assets. */
export function logoSvg(slug: string): string {
  const adapter = adapterFor(slug);
  const letter = (adapter?.displayName ?? slug).charAt(0).toUpperCase().replace(/[^A-Z0-9]/, '?');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64" role="img" aria-label="${escapeXml(adapter?.displayName ?? slug)}"><rect width="64" height="64" rx="12" fill="${colorOf(adapter, slug)}"/><text x="32" y="43" font-family="system-ui,sans-serif" font-size="32" font-weight="700" text-anchor="middle" fill="#fff">${letter}</text></svg>`;
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
