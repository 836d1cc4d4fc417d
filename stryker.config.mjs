/**
 * Mutation testing of the security core (`npm run mutate`, see docs/testing.md).
 * Not part of CI: on 2 cores a full run takes tens of minutes; the incremental file makes a
 * rerun after a small change re-test only the changed mutants.
 * Other code: `npm run mutate -- --mutate 'src/secrets.ts,src/codes.ts'`.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', pool: 'threads' },
  mutate: ['src/core/**/*.ts'],
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  // One core for the mutants: the machine has two and other work shares them.
  concurrency: 1,
  timeoutMS: 20_000,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null },
};
