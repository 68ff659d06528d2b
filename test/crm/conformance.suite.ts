import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VENDOR_SLUGS } from '../../src/integrations/registry';
import { MODEL_NAMES, MODELS, type ModelName } from '../../src/models/spec';
import { deriveCounts, SEED_STAGES } from '../../src/sandbox/common/seed';
import { isSandboxVendor } from '../../src/sandbox/registry';
import { SYNC_RUNNER, type SyncRunResult } from '../../src/sync/contract';
import { linkSandboxAccount } from '../support/linked-account';
import { ACTIVITY_TYPES, modelCounts, type ActivityType } from '../support/model-counts';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The same tests against every registered vendor (src/integrations/registry.ts), through the REST
 * API on its sandbox emulator (src/sandbox/registry.ts; a vendor without one fails): listing and
 * paging, filters, expand, remote data and fields, writes, vendor errors and bad input. Run in
 * live mode (conformance.test.ts) and in stored mode after a full sync by the real engine
 * (stored-conformance.test.ts): both modes must answer alike.
 */

const CONTACTS = 20;
type Row = Record<string, any>;

/** What each sandbox vendor serves of the dataset, given the activity types it lists. */
function expectedCounts(activityTypes: readonly ActivityType[]): Record<ModelName, number> {
  return modelCounts({ ...deriveCounts(CONTACTS), stages: SEED_STAGES.length }, activityTypes);
}

export type ConformanceMode = 'live' | 'stored';

/** Stored mode: the account reads from the store, filled by a full sync with the real engine. */
async function makeStored(t: TestApp, linkedAccountId: string): Promise<void> {
  await t.db.prisma.linkedAccount.update({ where: { id: linkedAccountId }, data: { readMode: 'stored' } });
  const engine = t.app.get<{ syncAccount(id: string, o: { kind: 'full' }): Promise<SyncRunResult[]> }>(SYNC_RUNNER, { strict: false });
  const results = await engine.syncAccount(linkedAccountId, { kind: 'full' });
  const failed = results.filter((r) => r.outcome !== 'done');
  if (failed.length) throw new Error(`initial sync incomplete: ${JSON.stringify(failed)}`);
}

export function conformanceSuite(mode: ConformanceMode): void {
  describe.each(VENDOR_SLUGS)(`CRM API conformance (${mode} reads): %s`, (vendor) => {
    let t: TestApp;
    let apiKey: string;
    let accountToken: string;
    const all = new Map<ModelName, Row[]>();

    async function get(path: string, headers: Record<string, string> = {}) {
      return t.request(`/api/crm/v1${path}`, { apiKey, headers: { 'x-account-token': accountToken, ...headers } });
    }
    async function send(method: string, path: string, json: unknown, headers: Record<string, string> = {}) {
      return t.request(`/api/crm/v1${path}`, { method, apiKey, json, headers: { 'x-account-token': accountToken, ...headers } });
    }
    async function walk(route: string, query: string, pageSize: number): Promise<{ rows: Row[]; pages: number; cursors: string[] }> {
      const rows: Row[] = [];
      const cursors: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await get(`/${route}?page_size=${pageSize}${query ? `&${query}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(res.status, res.text).toBe(200);
        expect(Object.keys(res.body).sort()).toEqual(['next', 'previous', 'results']);
        expect(res.headers.get('x-read-mode')).toBe(mode);
        expect(res.body.results.length).toBeLessThanOrEqual(pageSize);
        if (res.body.next) expect(res.body.results.length).toBeGreaterThan(0);
        rows.push(...res.body.results);
        cursor = res.body.next;
        if (cursor) cursors.push(cursor);
        pages++;
        expect(pages).toBeLessThan(500);
      } while (cursor);
      return { rows, pages, cursors };
    }
    const ids = (rows: Row[]) => rows.map((r) => r.id);
    /** The activity types the vendor lists, each once and each one of the common model's. */
    const activityTypes = (): ActivityType[] => {
      const types = all.get('EngagementType')!.map((r) => r.activity_type as ActivityType);
      expect(new Set(types).size).toBe(types.length);
      for (const type of types) expect(ACTIVITY_TYPES).toContain(type);
      return types;
    };

    beforeAll(async () => {
      if (!isSandboxVendor(vendor)) throw new Error(`${vendor} has no sandbox emulator: register one in src/sandbox/registry.ts`);
      t = await startTestApp({ SANDBOX_CONTACTS: String(CONTACTS) });
      const org = await t.createOrganization(`conformance ${vendor}`);
      apiKey = org.apiKey;
      const linked = await linkSandboxAccount(t, org.organizationId, vendor);
      accountToken = linked.accountToken;
      if (mode === 'stored') {
        await makeStored(t, linked.linkedAccountId);
        // One changed contact, so that modified_at differs between stored records (a sync page shares one timestamp).
        const first = await get('/contacts?page_size=1');
        const changed = await send('PATCH', `/contacts/${first.body.results[0].id}`, { model: { first_name: `Changed${Date.now()}` } });
        expect(changed.status, changed.text).toBe(200);
      }
      for (const model of MODEL_NAMES) all.set(model, (await walk(MODELS[model].route, '', 100)).rows);
    }, 120_000);
    afterAll(async () => {
      await t?.close();
    });

    describe('listing', () => {
      it.each(MODEL_NAMES)('%s: every record exactly once at page sizes 1, 7 and 100', async (model) => {
        const expected = expectedCounts(activityTypes())[model];
        const full = all.get(model)!;
        expect(full).toHaveLength(expected);
        expect(new Set(ids(full)).size).toBe(expected);
        expect(new Set(full.map((r) => r.remote_id)).size).toBe(expected);
        for (const size of [1, 7]) {
          const { rows, pages } = await walk(MODELS[model].route, '', size);
          expect(new Set(ids(rows))).toEqual(new Set(ids(full)));
          expect(rows).toHaveLength(expected);
          expect(pages).toBeGreaterThanOrEqual(Math.ceil(expected / size));
        }
      });

      it('returns the common fields, snake_case, with stable ids', async () => {
        const contact = all.get('Contact')![0];
        for (const key of ['id', 'remote_id', 'created_at', 'modified_at', 'first_name', 'last_name', 'account', 'owner', 'addresses', 'email_addresses', 'phone_numbers', 'remote_was_deleted', 'field_mappings']) {
          expect(contact).toHaveProperty(key);
        }
        expect(contact.email_addresses[0].email_address).toMatch(/@/);
        const again = await get(`/contacts/${contact.id}`);
        expect(again.status).toBe(200);
        expect(again.body.id).toBe(contact.id);
        expect(again.body.remote_id).toBe(contact.remote_id);
        const opp = all.get('Opportunity')!.find((o) => o.status);
        expect(['OPEN', 'WON', 'LOST']).toContain(opp!.status);
      });

      it('walks backwards with previous', async () => {
        const forward = await walk('contacts', '', 7);
        let cursor: string | null = forward.cursors[forward.cursors.length - 1];
        const pages: string[][] = [];
        while (cursor) {
          const res = await get(`/contacts?page_size=7&cursor=${encodeURIComponent(cursor)}`);
          pages.unshift(ids(res.body.results));
          cursor = res.body.previous;
        }
        expect(pages.flat()).toEqual(ids(forward.rows));
      });
    });

    describe('filters', () => {
      /** Compares a filtered walk with the full list filtered here. */
      async function expectFilter(model: ModelName, query: string, predicate: (r: Row) => boolean) {
        const expected = all.get(model)!.filter(predicate);
        const { rows } = await walk(MODELS[model].route, query, 7);
        expect(new Set(ids(rows)), `${model}?${query}`).toEqual(new Set(ids(expected)));
        return expected.length;
      }

      it.each(MODEL_NAMES.filter((m) => MODELS[m].filters.length))('%s: model filters', async (model) => {
        for (const f of MODELS[model].filters) {
          const rows = all.get(model)!;
          if (f.kind === 'relation') {
            const value = rows.map((r) => r[f.field]).find((v) => typeof v === 'string');
            if (!value) continue;
            await expectFilter(model, `${f.param}=${value}`, (r) => r[f.field] === value);
          } else if (f.kind === 'enum') {
            const value = rows.map((r) => r[f.field]).find((v) => f.values.includes(v));
            if (!value) continue;
            await expectFilter(model, `${f.param}=${value}`, (r) => r[f.field] === value);
          } else if (f.kind === 'string') {
            const full = rows.map((r) => r[f.field]).find((v) => typeof v === 'string' && v.length > 3) as string | undefined;
            if (!full) continue;
            const value = f.match === 'contains' ? full.slice(1, -1) : full;
            const n = await expectFilter(model, `${f.param}=${encodeURIComponent(value)}`, (r) =>
              f.match === 'contains' ? String(r[f.field] ?? '').toLowerCase().includes(value.toLowerCase()) : r[f.field] === value,
            );
            expect(n).toBeGreaterThan(0);
          } else if (f.kind === 'email' || f.kind === 'phone') {
            const key = f.kind === 'email' ? 'email_address' : 'phone_number';
            const value = rows.flatMap((r) => r[f.field].map((x: Row) => x[key]))[0];
            if (!value) continue;
            const n = await expectFilter(model, `${f.param}=${encodeURIComponent(value)}`, (r) => r[f.field].some((x: Row) => x[key] === value));
            expect(n).toBeGreaterThan(0);
          } else if (f.kind === 'datetime') {
            const times = rows.map((r) => r[f.field]).filter(Boolean).sort();
            if (!times.length) continue;
            const pivot = times[Math.floor(times.length / 2)];
            await expectFilter(model, `${f.param}=${encodeURIComponent(pivot)}`, (r) => (r[f.field] ? (f.op === 'gt' ? r[f.field] > pivot : r[f.field] < pivot) : false));
          }
        }
      });

      it('common filters: modified and created ranges, remote_id', async () => {
        const rows = all.get('Contact')!;
        const modified = rows.map((r) => r.modified_at).sort();
        const pivot = modified[Math.floor(modified.length / 2)];
        const ms = (s: string) => Date.parse(s);
        const after = await expectFilter('Contact', `modified_after=${encodeURIComponent(pivot)}`, (r) => ms(r.modified_at) > ms(pivot));
        const before = await expectFilter('Contact', `modified_before=${encodeURIComponent(pivot)}`, (r) => ms(r.modified_at) < ms(pivot));
        expect(after + before).toBeGreaterThan(0);
        const created = rows.map((r) => r.created_at).sort()[Math.floor(rows.length / 2)];
        await expectFilter('Contact', `created_after=${encodeURIComponent(created)}`, (r) => ms(r.created_at) > ms(created));
        await expectFilter('Contact', `created_before=${encodeURIComponent(created)}`, (r) => ms(r.created_at) < ms(created));
        await expectFilter('Contact', `remote_id=${encodeURIComponent(rows[3].remote_id)}`, (r) => r.remote_id === rows[3].remote_id);
      });
    });

    describe('expand, remote data and remote fields', () => {
      it('expands relations into objects in batches', async () => {
        const res = await get('/contacts?page_size=10&expand=account,owner');
        expect(res.status).toBe(200);
        const plain = all.get('Contact')!;
        for (const c of res.body.results) {
          const same = plain.find((p) => p.id === c.id)!;
          if (same.account) expect(c.account.id).toBe(same.account);
          if (same.owner) expect(c.owner.id).toBe(same.owner);
        }
        expect(res.body.results.some((c: Row) => c.account && typeof c.account.name === 'string')).toBe(true);
        const opp = await get(`/opportunities/${all.get('Opportunity')![0].id}?expand=account,stage,owner`);
        expect(opp.status).toBe(200);
        expect(typeof opp.body.stage?.name).toBe('string');
      });

      it('includes the raw vendor record and the custom fields on request', async () => {
        const res = await get('/contacts?page_size=3&include_remote_data=true&include_remote_fields=true');
        const c = res.body.results[0];
        expect(c.remote_data[0].path).toEqual(expect.any(String));
        expect(c.remote_data[0].data).toBeTruthy();
        const names = c.remote_fields.map((f: Row) => f.remote_field_class.remote_key_name);
        expect(names.some((n: string) => /loyalty/i.test(n))).toBe(true);
        const plain = await get('/contacts?page_size=3');
        expect(plain.body.results[0].remote_data).toBeUndefined();
        const classes = await get('/contacts/remote-field-classes');
        expect(classes.status).toBe(200);
        expect(classes.body.results.some((f: Row) => f.is_custom && /loyalty/i.test(f.remote_key_name))).toBe(true);
        const meta = await get('/contacts/meta/post');
        expect(meta.status).toBe(200);
        expect(meta.body.request_schema.properties.model.properties.last_name).toBeDefined();
        expect(meta.body.status).toEqual({ linked_account_status: 'COMPLETE', can_make_request: true });
      });
    });

    describe('writes', () => {
      const account = () => all.get('Account')![0];
      const contact = () => all.get('Contact')![0];
      const bodies = (): Record<string, { create: Row; patch: Row; check: string }> => {
        const stage = all.get('Stage')![0].id;
        const callType = all.get('EngagementType')!.find((e) => e.activity_type === 'CALL')!.id;
        const stamp = Date.now();
        return {
          Account: { create: { name: `Conformance Co ${stamp}`, industry: 'Technology', website: 'https://conformance.example', number_of_employees: 42 }, patch: { name: `Conformance Co ${stamp} renamed` }, check: 'name' },
          Contact: {
            create: { first_name: 'Conform', last_name: `Ance${stamp}`, account: account().id, email_addresses: [{ email_address: `conform.${stamp}@example.com`, email_address_type: 'WORK' }] },
            patch: { last_name: `Ance${stamp}x` },
            check: 'last_name',
          },
          Lead: { create: { first_name: 'Lead', last_name: `Person${stamp}`, title: 'CEO', company: 'Lead Co', email_addresses: [{ email_address: `lead.${stamp}@example.com`, email_address_type: 'WORK' }] }, patch: { title: 'CTO' }, check: 'title' },
          Opportunity: { create: { name: `Deal ${stamp}`, amount: 12345, account: account().id, stage, close_date: '2027-01-31T00:00:00Z' }, patch: { name: `Deal ${stamp} v2` }, check: 'name' },
          Note: { create: { content: `Note ${stamp}`, contact: contact().id, account: account().id }, patch: { content: `Note ${stamp} edited` }, check: 'content' },
          Task: { create: { subject: `Task ${stamp}`, content: 'Do it', contact: contact().id, account: account().id, due_date: '2027-02-01T00:00:00Z', status: 'OPEN' }, patch: { subject: `Task ${stamp} v2` }, check: 'subject' },
          Engagement: {
            create: { subject: `Call ${stamp}`, content: 'Talked', engagement_type: callType, direction: 'OUTBOUND', start_time: '2026-11-01T10:00:00Z', end_time: '2026-11-01T10:30:00Z', account: account().id, contacts: [contact().id] },
            patch: { subject: `Call ${stamp} v2` },
            check: 'subject',
          },
        };
      };

      it.each(MODEL_NAMES.filter((m) => MODELS[m].writable))('%s: create, read back, patch, delete', async (model) => {
        const route = MODELS[model].route;
        const b = bodies()[model];
        const created = await send('POST', `/${route}`, { model: b.create });
        expect(created.status, created.text).toBe(201);
        expect(created.body.errors).toEqual([]);
        const id = created.body.model.id;
        expect(created.body.model[b.check]).toBe(b.create[b.check]);
        const read = await get(`/${route}/${id}`);
        expect(read.status).toBe(200);
        expect(read.body[b.check]).toBe(b.create[b.check]);
        const patched = await send('PATCH', `/${route}/${id}`, { model: b.patch });
        expect(patched.status, patched.text).toBe(200);
        expect(patched.body.model[b.check]).toBe(b.patch[b.check]);
        expect((await get(`/${route}/${id}`)).body[b.check]).toBe(b.patch[b.check]);
        const deleted = await t.request(`/api/crm/v1/${route}/${id}`, { method: 'DELETE', apiKey, headers: { 'x-account-token': accountToken } });
        expect(deleted.status).toBe(204);
        expect((await get(`/${route}/${id}`)).status).toBe(404);
      });

      it('writes and reads back custom fields through remote_fields', async () => {
        const classes = await get('/contacts/remote-field-classes');
        const loyalty = classes.body.results.find((f: Row) => f.is_custom && /loyalty/i.test(f.remote_key_name)).remote_key_name;
        const created = await send('POST', '/contacts', { model: { first_name: 'Custom', last_name: `Field${Date.now()}` }, remote_fields: [{ remote_field_class: loyalty, value: 77 }] });
        expect(created.status, created.text).toBe(201);
        const read = await get(`/contacts/${created.body.model.id}?include_remote_fields=true`);
        const value = read.body.remote_fields.find((f: Row) => f.remote_field_class.remote_key_name === loyalty).value;
        expect(Number(value)).toBe(77);
      });

      it('returns a vendor rejection as a 400/409 write envelope with the vendor message', async () => {
        const existing = all.get('Contact')!.find((c) => c.email_addresses.length)!;
        const dup = await send('POST', '/contacts', { model: { first_name: 'Dup', last_name: 'Licate', email_addresses: [{ email_address: existing.email_addresses[0].email_address }] } });
        expect(dup.status, dup.text).toBe(409);
        expect(dup.body.model).toBeNull();
        expect(dup.body.errors[0].problem_type).toBe('DUPLICATE_MODEL_EXISTS');
        expect(dup.body.errors[0].detail.length).toBeGreaterThan(3);
        // A number field given text: the vendor's own validation answers, in its own words.
        const classes = await get('/contacts/remote-field-classes');
        const loyalty = classes.body.results.find((f: Row) => f.is_custom && /loyalty/i.test(f.remote_key_name)).remote_key_name;
        const bad = await send('POST', '/contacts', { model: { last_name: 'Nobody' }, remote_fields: [{ remote_field_class: loyalty, value: 'not a number' }] });
        expect(bad.status, bad.text).toBe(400);
        expect(bad.body.model).toBeNull();
        expect(bad.body.errors[0].detail.length).toBeGreaterThan(3);
        expect(bad.body.errors[0].title).toMatch(new RegExp(vendor, 'i'));
      });

      it('Idempotency-Key: a repeat returns the first response and creates nothing; another body is a 409', async () => {
        const key = `idem-${Date.now()}`;
        const body = { model: { name: `Idempotent Co ${Date.now()}` } };
        const first = await send('POST', '/accounts', body, { 'idempotency-key': key });
        expect(first.status).toBe(201);
        const second = await send('POST', '/accounts', body, { 'idempotency-key': key });
        expect(second.status).toBe(201);
        expect(second.body.model.id).toBe(first.body.model.id);
        const named = (await walk('accounts', `name=${encodeURIComponent(body.model.name)}`, 100)).rows;
        expect(named).toHaveLength(1);
        const other = await send('POST', '/accounts', { model: { name: 'Something else' } }, { 'idempotency-key': key });
        expect(other.status).toBe(409);
      });
    });

    describe('bad input', () => {
      it('names the bad parameter or field', async () => {
        const cases: [string, string][] = [
          ['/contacts?page_size=0', '/query/page_size'],
          ['/contacts?page_size=101', '/query/page_size'],
          ['/contacts?cursor=forged', '/query/cursor'],
          ['/contacts?modified_after=last-tuesday', '/query/modified_after'],
          ['/contacts?account_id=not-a-uuid', '/query/account_id'],
          ['/opportunities?status=MAYBE', '/query/status'],
          ['/contacts?expand=nonsense', '/query/expand'],
          ['/contacts/not-a-uuid', '/path/id'],
        ];
        for (const [path, pointer] of cases) {
          const res = await get(path);
          expect(res.status, path).toBe(400);
          expect(res.body.errors[0].source.pointer, path).toBe(pointer);
        }
        const body = await send('POST', '/contacts', { model: { first_name: 42, email_addresses: 'x' } });
        expect(body.status).toBe(400);
        expect(body.body.errors.map((e: Row) => e.source.pointer)).toEqual(['/model/first_name', '/model/email_addresses']);
        const noModel = await send('POST', '/contacts', { first_name: 'x' });
        expect(noModel.status).toBe(400);
        expect(noModel.body.errors[0].source.pointer).toBe('/model');
      });

      it('a cursor from another list is refused', async () => {
        const page = await get('/contacts?page_size=2');
        const res = await get(`/accounts?page_size=2&cursor=${encodeURIComponent(page.body.next)}`);
        expect(res.status).toBe(400);
      });

      it('unknown ids are 404; account tokens are required and scoped to the organization', async () => {
        expect((await get('/contacts/00000000-0000-4000-8000-000000000000')).status).toBe(404);
        expect((await get(`/contacts/${all.get('Account')![0].id}`)).status).toBe(404);
        const missing = await t.request('/api/crm/v1/contacts', { apiKey });
        expect(missing.status).toBe(400);
        expect(missing.body.code).toBe('MISSING_ACCOUNT_TOKEN');
        const other = await t.createOrganization('other');
        const foreign = await t.request('/api/crm/v1/contacts', { apiKey: other.apiKey, headers: { 'x-account-token': accountToken } });
        expect(foreign.status).toBe(404);
      });
    });
  });
}
