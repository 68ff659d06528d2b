import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { keyIdOf } from './encryption-key';

/**
 * Per-value authenticated encryption for secrets at rest (vendor access and refresh tokens):
 * AES-256-GCM with a random 96-bit IV per value and the key id inside the envelope, so keys can
 * be rotated while old values stay readable:  v1.<keyId>.<iv>.<tag>.<ciphertext>  (base64url).
 * The linked account id is bound as additional authenticated data, so a ciphertext copied to
 * another row does not decrypt.
 */
export class TokenVault {
  private readonly keys = new Map<string, Buffer>();

  constructor(
    current: { key: Buffer; keyId: string },
    previous: Buffer[] = [],
  ) {
    if (current.key.length !== 32) throw new Error('encryption key must be 32 bytes');
    this.currentKeyId = current.keyId;
    this.keys.set(current.keyId, current.key);
    for (const key of previous) if (!this.keys.has(keyIdOf(key))) this.keys.set(keyIdOf(key), key);
  }

  readonly currentKeyId: string;

  get knownKeyIds(): string[] {
    return [...this.keys.keys()];
  }

  encrypt(plaintext: string, context: string): string {
    const key = this.keys.get(this.currentKeyId) as Buffer;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.currentKeyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  decrypt(envelope: string, context: string): string {
    const parts = envelope.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') throw new Error('not a vault envelope');
    const [, keyId, iv, tag, ct] = parts;
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`encryption key ${keyId} is not configured (set it in ENCRYPTION_PREVIOUS_KEYS)`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  keyIdOf(envelope: string): string | undefined {
    const parts = envelope.split('.');
    return parts.length === 5 ? parts[1] : undefined;
  }
}

export const TOKEN_VAULT = Symbol('TOKEN_VAULT');
