import { startStandalone } from '../src/sandbox/common/standalone';
import type { SandboxVendor } from '../src/sandbox/common/emulator';
import { createEmulator } from '../src/sandbox/registry';

/** Child process of bench:sync: one emulator (limits on or off) on its own core, reporting its CPU and RSS. */
async function main(): Promise<void> {
  const vendor = process.argv[2] as SandboxVendor;
  const contacts = Number(process.argv[3] ?? 10_000);
  const rateLimits = process.argv[4] === 'limits';
  const running = await startStandalone(createEmulator(vendor, { seed: 7, contacts, rateLimits }), { port: 0 });
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'stats') process.send?.({ type: 'stats', usage: process.cpuUsage(), rss: process.memoryUsage().rss, apiRequests: running.emulator.runtime.apiRequests });
    if (msg.type === 'stop') void running.close().then(() => process.exit(0));
  });
  process.send?.({ type: 'ready', url: running.url });
}

void main();
