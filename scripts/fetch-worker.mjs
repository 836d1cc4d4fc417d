/**
 * Runs examples/fetch/worker.ts under workerd (Miniflare):
 * `npx -y -p miniflare@4.20260730.0 -- node scripts/fetch-worker.mjs [--compat=flags]`
 * (`--compat`: the comma-separated compatibility flags, default none: Web APIs only;
 * `--compat=nodejs_compat` gives the Worker Node's built-ins).
 * Bundles the Worker with esbuild (no alias, stub or external: nothing to configure), then
 * drives it through `dispatchFetch` (Miniflare sets CF-Connecting-IP as Cloudflare's
 * edge does): start, a wrong code, status, HEAD, an unknown route. The right code is not
 * checked here: the example's outbox lives inside the isolate. Miniflare is found in
 * npx's directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { backendSourcesPlugin } from './internal-imports.mjs';

const bin = (process.env.PATH ?? '').split(delimiter).find((p) => p.includes('_npx'));
if (!bin) throw new Error('run through npx -p miniflare (see the header of this script)');
const { Miniflare } = await import(
  pathToFileURL(join(bin, '..', 'miniflare', 'dist', 'src', 'index.js')).href
);

const arg = process.argv.find((a) => a.startsWith('--compat='));
const compat = (arg?.slice('--compat='.length) ?? '').split(',').filter(Boolean);
const dir = mkdtempSync(join(tmpdir(), 'pp-worker-'));
const root = new URL('..', import.meta.url).pathname;
await build({
  entryPoints: [join(root, 'examples/fetch/worker.ts')],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['workerd', 'worker', 'import'],
  // The sources' `#crypto-backend` as Wrangler resolves the package's: the noble backend (the
  // repository's tsconfig `paths`, for the typechecker, name Node's).
  plugins: [backendSourcesPlugin(['workerd', 'worker', 'import'])],
  external: compat.includes('nodejs_compat') ? ['node:*'] : [],
  outfile: join(dir, 'worker.mjs'),
  logLevel: 'error',
});
const mf = new Miniflare({
  // The bundle is the one module, listed as Wrangler lists what it uploads (Miniflare's own
  // module discovery refuses the run-time `import(specifier)` that loads the optional qrcode).
  modules: [{ type: 'ESModule', path: join(dir, 'worker.mjs') }],
  modulesRoot: dir,
  compatibilityDate: '2026-07-01',
  compatibilityFlags: compat,
});
const base = 'http://localhost/verify';
const json = (body) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const started = await mf.dispatchFetch(`${base}/verifications`, json({ phone: '+12133734253' }));
const { id } = await started.json();
const steps = [`start ${started.status}`];
const wrong = await mf.dispatchFetch(`${base}/verifications/${id}/check`, json({ code: '000000' }));
steps.push(`wrong code ${wrong.status} ${(await wrong.json()).error?.code}`);
const status = await mf.dispatchFetch(`${base}/verifications/${id}`);
steps.push(`status ${status.status} ${(await status.json()).status}`);
steps.push(
  `HEAD ${(await mf.dispatchFetch(`${base}/verifications/${id}`, { method: 'HEAD' })).status}`,
);
steps.push(`unknown ${(await mf.dispatchFetch(`${base}/nowhere`)).status}`);
await mf.dispose();
rmSync(dir, { recursive: true, force: true });
console.log(`workerd (Miniflare, flags: ${compat.join(',') || 'none'}):`, steps.join(', '));
const want = [
  'start 201',
  'wrong code 400 code_mismatch',
  'status 200 pending',
  'HEAD 200',
  'unknown 404',
];
if (steps.join() !== want.join()) process.exit(1);
