import { MergeClient } from '@mergeapi/merge-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_VENDORS } from '../../src/sandbox/registry';
import { linkSandboxAccount } from '../support/linked-account';
import { startTestApp, type TestApp } from '../support/test-app';

/** Merge's official SDK, unchanged, pointed at Switchboard with baseUrl. */
describe.each(SANDBOX_VENDORS)('official Merge SDK against Switchboard (%s sandbox)', (vendor) => {
  let t: TestApp;
  let merge: MergeClient;
  let mergeWithoutApiPrefix: MergeClient;

  beforeAll(async () => {
    t = await startTestApp({ SANDBOX_CONTACTS: '25' });
    const org = await t.createOrganization();
    const { accountToken } = await linkSandboxAccount(t, org.organizationId, vendor);
    merge = new MergeClient({ apiKey: org.apiKey, accountToken, baseUrl: `${t.url}/api` });
    mergeWithoutApiPrefix = new MergeClient({ apiKey: org.apiKey, accountToken, baseUrl: t.url });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('lists and auto-paginates contacts', async () => {
    const first = await merge.crm.contacts.list({ pageSize: 10 });
    expect(first.data).toHaveLength(10);
    const all = [];
    for await (const contact of await merge.crm.contacts.list({ pageSize: 7 })) all.push(contact);
    expect(all).toHaveLength(25);
    expect(new Set(all.map((c) => c.id)).size).toBe(25);
    const alias = await mergeWithoutApiPrefix.crm.contacts.list({ pageSize: 5 });
    expect(alias.data).toHaveLength(5);
  });

  it('retrieves with expand', async () => {
    const page = await merge.crm.contacts.list({ pageSize: 5 });
    const withAccount = page.data.find((c) => c.account)!;
    const contact = await merge.crm.contacts.retrieve(withAccount.id!, { expand: ['account', 'owner'] });
    expect(typeof contact.account).toBe('object');
    expect((contact.account as { id?: string }).id).toBe(withAccount.account);
    const opps = await merge.crm.opportunities.list({ pageSize: 3, expand: 'account' });
    expect(opps.data.length).toBeGreaterThan(0);
  });

  it('creates and patches accounts, contacts and opportunities', async () => {
    const stamp = Date.now();
    const account = await merge.crm.accounts.create({ model: { name: `SDK Co ${stamp}`, industry: 'Software' } });
    expect(account.errors ?? []).toEqual([]);
    const accountId = account.model.id!;
    const patchedAccount = await merge.crm.accounts.partialUpdate(accountId, { model: { name: `SDK Co ${stamp} v2` } });
    expect(patchedAccount.model.name).toBe(`SDK Co ${stamp} v2`);

    const contact = await merge.crm.contacts.create({
      model: { firstName: 'Sdk', lastName: `User${stamp}`, account: accountId, emailAddresses: [{ emailAddress: `sdk.${stamp}@example.com`, emailAddressType: 'WORK' }] },
    });
    expect(contact.model.lastName).toBe(`User${stamp}`);
    expect(contact.model.account).toBe(accountId);
    const patchedContact = await merge.crm.contacts.partialUpdate(contact.model.id!, { model: { firstName: 'Sdk2' } });
    expect(patchedContact.model.firstName).toBe('Sdk2');

    const stages = await merge.crm.stages.list({});
    const opportunity = await merge.crm.opportunities.create({
      model: { name: `SDK deal ${stamp}`, amount: 5000, account: accountId, stage: stages.data[0].id, closeDate: new Date('2027-03-01T00:00:00Z') },
    });
    expect(opportunity.model.name).toBe(`SDK deal ${stamp}`);
    const patchedOpp = await merge.crm.opportunities.partialUpdate(opportunity.model.id!, { model: { amount: 6000 } });
    expect(patchedOpp.model.amount).toBe(6000);
    const read = await merge.crm.opportunities.retrieve(opportunity.model.id!, { expand: 'account' });
    expect((read.account as { name?: string }).name).toBe(`SDK Co ${stamp} v2`);
  });
});
