import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config';
import { channelToken, zohoWebhooks } from './webhooks';

const req = (body: unknown) => ({ method: 'POST', url: 'https://sb/webhooks/vendors/zoho', headers: {}, rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) });
const secret = 'zoho-secret';
const note = { server_time: 1, query_params: {}, module: 'Deals', resource_uri: 'https://x/crm/v8/Deals', ids: ['1', '2'], operation: 'update', channel_id: '3652397001', token: channelToken(secret, '3652397001') };

describe('Zoho incoming notifications', () => {
  it('checks the channel token, which is bound to the channel (the org)', () => {
    expect(channelToken(secret, '1').length).toBeLessThanOrEqual(50);
    expect(zohoWebhooks.verify(req(note), secret, 0)).toEqual({ ok: true });
    expect(zohoWebhooks.verify(req(note), 'other-secret', 0).ok).toBe(false);
    // Another org's channel id with this org's (readable) token: rejected.
    expect(zohoWebhooks.verify(req({ ...note, channel_id: '3652398001' }), secret, 0).ok).toBe(false);
    expect(zohoWebhooks.verify(req({ ...note, token: null }), secret, 0).ok).toBe(false);
    expect(zohoWebhooks.verify(req({ ...note, channel_id: undefined }), secret, 0).ok).toBe(false);
    expect(zohoWebhooks.verify(req(note), undefined, 0).ok).toBe(false);
    expect(zohoWebhooks.verify(req('garbage'), secret, 0).ok).toBe(false);
  });

  it('maps module and operation; the channel id names the org', () => {
    expect(zohoWebhooks.parse(req(note))).toEqual([{ remoteAccountId: '3652397001', models: ['Opportunity'], remoteIds: ['1', '2'], kind: 'changed' }]);
    expect(zohoWebhooks.parse(req({ ...note, module: 'Calls', operation: 'delete' }))[0]).toMatchObject({ models: ['Engagement'], kind: 'deleted' });
    expect(zohoWebhooks.parse(req({ ...note, module: 'Products' }))).toEqual([]);
    expect(() => zohoWebhooks.parse(req({ ...note, channel_id: undefined }))).toThrow(/channel_id/);
  });

  it('verifies with ZOHO_WEBHOOK_TOKEN, else (emulator only) a token derived from the server key', () => {
    const derive = (label: string) => createHmac('sha256', Buffer.alloc(32, 7)).update(label).digest('base64url');
    const context = (sandbox: boolean) => ({ sandbox, clientSecret: () => 'client-secret', derive });
    expect(zohoWebhooks.secret!(loadConfig({ ZOHO_WEBHOOK_TOKEN: 'configured-token' }), context(true))).toBe('configured-token');
    const sandboxToken = zohoWebhooks.secret!(loadConfig({}), context(true));
    expect(sandboxToken).toBe(derive('sandbox-zoho-channel-token').slice(0, 40));
    expect(sandboxToken).toHaveLength(40);
    expect(zohoWebhooks.secret!(loadConfig({}), context(false))).toBeUndefined();
  });
});
