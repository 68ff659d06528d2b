import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * `npm run worker` as a real child process for end-to-end tests (SIGKILL, SIGTERM, several
 * workers on Redis). The sources are compiled once per test file into node_modules/.cache (not
 * dist/, which other builds may be rewriting), then `src/worker.js` runs from there.
 */

const ROOT = join(__dirname, '..', '..');
let built: string | undefined;

/** Compiles src/ with the project's SWC settings; returns the path of worker.js. */
export function buildWorker(): string {
  if (built) return built;
  const out = join(ROOT, 'node_modules', '.cache', 'switchboard', `worker-build-${process.pid}`);
  execFileSync(join(ROOT, 'node_modules', '.bin', 'swc'), ['src', '-d', out, '--copy-files', '-q'], { cwd: ROOT, stdio: 'pipe' });
  built = join(out, 'src', 'worker.js');
  if (!existsSync(built)) throw new Error(`worker build did not produce ${built}`);
  return built;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything written so far (JSON log lines). */
  output(): string;
  /** Resolves with the exit code / signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the worker logged that it started. */
  started: Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

export function startWorker(env: Record<string, string>): WorkerProcess {
  const script = buildWorker();
  const child = spawn(process.execPath, [script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', SANDBOX_CONTACTS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let onStart: () => void;
  let onFail: (e: Error) => void;
  const started = new Promise<void>((resolve, reject) => {
    onStart = resolve;
    onFail = reject;
  });
  const collect = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('"worker started"')) onStart();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      onFail(new Error(`worker exited (${code ?? signal}) before starting:\n${out.slice(-2000)}`));
      resolve({ code, signal });
    });
  });
  return { child, output: () => out, exited, started, kill: (signal) => child.kill(signal) };
}

/** The PostgreSQL server the child-process tests use (they need one: PGlite serves one process). */
export const TEST_POSTGRES_URL = process.env.DATABASE_URL?.trim() || 'postgresql://postgres@127.0.0.1:5432/postgres';

export async function postgresReachable(url = TEST_POSTGRES_URL): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Removes this test process's worker build. */
export function removeWorkerBuild(): void {
  if (!built) return;
  const dir = join(built, '..', '..');
  built = undefined;
  rmSync(dir, { recursive: true, force: true });
}
