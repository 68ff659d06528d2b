import Fastify, { type FastifyInstance } from 'fastify';
import type { SandboxEmulator } from './emulator';

export interface RunningEmulator {
  emulator: SandboxEmulator;
  app: FastifyInstance;
  /** Base URL of the emulator, e.g. http://127.0.0.1:4001 (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

/** Serves one emulator on its own port (tests, benchmarks, `npm run sandbox`). */
export async function startStandalone(emulator: SandboxEmulator, options: { port?: number; host?: string } = {}): Promise<RunningEmulator> {
  const app = Fastify({ logger: false, keepAliveTimeout: 65_000, bodyLimit: 10 * 1024 * 1024 });
  await app.register(emulator.plugin);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    emulator,
    app,
    url: `http://${host}:${port}`,
    close: async () => {
      await emulator.runtime.webhooks.drain();
      await app.close();
    },
  };
}
