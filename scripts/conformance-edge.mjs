/**
 * Runs the conformance check under Vercel's Edge runtime as the `edge-runtime` package
 * emulates it (a VM context with the Edge globals, no Node built-ins):
 * `npx -y -p edge-runtime@4.0.1 -- node scripts/conformance-edge.mjs`.
 *
 * Bundles `scripts/conformance-worker.mjs` as one script with esbuild and the conditions
 * Vercel's bundler uses (`edge-light`, `worker`, `browser`, `import`), registers it as a
 * `fetch` listener, dispatches one request and fails unless every step passed. The package is
 * found in npx's directory. With `--backend=<name>`, also fails unless the bundle holds that
 * crypto backend's dist/ file and no other.
 */
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { assertBackend, backendOf, expectedBackend } from './conformance-backend.mjs';

const bin = (process.env.PATH ?? '').split(delimiter).find((p) => p.includes('_npx'));
if (!bin) throw new Error('run through npx -p edge-runtime (see the header of this script)');
const { EdgeRuntime } = await import(
  pathToFileURL(join(bin, '..', 'edge-runtime', 'dist', 'index.js')).href
);

const root = new URL('..', import.meta.url).pathname;
const out = await build({
  stdin: {
    contents: `import worker from './scripts/conformance-worker.mjs';
addEventListener('fetch', (event) => event.respondWith(worker.fetch(event.request)));`,
    resolveDir: root,
    loader: 'js',
  },
  bundle: true,
  format: 'iife',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['edge-light', 'worker', 'browser', 'import'],
  // Not the repository's tsconfig: its `paths` map `phoneproof` to src/ for the typechecker.
  tsconfigRaw: {},
  write: false,
  logLevel: 'error',
  metafile: true,
});
// The backend is the one dist/crypto-*.js file bundled (esbuild resolved `#crypto-backend`).
const inputs = Object.keys(out.metafile.inputs);
const backend = assertBackend(
  inputs.map(backendOf).filter(Boolean),
  expectedBackend(process.argv),
  'Edge runtime',
);
const runtime = new EdgeRuntime({ initialCode: out.outputFiles[0].text });
const res = await runtime.dispatchFetch('http://localhost/');
const body = await res.json();
if (res.status !== 200) {
  console.error(`conformance on the Edge runtime failed:\n${body.error}`);
  process.exitCode = 1;
} else {
  console.log(
    `conformance on the Edge runtime (edge-runtime): ${body.steps.length} steps passed; ${backend}`,
  );
  console.log(`  ${body.steps.join(', ')}`);
}
