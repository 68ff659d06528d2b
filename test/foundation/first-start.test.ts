import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildWorker } from '../support/worker-process';

/**
 * The README's promise for `npm start` on a fresh machine: the server comes up on the embedded
 * database and prints its URL and a development API key that works, and nothing else that looks
 * like a problem (a new warning at every start buries the banner and teaches people to ignore them).
 */
describe('first start (npm start on an empty data directory)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-first-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the URL and a working development API key, with no warnings but the generated encryption key', async () => {
    const main = join(buildWorker(), '..', 'main.js');
    const child = spawn(process.execPath, [main], {
      cwd: join(__dirname, '..', '..'),
      env: { PATH: process.env.PATH ?? '', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', SANDBOX_CONTACTS: '20' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    try {
      const banner = await new Promise<{ url: string; key: string }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner within 60 s:\n${out.slice(-3000)}`)), 60_000);
        const collect = (chunk: Buffer) => {
          out += chunk.toString();
          const url = /Switchboard is running at (http:\/\/\S+)/.exec(out)?.[1];
          const key = /\b(sbk_[A-Za-z0-9_-]+)/.exec(out)?.[1];
          if (url && key && out.includes('/api/crm/v1/ping')) {
            clearTimeout(timer);
            resolve({ url, key });
          }
        };
        child.stdout!.on('data', collect);
        child.stderr!.on('data', collect);
        child.once('exit', (code) => reject(new Error(`exited ${code} before the banner:\n${out.slice(-3000)}`)));
      });

      const ping = await fetch(`${banner.url}/api/crm/v1/ping`, { headers: { authorization: `Bearer ${banner.key}` } });
      expect(ping.status).toBe(200);
      const refused = await fetch(`${banner.url}/api/crm/v1/ping`, { headers: { authorization: 'Bearer sbk_not-a-key' } });
      expect(refused.status).toBe(401);

      const warnings = out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string })
        .filter((entry) => entry.level >= 40)
        .map((entry) => entry.msg);
      expect(warnings).toEqual(['generated a development encryption key (set ENCRYPTION_KEY in production)']);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
    }
  }, 90_000);
});
