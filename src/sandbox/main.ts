import { type RunningEmulator, startStandalone } from './common/standalone';
import { createEmulator, SANDBOX_VENDORS } from './registry';

/**
 * `npm run sandbox`: the three vendor emulators on their own ports (SANDBOX_PORT, default 4001,
 * then +1 and +2), for trying SDKs or running benchmarks against them.
 */
async function main(): Promise<void> {
  const base = Number(process.env.SANDBOX_PORT ?? 4001);
  const host = process.env.HOST ?? '127.0.0.1';
  const contacts = Number(process.env.SANDBOX_CONTACTS ?? 200);
  const seed = Number(process.env.SANDBOX_SEED ?? 1);
  if (!Number.isInteger(base) || base < 0 || base > 65533) throw new Error('SANDBOX_PORT must be a port number');
  if (!Number.isInteger(contacts) || contacts < 0 || contacts > 1_000_000) throw new Error('SANDBOX_CONTACTS must be an integer between 0 and 1000000');
  const running: RunningEmulator[] = [];
  for (const [i, vendor] of SANDBOX_VENDORS.entries()) {
    running.push(await startStandalone(createEmulator(vendor, { seed, contacts }), { port: base === 0 ? 0 : base + i, host }));
  }
  const lines = ['', '  Sandbox vendors running:', ''];
  for (const r of running) lines.push(`    ${r.emulator.vendor.padEnd(11)} ${r.url}    (control API: ${r.url}/__sandbox)`);
  lines.push('', `  ${contacts} contacts per tenant, seed ${seed}. Ctrl-C stops them.`, '');
  process.stdout.write(lines.join('\n') + '\n');
  const stop = async () => {
    await Promise.all(running.map((r) => r.close()));
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`sandbox: ${(err as Error).message}\n`);
  process.exit(1);
});
