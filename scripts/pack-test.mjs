// Packs the library, installs the tarball into a scratch project and imports every
// subpath from ESM and from CommonJS. Also proves both module systems share one instance
// (the CommonJS faces `require` the ES modules: Node 20.19+'s require(esm)), that loading them
// prints no warning, and runs examples/custom-store's test against the packed phoneproof/testing.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const subpaths = Object.keys(pkg.exports)
  .filter((s) => s !== './package.json')
  .map((s) => (s === '.' ? 'phoneproof' : `phoneproof/${s.slice(2)}`));
// Entries with types only: nothing to import at runtime, but their module must load.
const typeOnly = new Set(['phoneproof/types']);

// One copy of the core: each core function is defined in exactly one built ES module,
// whichever subpath pulls it in (code splitting), so there is one module instance per process;
// the CommonJS faces hold no code of their own: they require their ES module and re-export
// its names through getters.
const distFiles = readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.js'));
const faceLine =
  /^(?:'use strict';|\/\/.*|const m = require\('\.\/[\w-]+\.js'\);|Object\.defineProperty\(exports, '(?:__esModule', \{ value: true \}|(\w+)', \{ enumerable: true, get: \(\) => m\['\1'\] \})\);|)$/;
for (const face of readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.cjs'))) {
  const text = readFileSync(join(root, 'dist', face), 'utf8');
  const bad = text.split('\n').filter((l) => !faceLine.test(l));
  if (bad.length || !text.includes(`require('./${face.replace(/\.cjs$/, '.js')}')`))
    throw new Error(`dist/${face} is not a CommonJS face of its ES module: ${bad.join(' | ')}`);
}
for (const marker of [
  'function decodeState(',
  'function normalizePhone(',
  'function keyring(',
  'function createVerifier(',
  // The opt-in features: one copy each, reached from their own entries (phoneproof/totp,
  // phoneproof/consent), never from the core's files.
  'function makeTotp(',
  'function consentFeature(',
]) {
  const holders = distFiles.filter((f) =>
    readFileSync(join(root, 'dist', f), 'utf8').includes(marker),
  );
  if (holders.length !== 1)
    throw new Error(`${marker} is defined in ${holders.length} built files: ${holders.join(', ')}`);
}

const packDir = join(root, '.pack');
rmSync(packDir, { recursive: true, force: true });
mkdirSync(packDir);
const out = execFileSync('npm', ['pack', '--json', '--pack-destination', packDir], {
  cwd: root,
  encoding: 'utf8',
});
const tarball = join(packDir, JSON.parse(out)[0].filename);

const dir = mkdtempSync(join(tmpdir(), 'phoneproof-pack-'));
writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'pack-test', private: true }));
// The optional peers (frameworks, database clients) at the versions this repo tests with.
const peers = Object.keys(pkg.peerDependencies ?? {}).map((name) => {
  const installed = JSON.parse(
    readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'),
  );
  return `${name}@${installed.version}`;
});
execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...peers], {
  cwd: dir,
  stdio: 'inherit',
});

const flow = `
  const v = createVerifier({ secret: 'x'.repeat(32), store: memoryStore(), sender: outbox });
  const s = await v.start({ phone: '+12133734253' });
  if (s.isErr()) throw new Error('start failed: ' + s.error.code);
  const c = await v.check({ id: s.value.id, code: outbox.last().code });
  if (!c.isOk() || c.value.phone !== '+12133734253') throw new Error('check failed');
  // The opt-in features, from their own entries.
  const f = createVerifier({ secret: 'x'.repeat(32), store: memoryStore(), sender: outbox,
    consent: consent({ ledger: memoryConsentLedger() }), totp: totp({ qr: false }) });
  if (!f.consent.enabled) throw new Error('consent not configured');
  if ((await f.totp.enroll({ subject: 'user-1' })).isErr()) throw new Error('totp enroll failed');
  if ((await v.totp.enroll({ subject: 'user-1' })).isOk()) throw new Error('totp without totp()');
`;
writeFileSync(
  join(dir, 'esm.mjs'),
  `import { createRequire } from 'node:module';
import { createVerifier, maskPhone } from 'phoneproof';
import { outboxSender } from 'phoneproof/testing';
import { memoryConsentLedger, memoryStore } from 'phoneproof/memory';
import { consent } from 'phoneproof/consent';
import { totp } from 'phoneproof/totp';
${subpaths.map((s, i) => `import * as m${i} from '${s}';`).join('\n')}
const require = createRequire(import.meta.url);
for (const [name, mod] of Object.entries({ ${subpaths.map((s, i) => `'${s}': m${i}`).join(', ')} })) {
  if (Object.keys(mod).length === 0 && !${JSON.stringify([...typeOnly])}.includes(name)) throw new Error(name + ' exports nothing');
  const cjs = require(name);
  for (const key of Object.keys(mod)) {
    if (mod[key] !== cjs[key]) throw new Error(name + '.' + key + ' differs between import and require');
  }
}
// Class identity across module systems: an error made by the required class is an instance
// of the imported one (instanceof in application code holds whichever way it loaded us).
const ports = await import('phoneproof/ports');
for (const name of ['StoreConflictError', 'CorruptRecordError']) {
  const Required = require('phoneproof/ports')[name];
  if (!(new Required('x') instanceof ports[name])) throw new Error(name + ' differs between import and require');
}
const outbox = outboxSender();
${flow}
console.log('esm ok:', maskPhone('+12133734253'));
`,
);
writeFileSync(
  join(dir, 'cjs.cjs'),
  `const { createVerifier } = require('phoneproof');
const { outboxSender } = require('phoneproof/testing');
const { memoryConsentLedger, memoryStore } = require('phoneproof/memory');
const { consent } = require('phoneproof/consent');
const { totp } = require('phoneproof/totp');
${subpaths.map((s) => `if (Object.keys(require('${s}')).length === 0 && !${typeOnly.has(s)}) throw new Error('${s} exports nothing');`).join('\n')}
(async () => {
  const outbox = outboxSender();
  ${flow}
  console.log('cjs ok');
})().catch((e) => { console.error(e); process.exit(1); });
`,
);
// The crypto backend is chosen by module resolution (package.json `imports`): Node matches the
// `node` condition, so the installed package reaches Node's backend, and a bundle for the Web
// (no `node` condition) the portable one.
const installed = createRequire(join(dir, 'node_modules/phoneproof/dist/index.js'));
for (const [resolved, want] of [
  [installed.resolve('#crypto-backend'), 'crypto-node.js'],
  [
    (
      await build({
        stdin: { contents: "import 'phoneproof';", resolveDir: dir },
        bundle: true,
        write: false,
        metafile: true,
        platform: 'browser',
        logLevel: 'silent',
        external: Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }),
      })
    ).metafile.inputs,
    'crypto-noble.js',
  ],
]) {
  const files = typeof resolved === 'string' ? [resolved] : Object.keys(resolved);
  if (
    !files.some((f) => f.endsWith(`phoneproof/dist/${want}`)) ||
    files.some((f) => /phoneproof\/dist\/crypto-/.test(f) && !f.endsWith(want))
  )
    throw new Error(
      `#crypto-backend: expected only ${want}, got ${files.filter((f) => f.includes('crypto-')).join(', ')}`,
    );
}

// Each module system on its own, and silent: require(esm) must not print an experimental
// warning to every CommonJS user.
for (const script of ['esm.mjs', 'cjs.cjs']) {
  const run = spawnSync('node', [script], { cwd: dir, encoding: 'utf8' });
  process.stdout.write(run.stdout);
  if (run.status !== 0 || run.stderr.trim())
    throw new Error(`node ${script} failed or printed to stderr:\n${run.stderr}`);
}

// examples/custom-store, a store written as an outside package, passes the shipped suites of
// the packed phoneproof/testing. vitest is this repository's copy, linked in (its own
// dependencies resolve from here); phoneproof and fast-check are the scratch project's.
const example = join(dir, 'custom-store');
cpSync(join(root, 'examples/custom-store'), example, { recursive: true });
symlinkSync(join(root, 'node_modules/vitest'), join(dir, 'node_modules/vitest'), 'dir');
execFileSync('node', ['node_modules/vitest/vitest.mjs', 'run', '--root', example], {
  cwd: dir,
  stdio: 'inherit',
});
rmSync(dir, { recursive: true, force: true });
console.log(`pack test passed for ${subpaths.length} entry points (${tarball})`);
