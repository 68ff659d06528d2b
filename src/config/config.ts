import { z } from 'zod';
import type { VendorConfiguration } from '../integrations/contract';
import { ADAPTERS, type VendorSlug } from '../integrations/registry';

/**
 * Every setting comes from the environment and is validated once at boot. A bad value stops the
 * process with one line that names the variable and what it expects (see ConfigError).
 */

const port = z.coerce.number().int().min(0).max(65535);

const base64Key = z.string().refine((v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, {
  message: 'a base64-encoded 32-byte key (generate one with: openssl rand -base64 32)',
});

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `a URL starting with ${protocols.map((p) => p + '//').join(' or ')}` },
  );

interface ConfigVariable {
  schema: z.ZodType;
  default: string | undefined;
  doc: string;
}

/** The variables read before the vendors' (name -> schema, default, and what it means). */
const CORE_BEFORE_VENDORS = {
  NODE_ENV: { schema: z.enum(['development', 'production', 'test']), default: 'development', doc: 'development, production or test. Production requires ENCRYPTION_KEY.' },
  HOST: { schema: z.string().min(1), default: '127.0.0.1', doc: 'Interface to listen on (0.0.0.0 in containers).' },
  PORT: { schema: port, default: '3000', doc: 'HTTP port (0 picks a free one).' },
  PUBLIC_URL: { schema: url(['http:', 'https:']).optional(), default: undefined, doc: 'Base URL the outside world uses to reach this server (OAuth redirects, Link pages). Default http://localhost:PORT.' },
  DATABASE_URL: { schema: url(['postgres:', 'postgresql:']).optional(), default: undefined, doc: 'PostgreSQL connection URL. Unset: the embedded PGlite database in DATA_DIR.' },
  DATABASE_PREPARED_STATEMENTS: {
    schema: z.enum(['true', 'false']),
    default: 'true',
    doc: 'false behind PgBouncer in transaction mode (or another pooler without a server connection per client): the sync runs its page statements unnamed instead of as named prepared statements.',
  },
  DATA_DIR: { schema: z.string().min(1), default: '.data', doc: 'Directory of the embedded database and of the generated development encryption key.' },
  ENCRYPTION_KEY: { schema: base64Key.optional(), default: undefined, doc: 'Base64 32-byte key that encrypts vendor tokens at rest (AES-256-GCM). Required in production; in development one is generated into DATA_DIR once.' },
  ENCRYPTION_KEY_ID: { schema: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ or -, at most 32').optional(), default: undefined, doc: 'Identifier stored beside each ciphertext so keys can be rotated. Default: derived from the key.' },
  ENCRYPTION_PREVIOUS_KEYS: {
    schema: z
      .string()
      .refine((v) => v.split(',').every((k) => Buffer.from(k.trim(), 'base64').length === 32), { message: 'comma-separated base64-encoded 32-byte keys' })
      .optional(),
    default: undefined,
    doc: 'Older keys, comma-separated, still accepted for decryption while `npm run admin -- keys:rotate` re-encrypts with ENCRYPTION_KEY.',
  },
  LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', doc: 'pino log level; logs are JSON lines on stdout with secrets redacted.' },
  RATE_LIMIT_MAX: { schema: z.coerce.number().int().min(0), default: '1200', doc: 'Requests allowed per API key per window (0 disables the limit).' },
  RATE_LIMIT_WINDOW_MS: { schema: z.coerce.number().int().min(1000), default: '60000', doc: 'Rate-limit window in milliseconds.' },
  BODY_LIMIT_BYTES: { schema: z.coerce.number().int().min(1024), default: '1048576', doc: 'Largest accepted request body; larger bodies get a 413.' },
  PASSTHROUGH_TIMEOUT_MS: { schema: z.coerce.number().int().min(100).max(600_000), default: '30000', doc: 'How long a pass-through request waits for the vendor; past it the answer is 408 (async pass-through waits 4 times longer).' },
  PASSTHROUGH_MAX_RESPONSE_BYTES: { schema: z.coerce.number().int().min(1024), default: '10485760', doc: 'Largest vendor answer a pass-through returns; larger ones get a 413 (reading stops at the limit).' },
  SANDBOX: { schema: z.enum(['auto', 'off']), default: 'auto', doc: 'auto: vendors without credentials are served by the built-in emulators under /sandbox/<vendor>; off: never.' },
  SANDBOX_CONTACTS: { schema: z.coerce.number().int().min(0).max(1_000_000), default: '200', doc: 'Contacts generated per sandbox tenant (related records are derived from it).' },
  SANDBOX_SEED: { schema: z.coerce.number().int(), default: '1', doc: 'Seed of the deterministic sandbox data.' },
} as const satisfies Record<string, ConfigVariable>;

/** The variables read after the vendors'. */
const CORE_AFTER_VENDORS = {
  WEBHOOK_RETRY_BASE_MS: { schema: z.coerce.number().int().min(10).max(3_600_000), default: '30000', doc: 'First retry delay of outgoing webhooks; doubles per attempt (with jitter, at most 1 hour) for 24 hours.' },
  WEBHOOK_PRIVATE_TARGETS: { schema: z.enum(['auto', 'allow', 'deny']), default: 'auto', doc: 'Whether outgoing webhook targets may be private, loopback or link-local addresses. auto: denied when NODE_ENV=production.' },
  SANDBOX_WEBHOOKS: { schema: z.enum(['auto', 'on', 'off']), default: 'auto', doc: "Whether the mounted sandbox vendors send their notifications to this server's /webhooks/vendors/<vendor>. auto: on unless NODE_ENV=test." },
  REDIS_URL: { schema: url(['redis:', 'rediss:']).optional(), default: undefined, doc: 'Redis for shared job queues between several processes. Unset: in-process queue.' },
  QUEUE_PREFIX: { schema: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . or -, at most 64'), default: 'switchboard', doc: 'Redis key prefix of the job queues (several deployments can share one Redis).' },
  SERVER_RUNS_JOBS: { schema: z.enum(['true', 'false']), default: 'true', doc: 'Whether the API server also runs background jobs (syncs, webhook deliveries). false needs REDIS_URL and at least one `npm run worker`.' },
  SYNC_CONCURRENCY: { schema: z.coerce.number().int().min(1).max(64), default: '2', doc: 'Linked-account sync jobs one process runs at the same time.' },
  SYNC_TICK_SECONDS: { schema: z.coerce.number().int().min(1).max(3600), default: '60', doc: 'How often a job-running process looks for linked accounts whose next sync is due (and for interrupted syncs to resume).' },
  SYNC_SCHEDULE: { schema: z.enum(['on', 'off']), default: 'on', doc: 'off: no automatic syncs (none on link, none on schedule); explicit requests (resync route, vendor webhooks) still run.' },
  SYNC_RETRY_BASE_MS: { schema: z.coerce.number().int().min(10).max(3_600_000), default: '15000', doc: 'First delay before a failed or lease-blocked model sync is retried (doubles per retry).' },
} as const satisfies Record<string, ConfigVariable>;

const vendorConfigurations = (): [VendorSlug, VendorConfiguration][] => Object.entries(ADAPTERS).map(([slug, adapter]) => [slug as VendorSlug, adapter.configuration]);

/** Every registered vendor's variables (src/integrations/<vendor>/config.ts), in registration order. */
function vendorVariables(): Record<string, ConfigVariable> {
  const out: Record<string, ConfigVariable> = {};
  const add = (name: string, variable: ConfigVariable) => {
    if (name in out || name in CORE_BEFORE_VENDORS || name in CORE_AFTER_VENDORS) throw new Error(`Configuration variable ${name} is declared twice`);
    out[name] = variable;
  };
  for (const [, c] of vendorConfigurations()) {
    for (const v of [c.clientId, c.clientSecret]) add(v.name, { schema: z.string().min(1).optional(), default: undefined, doc: v.doc });
    for (const v of c.settings ?? []) add(v.name, { schema: v.schema, default: undefined, doc: v.doc });
  }
  return out;
}

/**
 * Variable name -> schema, default, and what it means (the README table is generated from this):
 * the core ones and, between them, each registered vendor's.
 */
export const CONFIG_VARIABLES: Readonly<Record<string, ConfigVariable>> = { ...CORE_BEFORE_VENDORS, ...vendorVariables(), ...CORE_AFTER_VENDORS };

type Vars = typeof CORE_BEFORE_VENDORS & typeof CORE_AFTER_VENDORS;
type Parsed = { [K in keyof Vars]: z.output<Vars[K]['schema']> };

export interface VendorCredentials {
  clientId: string;
  clientSecret: string;
}

export interface AppConfig {
  env: Parsed['NODE_ENV'];
  host: string;
  port: number;
  publicUrl: string;
  database: { url?: string; dataDir: string; embedded: boolean; preparedStatements: boolean };
  encryption: { key?: Buffer; keyId?: string; previousKeys: Buffer[] };
  logLevel: Parsed['LOG_LEVEL'];
  rateLimit: { max: number; windowMs: number };
  bodyLimitBytes: number;
  passthrough: { timeoutMs: number; maxResponseBytes: number };
  sandbox: { mode: 'auto' | 'off'; contacts: number; seed: number };
  /** OAuth clients of the vendors that have one configured (the others are served by their emulators). */
  vendors: Partial<Record<VendorSlug, VendorCredentials>>;
  /** Each vendor's further settings (VendorConfiguration.settings) by variable name; unset ones are undefined. */
  vendorSettings: Partial<Record<VendorSlug, Record<string, string | undefined>>>;
  redisUrl?: string;
  webhooks: { retryBaseMs: number; sandboxSelfDelivery: boolean; allowPrivateTargets: boolean };
  queue: { prefix: string; serverRunsJobs: boolean; syncConcurrency: number; syncTickMs: number; syncRetryBaseMs: number; syncSchedule: boolean };
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
  ) {
    super(`Invalid configuration: ${variable} must be ${expected}`);
    this.name = 'ConfigError';
  }
}

function credentials(parsed: Record<string, unknown>, id: string, secret: string): VendorCredentials | undefined {
  const clientId = parsed[id] as string | undefined;
  const clientSecret = parsed[secret] as string | undefined;
  if (!clientId && !clientSecret) return undefined;
  if (!clientId) throw new ConfigError(id, `set together with ${secret}`);
  if (!clientSecret) throw new ConfigError(secret, `set together with ${id}`);
  return { clientId, clientSecret };
}

/** Parses the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(CONFIG_VARIABLES)) {
    const raw = source[name];
    const value = raw === undefined || raw === '' ? spec.default : raw;
    const result = (spec.schema as z.ZodType).safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0];
      const expected =
        issue.code === 'invalid_value' && 'values' in issue
          ? `one of ${(issue.values as unknown[]).join(', ')}`
          : issue.code === 'too_small' || issue.code === 'too_big' || issue.code === 'invalid_type'
            ? `${spec.doc.split('.')[0].toLowerCase()} (${issue.message})`
            : issue.message;
      throw new ConfigError(name, expected);
    }
    parsed[name] = result.data;
  }
  const env = parsed as Parsed;
  if (env.SERVER_RUNS_JOBS === 'false' && !env.REDIS_URL) {
    throw new ConfigError('SERVER_RUNS_JOBS', 'true unless REDIS_URL is set (without Redis only the server itself can run jobs)');
  }
  if (env.NODE_ENV === 'production' && !env.ENCRYPTION_KEY) {
    throw new ConfigError('ENCRYPTION_KEY', 'set when NODE_ENV=production (a base64-encoded 32-byte key)');
  }
  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    database: { url: env.DATABASE_URL, dataDir: env.DATA_DIR, embedded: !env.DATABASE_URL, preparedStatements: env.DATABASE_PREPARED_STATEMENTS === 'true' },
    encryption: {
      key: env.ENCRYPTION_KEY ? Buffer.from(env.ENCRYPTION_KEY, 'base64') : undefined,
      keyId: env.ENCRYPTION_KEY_ID,
      previousKeys: (env.ENCRYPTION_PREVIOUS_KEYS ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean)
        .map((k) => Buffer.from(k, 'base64')),
    },
    logLevel: env.LOG_LEVEL,
    rateLimit: { max: env.RATE_LIMIT_MAX, windowMs: env.RATE_LIMIT_WINDOW_MS },
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    passthrough: { timeoutMs: env.PASSTHROUGH_TIMEOUT_MS, maxResponseBytes: env.PASSTHROUGH_MAX_RESPONSE_BYTES },
    sandbox: { mode: env.SANDBOX, contacts: env.SANDBOX_CONTACTS, seed: env.SANDBOX_SEED },
    vendors: Object.fromEntries(vendorConfigurations().map(([slug, c]) => [slug, credentials(parsed, c.clientId.name, c.clientSecret.name)])),
    vendorSettings: Object.fromEntries(
      vendorConfigurations().map(([slug, c]) => [slug, Object.fromEntries((c.settings ?? []).map((v) => [v.name, parsed[v.name] as string | undefined]))]),
    ),
    redisUrl: env.REDIS_URL,
    webhooks: {
      retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
      sandboxSelfDelivery: env.SANDBOX_WEBHOOKS === 'on' || (env.SANDBOX_WEBHOOKS === 'auto' && env.NODE_ENV !== 'test'),
      allowPrivateTargets: env.WEBHOOK_PRIVATE_TARGETS === 'allow' || (env.WEBHOOK_PRIVATE_TARGETS === 'auto' && env.NODE_ENV !== 'production'),
    },
    queue: {
      prefix: env.QUEUE_PREFIX,
      serverRunsJobs: env.SERVER_RUNS_JOBS === 'true',
      syncConcurrency: env.SYNC_CONCURRENCY,
      syncTickMs: env.SYNC_TICK_SECONDS * 1000,
      syncRetryBaseMs: env.SYNC_RETRY_BASE_MS,
      syncSchedule: env.SYNC_SCHEDULE === 'on',
    },
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
