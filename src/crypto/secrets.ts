import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secrets we hand out (API keys, account tokens, public tokens) are random, prefixed so that
 * secret scanners and people can tell them apart, and stored only as a SHA-256 digest: they have
 * 256 bits of entropy, so a fast hash is enough (no password-style stretching needed).
 */
export function generateSecret(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
