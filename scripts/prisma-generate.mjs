#!/usr/bin/env node
// Runs `prisma generate` without network access (package.json "postinstall").
//
// Prisma 7 looks for its native schema-engine binary even for `generate`, and would try to
// download it. Generation does not actually use it, so point PRISMA_SCHEMA_ENGINE_BINARY at a
// stub executable that exits 1 (unless the caller already set it), and switch off the
// update check and telemetry, which would also call out to the network.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
  console.error(`prisma-generate: ${message}`);
  process.exit(1);
}

function stubEngineDir() {
  const preferred = join(root, 'node_modules', '.cache', 'switchboard');
  try {
    mkdirSync(preferred, { recursive: true });
    return preferred;
  } catch {
    const fallback = join(tmpdir(), 'switchboard-prisma');
    mkdirSync(fallback, { recursive: true });
    return fallback;
  }
}

function ensureStubEngine() {
  const isWindows = process.platform === 'win32';
  const stub = join(stubEngineDir(), isWindows ? 'schema-engine-stub.cmd' : 'schema-engine-stub');
  if (!existsSync(stub)) {
    writeFileSync(
      stub,
      isWindows
        ? '@echo off\r\necho schema-engine stub: use npm run db:migrate / db:migration 1>&2\r\nexit /b 1\r\n'
        : '#!/bin/sh\necho "schema-engine stub: use npm run db:migrate / db:migration" >&2\nexit 1\n',
    );
  }
  if (!isWindows) chmodSync(stub, 0o755);
  return stub;
}

const env = { ...process.env };
env.PRISMA_HIDE_UPDATE_MESSAGE ??= '1';
env.CHECKPOINT_DISABLE ??= '1';
env.PRISMA_DISABLE_WARNINGS ??= '1';
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  try {
    env.PRISMA_SCHEMA_ENGINE_BINARY = ensureStubEngine();
  } catch (error) {
    fail(`could not create the schema-engine stub: ${error instanceof Error ? error.message : error}`);
  }
}

let cli;
try {
  cli = createRequire(join(root, 'package.json')).resolve('prisma/build/index.js');
} catch {
  fail('the `prisma` package is not installed; run `npm ci` (or `npm install`) first.');
}

const result = spawnSync(process.execPath, [cli, 'generate'], { cwd: root, env, stdio: 'inherit' });
if (result.error) fail(`could not run prisma generate: ${result.error.message}`);
if (result.status !== 0) {
  fail(
    `\`prisma generate\` failed (exit ${result.status ?? result.signal}). ` +
      'Check prisma/schema.prisma and prisma.config.ts; the client is written to src/generated/prisma.',
  );
}
