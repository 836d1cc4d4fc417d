import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { sourceAliases } from './scripts/entries';
import { backendSources } from './scripts/internal-imports.mjs';

export default defineConfig({
  resolve: {
    // `phoneproof` and `phoneproof/<subpath>` resolve to their source entries, so that code
    // written as an outside package would write it (examples/custom-store) runs unbuilt.
    // `#crypto-backend` to the source of the backend Node resolves (the `node` condition).
    alias: Object.entries({ ...sourceAliases(), ...backendSources(['node']) }).map(
      ([specifier, file]) => ({
        find: new RegExp(`^${specifier.replace('/', '\\/')}$`),
        replacement: resolve(import.meta.dirname, file),
      }),
    ),
  },
  test: {
    include: [
      'test/**/*.test.ts',
      'adapters/**/*.test.ts',
      'src/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
