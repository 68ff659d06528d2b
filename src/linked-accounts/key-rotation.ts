import type { PrismaService } from '../database/prisma.service';
import type { TokenVault } from '../crypto/vault';

export interface RotationReport {
  /** Credentials re-encrypted under the current key. */
  rotated: number;
  /** Already under the current key. */
  current: number;
  /** Could not be decrypted (key not configured) or kept changing; listed by linked account id. */
  failed: { linkedAccountId: string; reason: string }[];
}

/**
 * Re-encrypts every linked-account credential under the vault's current key, row by row, while
 * servers keep running: each write is optimistic on (version, key_id), so a refresh that commits
 * in between wins and the row is simply re-read (a refresh already writes under the current key).
 * The version is not bumped: rotation never makes a concurrent refresh lose its write.
 */
export async function rotateCredentialKeys(prisma: PrismaService, vault: TokenVault, options: { batchSize?: number } = {}): Promise<RotationReport> {
  const report: RotationReport = { rotated: 0, current: 0, failed: [] };
  const batch = options.batchSize ?? 100;
  let after: string | undefined;
  for (;;) {
    const rows = await prisma.linkedAccountCredential.findMany({
      where: after ? { linkedAccountId: { gt: after } } : {},
      orderBy: { linkedAccountId: 'asc' },
      take: batch,
      select: { linkedAccountId: true },
    });
    if (!rows.length) break;
    after = rows[rows.length - 1]!.linkedAccountId;
    for (const { linkedAccountId } of rows) {
      let done = false;
      for (let attempt = 0; attempt < 5 && !done; attempt++) {
        const row = await prisma.linkedAccountCredential.findUnique({ where: { linkedAccountId } });
        if (!row) {
          done = true; // deleted meanwhile
          break;
        }
        const underCurrent =
          row.keyId === vault.currentKeyId &&
          vault.keyIdOf(row.accessTokenCipher) === vault.currentKeyId &&
          (!row.refreshTokenCipher || vault.keyIdOf(row.refreshTokenCipher) === vault.currentKeyId);
        if (underCurrent) {
          report.current++;
          done = true;
          break;
        }
        let access: string;
        let refresh: string | null;
        try {
          access = vault.decrypt(row.accessTokenCipher, `${linkedAccountId}:access`);
          refresh = row.refreshTokenCipher ? vault.decrypt(row.refreshTokenCipher, `${linkedAccountId}:refresh`) : null;
        } catch (err) {
          report.failed.push({ linkedAccountId, reason: (err as Error).message });
          done = true;
          break;
        }
        const updated = await prisma.linkedAccountCredential.updateMany({
          where: { linkedAccountId, version: row.version, keyId: row.keyId, accessTokenCipher: row.accessTokenCipher },
          data: {
            accessTokenCipher: vault.encrypt(access, `${linkedAccountId}:access`),
            refreshTokenCipher: refresh === null ? null : vault.encrypt(refresh, `${linkedAccountId}:refresh`),
            keyId: vault.currentKeyId,
          },
        });
        if (updated.count === 1) {
          report.rotated++;
          done = true;
        }
      }
      if (!done) report.failed.push({ linkedAccountId, reason: 'kept changing during rotation; run again' });
    }
  }
  return report;
}
