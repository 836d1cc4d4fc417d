/**
 * Runs a benchmark compiled the way the package ships: `node bench/lib/run.mjs bench/x.ts`.
 *
 * tsx compiles with esbuild's `keepNames`, which wraps every closure created at run time in a
 * naming call (`__name(fn, "fn")`); the published build (tsup) has no such calls. On the hot
 * paths that is several percent of the CPU time, and it does not hit the baselines (a crypto
 * loop, a raw driver loop) equally. So benchmarks are bundled with esbuild, packages left as
 * imports, into a `.out/` folder next to the entry (ignored by git), and run with plain node.
 */
import { spawnSync } from 'node:child_process';
import { basename, dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bench/lib/run.mjs <bench file> [args...]');
  process.exit(2);
}
const source = resolve(entry);
// Next to the entry, so that its imports resolve from the same node_modules (bench/peers has
// its own).
const outfile = join(dirname(source), '.out', `${basename(source).replace(/\.ts$/, '')}.mjs`);
await build({
  entryPoints: [source],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
const run = spawnSync(process.execPath, [outfile, ...args], {
  stdio: 'inherit',
  cwd: process.cwd(),
});
process.exit(run.status ?? 1);
