/**
 * The vitest configuration that mutation testing (`npm run mutate`) runs: the tests that need
 * no service (no Redis, no PostgreSQL, no browser) and finish in seconds, so that each mutant
 * is judged quickly on any machine. Left out: load, browser, examples and fuzz; the suites
 * that talk to Redis or PostgreSQL (`test/abuse/contract-services`, adapters other than
 * memory); and the long model-based runs (`test/property/verifier-model`, `test/abuse/model`,
 * `test/consent/model`, `test/security/guess-bound`, 10 to 25 s each): they cover nearly all
 * of `src/core`, so every surviving mutant would run them all (a minute per mutant).
 * The HTTP and sender suites drive the same core through the shell and are left out for the
 * same reason; the core's behaviour is tested directly by the unit suites.
 * `MUTATE_INCLUDE` (comma-separated globs) adds files for one run, e.g. to measure what the
 * HTTP signature suite catches: `MUTATE_INCLUDE=test/http/signatures.test.ts`.
 * @module
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { backendSources } from './scripts/internal-imports.mjs';

const extra = (process.env.MUTATE_INCLUDE ?? '').split(',').filter((g) => g !== '');

export default defineConfig({
  resolve: {
    // `#crypto-backend` to the source of the backend Node resolves (the `node` condition).
    alias: Object.entries(backendSources(['node'])).map(([find, file]) => ({
      find,
      replacement: resolve(import.meta.dirname, file),
    })),
  },
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/property/**/*.test.ts',
      'test/security/**/*.test.ts',
      'test/abuse/**/*.test.ts',
      'test/consent/**/*.test.ts',
      'test/proof/**/*.test.ts',
      'test/totp/**/*.test.ts',
      'test/crypto/**/*.test.ts',
      'adapters/memory/**/*.test.ts',
      'src/**/*.test.ts',
      ...extra,
    ],
    exclude: [
      '**/node_modules/**',
      'test/unit/docs.test.ts',
      'test/abuse/contract-services.test.ts',
      'test/abuse/model.test.ts',
      'test/property/verifier-model.test.ts',
      'test/consent/model.test.ts',
      'test/security/guess-bound.test.ts',
      // These mock a module (node:crypto, qrcode), which needs each file isolated.
      'test/security/constant-time.test.ts',
      'test/totp/qr-missing.test.ts',
      // Mocks #crypto-backend to reach the noble backend: run it alone (see docs/testing.md).
      'test/crypto/stored-formats.noble.test.ts',
    ],
    // One module graph for all files of a run: each mutant's run then costs its tests, not a
    // fresh import of the library per test file (the suites keep no state between files; the two that mock a module are left out).
    isolate: false,
    // A fixed fast-check seed, so property tests keep their names across runs and count.
    setupFiles: ['test/support/mutate-seed.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
