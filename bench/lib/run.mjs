/**
 * Runs a benchmark compiled the way the package ships: `node bench/lib/run.mjs bench/x.ts`.
 *
 * tsx compiles with esbuild's `keepNames`, which wraps every closure created at run time in a
 * naming call (`__name(fn, "fn")`); the published build (tsup) has no such calls. On the hot
 * paths that is several percent of the CPU time, and it does not hit the baselines (a crypto
 * loop, a raw driver loop) equally. So benchmarks are bundled with esbuild, dependencies left
 * as imports, into `bench/.out/` (ignored by git), and run with plain node.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bench/lib/run.mjs <bench file> [args...]');
  process.exit(2);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys({
  ...pkg.dependencies,
  ...pkg.devDependencies,
  ...pkg.peerDependencies,
});
const outfile = join(root, 'bench/.out', `${basename(entry).replace(/\.ts$/, '')}.mjs`);
await build({
  entryPoints: [resolve(entry)],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  sourcemap: 'inline',
  logLevel: 'warning',
  // Bundled CommonJS dependencies (none expected) would need `require`.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
});
const run = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...args], {
  stdio: 'inherit',
  cwd: process.cwd(),
});
process.exit(run.status ?? 1);
