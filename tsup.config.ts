import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { entryPoints } from './scripts/entries';

const pkg = JSON.parse(readFileSync('./package.json', 'utf8')) as {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

/**
 * One CommonJS build with code splitting, so every subpath shares one copy of the core.
 * `scripts/esm-wrappers.mjs` then writes a thin ESM wrapper per entry that re-exports
 * the CommonJS module: ESM and `require` users get the very same objects (no dual-package
 * hazard).
 */
export default defineConfig({
  entry: entryPoints(),
  format: ['cjs'],
  splitting: true,
  dts: true,
  clean: true,
  sourcemap: false,
  target: 'node20',
  platform: 'node',
  treeshake: true,
  external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})],
});
