import { Command, CommanderError } from 'commander';
import { ApiKeysService } from '../auth/api-keys.service';
import { ConfigError, loadConfig } from '../config/config';
import { applyPendingMigrations } from '../database/migrations';
import { createDatabase, type PrismaService } from '../database/prisma.service';
import { OrganizationsService } from '../organizations/organizations.service';
import { resolveEncryptionKey } from '../crypto/encryption-key';
import { TokenVault } from '../crypto/vault';
import { rotateCredentialKeys } from '../linked-accounts/key-rotation';

/**
 * `npm run admin -- <command>`: organizations and API keys from the shell. On the embedded
 * database stop the server first (PGlite allows one process per data directory).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function withServices<T>(fn: (s: { prisma: PrismaService; orgs: OrganizationsService; keys: ApiKeysService }) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const prisma = createDatabase({ databaseUrl: config.database.url, dataDir: config.database.dataDir });
  try {
    await prisma.driver.ready();
    if (config.database.embedded) await applyPendingMigrations(prisma);
    const keys = new ApiKeysService(prisma);
    return await fn({ prisma, orgs: new OrganizationsService(prisma, keys), keys });
  } finally {
    await prisma.close();
  }
}

function requireUuid(value: string, what: string): string {
  if (!UUID.test(value)) throw new Error(`${what} must be a UUID (got "${value}")`);
  return value;
}

export function buildAdminProgram(out: (line: string) => void = (l) => process.stdout.write(l + '\n')): Command {
  const program = new Command('admin').description('Switchboard administration').exitOverride();

  program
    .command('org:create')
    .argument('<name>', 'organization name')
    .option('--key-name <name>', 'name of its first API key', 'default')
    .description('create an organization and its first API key (printed once)')
    .action(async (name: string, opts: { keyName: string }) => {
      await withServices(async ({ orgs }) => {
        const { organization, key } = await orgs.createWithKey(name, opts.keyName);
        out(`organization ${organization.id} "${organization.name}"`);
        out(`api key ${key.id} "${key.name}" (shown once, store it now):`);
        out(key.key);
      });
    });

  program
    .command('org:list')
    .description('list organizations')
    .action(async () => {
      await withServices(async ({ prisma }) => {
        for (const org of await prisma.organization.findMany({ orderBy: { createdAt: 'asc' } })) out(`${org.id}  ${org.createdAt.toISOString()}  ${org.name}`);
      });
    });

  program
    .command('key:create')
    .argument('<organization-id>')
    .option('--name <name>', 'key name', 'default')
    .description('create an API key for an organization (printed once)')
    .action(async (orgId: string, opts: { name: string }) => {
      await withServices(async ({ prisma, keys }) => {
        requireUuid(orgId, 'organization id');
        if (!(await prisma.organization.findUnique({ where: { id: orgId } }))) throw new Error(`no organization ${orgId}`);
        const key = await keys.create(orgId, opts.name);
        out(`api key ${key.id} "${key.name}" (shown once, store it now):`);
        out(key.key);
      });
    });

  program
    .command('key:list')
    .argument('<organization-id>')
    .description("list an organization's API keys (prefix, created, last used, revoked)")
    .action(async (orgId: string) => {
      await withServices(async ({ keys }) => {
        for (const k of await keys.list(requireUuid(orgId, 'organization id'))) {
          out(`${k.id}  ${k.keyPrefix}…  ${k.name}  created ${k.createdAt.toISOString()}  last used ${k.lastUsedAt?.toISOString() ?? 'never'}${k.revokedAt ? `  REVOKED ${k.revokedAt.toISOString()}` : ''}`);
        }
      });
    });

  program
    .command('key:revoke')
    .argument('<key-id>')
    .description('revoke an API key (takes effect within seconds in running servers)')
    .action(async (keyId: string) => {
      await withServices(async ({ prisma, keys }) => {
        requireUuid(keyId, 'key id');
        const row = await prisma.apiKey.findUnique({ where: { id: keyId } });
        if (!row) throw new Error(`no API key ${keyId}`);
        if (!(await keys.revoke(row.organizationId, keyId))) throw new Error(`API key ${keyId} was already revoked`);
        out(`revoked ${keyId}`);
      });
    });

  program
    .command('keys:rotate')
    .description('re-encrypt every stored vendor token under ENCRYPTION_KEY (old keys in ENCRYPTION_PREVIOUS_KEYS); safe while servers run')
    .action(async () => {
      const config = loadConfig(process.env);
      const current = resolveEncryptionKey(config);
      const vault = new TokenVault({ key: current.key, keyId: current.keyId }, config.encryption.previousKeys);
      await withServices(async ({ prisma }) => {
        const report = await rotateCredentialKeys(prisma, vault);
        out(`key ${vault.currentKeyId}: ${report.rotated} credential(s) re-encrypted, ${report.current} already current, ${report.failed.length} failed`);
        for (const f of report.failed) out(`failed ${f.linkedAccountId}: ${f.reason}`);
        if (report.failed.length) throw new Error(`${report.failed.length} credential(s) could not be re-encrypted (is the old key in ENCRYPTION_PREVIOUS_KEYS?)`);
      });
    });

  return program;
}

export async function runAdmin(argv: string[], out?: (line: string) => void): Promise<number> {
  try {
    await buildAdminProgram(out).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`admin: ${err instanceof ConfigError ? err.message : (err as Error).message.split('\n')[0]}\n`);
    return 1;
  }
}

if (require.main === module) {
  runAdmin(process.argv.slice(2)).then((code) => process.exit(code));
}
