/**
 * Runs the conformance check under workerd (Miniflare):
 * `npx -y -p miniflare@4.20260730.0 -- node scripts/conformance-workerd.mjs [--compat=flags]`.
 *
 * Bundles `scripts/conformance-worker.mjs` with esbuild as a Worker bundler would (the
 * `workerd` / `worker` / `import` conditions, so `phoneproof` resolves to the built `dist/`),
 * with no alias or stub for anything, then runs it in workerd and fails unless every step
 * passed. `--compat` is the comma-separated list of compatibility flags (default: none, Web
 * APIs only; `--compat=nodejs_compat` gives the Worker Node's built-ins). Miniflare is found
 * in npx's directory. With `--backend=<name>`, also fails unless the bundle holds that crypto
 * backend's dist/ file and no other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { assertBackend, backendOf, expectedBackend } from './conformance-backend.mjs';

const arg = process.argv.find((a) => a.startsWith('--compat='));
const compat = (arg?.slice('--compat='.length) ?? '').split(',').filter(Boolean);
const bin = (process.env.PATH ?? '').split(delimiter).find((p) => p.includes('_npx'));
if (!bin) throw new Error('run through npx -p miniflare (see the header of this script)');
const { Miniflare } = await import(
  pathToFileURL(join(bin, '..', 'miniflare', 'dist', 'src', 'index.js')).href
);

/**
 * With `nodejs_compat`, Node's built-ins are left to workerd, and a `require` of one (which
 * an ES module bundle cannot do) becomes an import, as Wrangler's bundler does.
 */
const nodeBuiltins = {
  name: 'node-builtins',
  setup(b) {
    const names = new RegExp(`^(node:)?(${builtinModules.join('|').replace(/\//g, '\\/')})$`);
    b.onResolve({ filter: names }, (a) =>
      a.kind === 'require-call'
        ? { path: a.path, namespace: 'node-require' }
        : { path: a.path.startsWith('node:') ? a.path : `node:${a.path}`, external: true },
    );
    b.onLoad({ filter: /.*/, namespace: 'node-require' }, (a) => ({
      contents: `import m from '${a.path.startsWith('node:') ? a.path : `node:${a.path}`}'; module.exports = m;`,
      loader: 'js',
    }));
  },
};

const dir = mkdtempSync(join(tmpdir(), 'pp-conformance-'));
const root = new URL('..', import.meta.url).pathname;
const bundled = await build({
  entryPoints: [join(root, 'scripts/conformance-worker.mjs')],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['workerd', 'worker', 'import'],
  plugins: compat.includes('nodejs_compat') ? [nodeBuiltins] : [],
  outfile: join(dir, 'worker.mjs'),
  // Not the repository's tsconfig: its `paths` map `phoneproof` to src/ for the typechecker.
  tsconfigRaw: {},
  logLevel: 'error',
  metafile: true,
});
// The backend is the one dist/crypto-*.js file bundled (esbuild resolved `#crypto-backend`).
const inputs = Object.keys(bundled.metafile.inputs);
const backend = assertBackend(
  inputs.map(backendOf).filter(Boolean),
  expectedBackend(process.argv),
  'workerd',
);
const mf = new Miniflare({
  // The bundle is the one module, listed as Wrangler lists what it uploads (Miniflare's own
  // module discovery refuses the run-time `import(specifier)` that loads the optional qrcode).
  modules: [{ type: 'ESModule', path: join(dir, 'worker.mjs') }],
  modulesRoot: dir,
  compatibilityDate: '2026-07-01',
  compatibilityFlags: compat,
});
try {
  const res = await mf.dispatchFetch('http://localhost/');
  const out = await res.json();
  if (res.status !== 200) {
    console.error(
      `conformance on workerd (flags: ${compat.join(',') || 'none'}) failed:\n${out.error}`,
    );
    process.exitCode = 1;
  } else {
    console.log(
      `conformance on ${out.runtime} (flags: ${compat.join(',') || 'none'}): ${out.steps.length} steps passed; ${backend}`,
    );
    console.log(`  ${out.steps.join(', ')}`);
  }
} finally {
  await mf.dispose();
  rmSync(dir, { recursive: true, force: true });
}
