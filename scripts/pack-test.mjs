// Packs the library, installs the tarball into a scratch project and imports every
// subpath from ESM and from CommonJS. Also proves both module systems share one instance, and
// runs examples/custom-store's test against the packed phoneproof/testing.
import { execFileSync } from 'node:child_process';
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
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const subpaths = Object.keys(pkg.exports)
  .filter((s) => s !== './package.json')
  .map((s) => (s === '.' ? 'phoneproof' : `phoneproof/${s.slice(2)}`));
// Entries with types only: nothing to import at runtime, but their module must load.
const typeOnly = new Set(['phoneproof/types']);

// One copy of the core: each core function is defined in exactly one built file, whichever
// subpath pulls it in (code splitting), so there is one module instance per process.
const distFiles = readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.cjs'));
for (const marker of [
  'function decodeState(',
  'function normalizePhone(',
  'function keyring(',
  'function createVerifier(',
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
`;
writeFileSync(
  join(dir, 'esm.mjs'),
  `import { createRequire } from 'node:module';
import { createVerifier, maskPhone } from 'phoneproof';
import { outboxSender } from 'phoneproof/testing';
import { memoryStore } from 'phoneproof/memory';
${subpaths.map((s, i) => `import * as m${i} from '${s}';`).join('\n')}
const require = createRequire(import.meta.url);
for (const [name, mod] of Object.entries({ ${subpaths.map((s, i) => `'${s}': m${i}`).join(', ')} })) {
  if (Object.keys(mod).length === 0 && !${JSON.stringify([...typeOnly])}.includes(name)) throw new Error(name + ' exports nothing');
  const cjs = require(name);
  for (const key of Object.keys(mod)) {
    if (mod[key] !== cjs[key]) throw new Error(name + '.' + key + ' differs between import and require');
  }
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
const { memoryStore } = require('phoneproof/memory');
${subpaths.map((s) => `if (Object.keys(require('${s}')).length === 0 && !${typeOnly.has(s)}) throw new Error('${s} exports nothing');`).join('\n')}
(async () => {
  const outbox = outboxSender();
  ${flow}
  console.log('cjs ok');
})().catch((e) => { console.error(e); process.exit(1); });
`,
);
execFileSync('node', ['esm.mjs'], { cwd: dir, stdio: 'inherit' });
execFileSync('node', ['cjs.cjs'], { cwd: dir, stdio: 'inherit' });

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
