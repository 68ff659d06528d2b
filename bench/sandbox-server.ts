import { startStandalone } from '../src/sandbox/common/standalone';
import type { SandboxVendor } from '../src/sandbox/common/emulator';
import { createEmulator } from '../src/sandbox/registry';

/** Child process of bench:sandbox: one emulator on its own core, reporting its CPU time on request. */
async function main(): Promise<void> {
  const vendor = process.argv[2] as SandboxVendor;
  const contacts = Number(process.argv[3] ?? 10_000);
  const running = await startStandalone(createEmulator(vendor, { seed: 7, contacts }), { port: 0 });
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'cpu') process.send?.({ type: 'cpu', usage: process.cpuUsage(), rss: process.memoryUsage().rss });
    if (msg.type === 'stop') void running.close().then(() => process.exit(0));
  });
  process.send?.({ type: 'ready', url: running.url });
}

void main();
