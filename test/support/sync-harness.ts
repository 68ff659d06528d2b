import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../src/database/testing';
import type { EmulatorSettings } from '../../src/sandbox/common/emulator';
import { startStandalone, type RunningEmulator } from '../../src/sandbox/common/standalone';
import { createEmulator, type SandboxVendor } from '../../src/sandbox/registry';
import { startSyncContext } from '../../src/sync/testing';

export interface SyncHarness {
  db: TestDatabase;
  emu: RunningEmulator;
  /** The sync module graph (engine, connections, store writer) on `db`, with `emu` as its sandbox. */
  ctx: INestApplicationContext;
}

/**
 * A scratch database, one standalone emulator of `vendor` and a sync context over both: opened in
 * the enclosing describe's beforeAll and closed in its afterAll. Call it inside describe(); the
 * fields are set once that beforeAll has run (beforeAll hooks registered after it see them).
 */
export function syncHarness(vendor: SandboxVendor, settings: Partial<EmulatorSettings>): SyncHarness {
  const h = {} as SyncHarness;
  beforeAll(async () => {
    h.db = await createTestDatabase();
    h.emu = await startStandalone(createEmulator(vendor, settings));
    h.ctx = await startSyncContext(h.db.prisma, [h.emu]);
  }, 120_000);
  afterAll(async () => {
    await h.ctx?.close();
    await h.emu?.close();
    await h.db?.close();
  });
  return h;
}
