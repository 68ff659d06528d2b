import { createRequire } from 'node:module';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC (not esbuild) so that Nest's decorator metadata is emitted in tests.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  // One graphql-js instance: Nest (loaded by Node) gets graphql's CommonJS entry, so tests must
  // too (Vite would pick its .mjs "module" entry and `instanceof GraphQLScalarType` would fail).
  resolve: { alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }] },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**', 'test/heavy/**'],
    testTimeout: 30_000,
    // On CI a test that fails once is run again; the default reporter marks it "(retry x1)"
    // and .ci/run lists such tests, so a flaky test is visible without sinking a landing.
    retry: process.env.CI ? 1 : 0,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
