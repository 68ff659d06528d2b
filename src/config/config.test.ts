import { describe, expect, it } from 'vitest';
import { ADAPTERS, VENDOR_SLUGS } from '../integrations/registry';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './config';

const vendor = VENDOR_SLUGS[0];
const { clientId, clientSecret } = ADAPTERS[vendor].configuration;

function expectConfigError(env: Record<string, string>, variable: string, fragment?: RegExp) {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(variable);
    expect((err as Error).message).toContain(variable);
    if (fragment) expect((err as Error).message).toMatch(fragment);
    expect((err as Error).message.split('\n')).toHaveLength(1);
    return;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has working defaults for a fresh machine (embedded database)', () => {
    const c = loadConfig({});
    expect(c.database.embedded).toBe(true);
    expect(c.database.dataDir).toBe('.data');
    expect(c.port).toBe(3000);
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.sandbox.mode).toBe('auto');
    for (const slug of VENDOR_SLUGS) expect(c.vendors[slug], slug).toBeUndefined();
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test' });
    expect(c.database).toMatchObject({ embedded: false, url: 'postgresql://postgres@127.0.0.1:5432/test' });
  });

  it('names the variable and what it expects', () => {
    expectConfigError({ PORT: 'eighty' }, 'PORT');
    expectConfigError({ PORT: '70000' }, 'PORT');
    expectConfigError({ NODE_ENV: 'staging' }, 'NODE_ENV', /development, production, test/);
    expectConfigError({ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', /postgres/);
    expectConfigError({ ENCRYPTION_KEY: 'short' }, 'ENCRYPTION_KEY', /32-byte/);
    expectConfigError({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL');
    expectConfigError({ [clientId.name]: 'abc' }, clientSecret.name);
    expectConfigError({ [clientSecret.name]: 'abc' }, clientId.name);
  });

  it('requires ENCRYPTION_KEY in production', () => {
    expectConfigError({ NODE_ENV: 'production' }, 'ENCRYPTION_KEY', /production/);
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ NODE_ENV: 'production', ENCRYPTION_KEY: key }).encryption.key?.length).toBe(32);
  });

  it('reads the job queue settings, and refuses an API-only server without Redis', () => {
    const d = loadConfig({});
    expect(d.queue).toEqual({ prefix: 'switchboard', serverRunsJobs: true, syncConcurrency: 2, syncTickMs: 60_000, syncRetryBaseMs: 15_000, syncSchedule: true });
    expectConfigError({ SERVER_RUNS_JOBS: 'false' }, 'SERVER_RUNS_JOBS', /REDIS_URL/);
    expectConfigError({ QUEUE_PREFIX: 'a:b' }, 'QUEUE_PREFIX');
    expectConfigError({ SYNC_CONCURRENCY: '0' }, 'SYNC_CONCURRENCY');
    const c = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', SERVER_RUNS_JOBS: 'false', QUEUE_PREFIX: 'tenant-1', SYNC_TICK_SECONDS: '5' });
    expect(c.queue).toMatchObject({ prefix: 'tenant-1', serverRunsJobs: false, syncTickMs: 5000 });
  });

  it('switches a vendor to real credentials when both values are set', () => {
    const c = loadConfig({ [clientId.name]: 'id', [clientSecret.name]: 'secret' });
    expect(c.vendors[vendor]).toEqual({ clientId: 'id', clientSecret: 'secret' });
    for (const other of VENDOR_SLUGS.filter((s) => s !== vendor)) expect(c.vendors[other], other).toBeUndefined();
  });

  it("reads every registered vendor's variables: client id and secret, and its further settings (validated like the rest)", () => {
    for (const slug of VENDOR_SLUGS) {
      const { clientId: id, clientSecret: secret, settings = [] } = ADAPTERS[slug].configuration;
      for (const v of [id, secret, ...settings]) expect(CONFIG_VARIABLES[v.name]?.doc, v.name).toBe(v.doc);
      expect(loadConfig({}).vendorSettings[slug]).toEqual(Object.fromEntries(settings.map((v) => [v.name, undefined])));
    }
    const withSetting = VENDOR_SLUGS.find((s) => ADAPTERS[s].configuration.settings?.length);
    expect(withSetting).toBeDefined();
    const setting = ADAPTERS[withSetting!].configuration.settings![0];
    expect(loadConfig({ [setting.name]: 'a-valid-secret-value' }).vendorSettings[withSetting!]?.[setting.name]).toBe('a-valid-secret-value');
    expectConfigError({ [setting.name]: 'x'.repeat(51) }, setting.name);
  });
});
