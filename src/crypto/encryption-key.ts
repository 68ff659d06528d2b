import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/config';

export interface ResolvedEncryptionKey {
  key: Buffer;
  keyId: string;
  /** Where it came from, for the start-up message. */
  source: 'env' | 'generated' | 'data-dir';
  path?: string;
}

export const DEV_KEY_FILE = 'encryption.key';

/** Stable, non-secret id of a key: lets ciphertexts name the key that made them. */
export function keyIdOf(key: Buffer): string {
  return 'k' + createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * ENCRYPTION_KEY from the environment, or (outside production) a key generated once into the
 * data directory so a fresh machine needs no set-up. Production refuses to start without one
 * (config validation).
 */
export function resolveEncryptionKey(config: AppConfig): ResolvedEncryptionKey {
  if (config.encryption.key) {
    return { key: config.encryption.key, keyId: config.encryption.keyId ?? keyIdOf(config.encryption.key), source: 'env' };
  }
  const path = join(config.database.dataDir, DEV_KEY_FILE);
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${path} does not hold a base64 32-byte key; delete it or set ENCRYPTION_KEY`);
    return { key, keyId: keyIdOf(key), source: 'data-dir', path };
  }
  mkdirSync(config.database.dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { key, keyId: keyIdOf(key), source: 'generated', path };
}
