import { createServer } from 'node:net';

/**
 * A loopback port that was free a moment ago, for a server whose URL must be known before it
 * listens (PUBLIC_URL of test and benchmark servers).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
