import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrmAdapter, ListPage, Projection, RemoteRecord, VendorConnection, VendorPageState, VendorRequest, VendorSlug } from '../../src/integrations/contract';
import { staticTokenSource, VendorHttpClient } from '../../src/integrations/http/vendor-http-client';
import { hubspotAdapter } from '../../src/integrations/hubspot';
import { salesforceAdapter } from '../../src/integrations/salesforce';
import { zohoAdapter } from '../../src/integrations/zoho';
import type { ModelName } from '../../src/models/spec';
import { type RunningEmulator, startStandalone } from '../../src/sandbox/common/standalone';
import { createHubspotEmulator } from '../../src/sandbox/hubspot/emulator';
import { createSalesforceEmulator } from '../../src/sandbox/salesforce/emulator';
import { createZohoEmulator } from '../../src/sandbox/zoho/emulator';

/**
 * The 'mapped' projection (only the vendor fields the mappers read) must give the same common
 * records as the 'full' one, for every model of every vendor, on lists and batch reads; and it
 * must actually ask for less. Also: the list asks the vendor for exactly the page (Zoho per_page),
 * and HubSpot lists take associations inline (no separate v4 call).
 */

const VENDORS: { slug: VendorSlug; adapter: CrmAdapter; start: () => ReturnType<typeof startStandalone> }[] = [
  { slug: 'salesforce', adapter: salesforceAdapter, start: () => startStandalone(createSalesforceEmulator({ seed: 5, contacts: 40 })) },
  { slug: 'hubspot', adapter: hubspotAdapter, start: () => startStandalone(createHubspotEmulator({ seed: 5, contacts: 40 })) },
  { slug: 'zoho', adapter: zohoAdapter, start: () => startStandalone(createZohoEmulator({ seed: 5, contacts: 40 })) },
];

/** What a common record is, without the raw vendor parts. */
const common = (r: RemoteRecord) => ({ model: r.model, remoteId: r.remoteId, fields: r.fields, created: r.remoteCreatedAt, updated: r.remoteUpdatedAt, deleted: r.remoteWasDeleted });
const rawKeys = (r: RemoteRecord) => Object.keys(((r.remoteData[0]?.data ?? {}) as { properties?: object }).properties ?? (r.remoteData[0]?.data as object) ?? {}).length;

for (const v of VENDORS) {
  describe(`${v.slug}: mapped projection`, () => {
    let em: RunningEmulator;
    let conn: VendorConnection;
    const requests: VendorRequest[] = [];

    beforeAll(async () => {
      em = await v.start();
      const token = (await (await fetch(`${em.url}/__sandbox/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as Record<string, string>;
      const parsed = v.adapter.auth.parseTokenResponse(200, token, {});
      if ('error' in parsed) throw new Error(parsed.description);
      const base = new VendorHttpClient({ maxAttempts: 2 }).connection({
        vendor: v.slug,
        linkedAccountId: `projection-${v.slug}`,
        apiBaseUrl: parsed.apiBaseUrl ?? v.adapter.auth.endpoints({ sandboxBaseUrl: em.url }).apiBaseUrl!,
        auth: v.adapter.auth,
        tokens: staticTokenSource(parsed.accessToken),
      });
      conn = { ...base, request: (req) => (requests.push(req), base.request(req)) };
    }, 60_000);

    afterAll(async () => {
      await em?.close();
    });

    async function walk(model: ModelName, projection: Projection, pageSize: number): Promise<RemoteRecord[]> {
      const out: RemoteRecord[] = [];
      let state: VendorPageState | null = null;
      for (let i = 0; i < 500; i++) {
        const page: ListPage = await v.adapter.list(conn, model, { pageSize, state, filters: {}, projection });
        out.push(...page.records);
        if (!page.nextState) return out;
        state = JSON.parse(JSON.stringify(page.nextState)) as VendorPageState;
      }
      throw new Error('walk did not end');
    }

    for (const model of v.adapter.models) {
      it(`${model}: same common records from lists and batch reads`, async () => {
        const full = await walk(model, 'full', 100);
        const mapped = await walk(model, 'mapped', 100);
        expect(full.length).toBeGreaterThan(0);
        expect(mapped.map(common)).toEqual(full.map(common));
        const ids = full.slice(0, 30).map((r) => r.remoteId);
        const byIdFull = await v.adapter.getMany(conn, model, ids, { projection: 'full' });
        const byIdMapped = await v.adapter.getMany(conn, model, ids, { projection: 'mapped' });
        expect(byIdMapped.map(common)).toEqual(byIdFull.map(common));
        for (const id of ids.slice(0, 3)) {
          const one = await v.adapter.get(conn, model, id, { projection: 'mapped' });
          expect(one && common(one)).toEqual(common((await v.adapter.get(conn, model, id))!));
        }
        // Page size 7 walks the same records with the smaller projection.
        expect((await walk(model, 'mapped', 7)).map((r) => r.remoteId)).toEqual(full.map((r) => r.remoteId));
      }, 60_000);
    }

    it('asks for fewer vendor fields when only the common model is shown', async () => {
      for (const model of ['Contact', 'Account'] as ModelName[]) {
        const [full] = (await v.adapter.list(conn, model, { pageSize: 1, state: null, filters: {}, projection: 'full' })).records;
        const [mapped] = (await v.adapter.list(conn, model, { pageSize: 1, state: null, filters: {}, projection: 'mapped' })).records;
        expect(rawKeys(mapped!)).toBeLessThan(rawKeys(full!));
        // Remote fields are not shown with the mapped projection, so not computed.
        expect(mapped!.remoteFields).toEqual([]);
        expect(full!.remoteFields.length).toBeGreaterThan(0);
        // Without a projection nothing changes: the whole record.
        const [dflt] = (await v.adapter.list(conn, model, { pageSize: 1, state: null, filters: {} })).records;
        expect(rawKeys(dflt!)).toBe(rawKeys(full!));
        expect(dflt!.remoteFields.length).toBe(full!.remoteFields.length);
      }
    });

    it('a page of contacts is one vendor call for exactly the page', async () => {
      await v.adapter.list(conn, 'Contact', { pageSize: 10, state: null, filters: {}, projection: 'mapped' }); // metadata warm
      requests.length = 0;
      const page = await v.adapter.list(conn, 'Contact', { pageSize: 10, state: null, filters: {}, projection: 'mapped' });
      expect(page.records).toHaveLength(10);
      expect(page.nextState).not.toBeNull();
      expect(requests).toHaveLength(1);
      const q = requests[0]!.query ?? {};
      if (v.slug === 'zoho') expect(q.per_page).toBe(10);
      if (v.slug === 'hubspot') {
        expect(q.limit).toBe(10);
        expect(q.associations).toBe('companies');
      }
      if (v.slug === 'salesforce') expect(String(q.q)).toMatch(/LIMIT 11$/);
    });
  });
}
