import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { entryPoints } from './scripts/entries';
import { internalEntryPoints } from './scripts/internal-imports.mjs';

const pkg = JSON.parse(readFileSync('./package.json', 'utf8')) as {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  imports?: Record<string, unknown>;
};

/**
 * One ES module build with code splitting: every subpath shares one copy of the core, and
 * bundlers tree-shake it (`sideEffects: false`). `scripts/cjs-faces.mjs` then writes a
 * CommonJS face per entry, `module.exports = require('./<entry>.js')`, which Node 20.19+
 * loads with `require(esm)`: `import` and `require` get the very same module instance (no
 * dual-package hazard), and it gives `require` users CommonJS types (`.d.cts`).
 * docs/install.md explains the choice.
 *
 * The two crypto backends are entries of their own (`dist/crypto-node.js`,
 * `dist/crypto-noble.js`) and `#crypto-backend` stays as written: package.json `imports`
 * maps it per runtime (the `node` condition, else the default), so a runtime loads one backend.
 */
export default defineConfig({
  entry: { ...entryPoints(), ...internalEntryPoints() },
  format: ['esm'],
  splitting: true,
  dts: true,
  clean: true,
  sourcemap: false,
  target: 'node20',
  platform: 'node',
  treeshake: true,
  // Keep `node:crypto` as written: tsup strips the prefix by default, and Deno, Bun and
  // Workers' nodejs_compat know Node's modules by their `node:` names.
  removeNodeProtocol: false,
  external: [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
    ...Object.keys(pkg.imports ?? {}),
  ],
});
