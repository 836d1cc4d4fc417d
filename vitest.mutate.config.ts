/**
 * The vitest configuration that mutation testing (`npm run mutate`) runs: every test that
 * needs no service (no Redis, no PostgreSQL, no browser, no network), so a mutant is judged by
 * the same suites on any machine. Load, browser, examples, fuzz and the adapters that talk to
 * a server are left out; `adapters/memory` is in.
 * @module
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/property/**/*.test.ts',
      'test/security/**/*.test.ts',
      'test/abuse/**/*.test.ts',
      'test/consent/**/*.test.ts',
      'test/proof/**/*.test.ts',
      'test/totp/**/*.test.ts',
      'test/senders/**/*.test.ts',
      'test/http/**/*.test.ts',
      'adapters/memory/**/*.test.ts',
      'src/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
