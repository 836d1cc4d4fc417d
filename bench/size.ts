/**
 * Bundle size and cold import of the built package (`npm run build` first), against the
 * budgets of issue 16: `npm run bench:size`.
 *
 * - **Size** (deterministic, a budget): `createVerifier` from `phoneproof` plus `memoryStore`
 *   from `phoneproof/memory`, bundled by esbuild from `dist/` as the package resolves for a
 *   Web runtime (the `import` condition of `exports`; `worker` and `browser`, not `node`, so
 *   `#crypto-backend` is the portable noble backend: the heavier of the two), minified and
 *   tree-shaken, then gzipped. At most 60 KB. The esbuild metafile gives the bytes per
 *   package (where the weight is).
 * - **The floor** (measured counterfactuals, reported, never a gate): the same bundle with the
 *   `node` condition (Node's crypto, no noble); built from the sources with proofs (on by
 *   default, so in the core) stubbed out of `createVerifier`, i.e. what remains to be had
 *   from the features now that TOTP and consent are separate imports (`phoneproof/totp`,
 *   `phoneproof/consent`: absent from the bundle above, `test/unit/optional-features.test.ts`);
 *   and the same with the abuse defenses and test numbers stubbed out as
 *   well (a verifier with no defaults at all: the floor under any split that keeps the
 *   verification itself); and the dependencies alone, as phoneproof uses them (parse and validate a number with
 *   libphonenumber-js's min metadata, the noble primitives of src/crypto/noble.ts,
 *   neverthrow). Also reported: what an application that configures both opt-in features
 *   ships (`consent(...)` and `totp(...)` imported and passed).
 * - **Cold import** (timing, reported, never a gate): `await import('phoneproof')` in a fresh
 *   node process, against `import('libphonenumber-js/min')`, interleaved, median of N runs.
 *   At most 1.5 times the baseline.
 *
 * The 60 KB goal is out of reach today (docs/benchmarks.md gives the floor and why), so CI
 * asserts a ceiling instead, {@link CEILING}: the size measured now plus a little room, which
 * only shrinks. `--check` exits 1 above it (deterministic: esbuild and the dependencies are
 * locked; for CI); `--runs N` sets the cold-import runs (default 21; `--runs 0` skips them);
 * `--against DIR` adds another built checkout's `dist/index.js` to the same interleaved runs
 * (before and after a change, under the same load).
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile, type Plugin } from 'esbuild';
import { sourceAliases } from '../scripts/entries';
import { backendSourcesPlugin } from '../scripts/internal-imports.mjs';

const root = resolve(import.meta.dirname, '..');
const SIZE_BUDGET = 60 * 1024;
/**
 * What CI allows, gzipped: the measured size rounded up to the next KB, plus 1 KB. Lower it as
 * the bundle shrinks; raising it is a reviewed decision, noted in docs/benchmarks.md (93 KB ->
 * 96 KB on 2026-12-07: the WhatsApp channel and one-write operations added 2.8 KB; 96 KB -> 95 KB
 * the same day, measured with the Web conditions: 93.7 KB once `#crypto-backend` left Node's
 * backend out of Web bundles; 95 KB -> 92 KB once otplib gave way to phoneproof's own HOTP/TOTP:
 * 90.6 KB; 92 KB -> 82 KB once TOTP and consent became separate imports, `phoneproof/totp` and
 * `phoneproof/consent`: 80.3 KB, issue 16).
 */
const CEILING = 82 * 1024;
const IMPORT_BUDGET = 1.5;

const args = process.argv.slice(2);
const check = args.includes('--check');
const runsArg = args.indexOf('--runs');
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 21;
const againstArg = args.indexOf('--against');
const against = againstArg >= 0 ? args[againstArg + 1] : undefined;

type Target = string | { import?: Target; default?: Target };
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, Target>;
  dependencies?: Record<string, string>;
};

/** The file the `import` condition of `exports` names for a subpath. */
function importTarget(subpath: string): string {
  let t: Target | undefined = pkg.exports[subpath];
  while (t !== undefined && typeof t !== 'string') t = t.import ?? t.default;
  if (!t) throw new Error(`exports["${subpath}"] has no import target`);
  return join(root, t);
}

/** Resolves `phoneproof` and `phoneproof/x` through package.json `exports`, as an installed copy would. */
const selfPlugin: Plugin = {
  name: 'phoneproof-exports',
  setup(b) {
    b.onResolve({ filter: /^phoneproof(\/.*)?$/ }, (a) => ({
      path: importTarget(a.path === 'phoneproof' ? '.' : `./${a.path.slice('phoneproof/'.length)}`),
    }));
  },
};

/** Bytes of the minified bundle's output per package (node_modules/<name>) or `phoneproof`. */
function byPackage(meta: Metafile): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const out of Object.values(meta.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(out.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
      const name = m ? m[1]! : 'phoneproof';
      sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return new Map([...sizes].sort((a, b) => b[1] - a[1]));
}

/** A Web bundler's conditions (workerd, Vercel Edge, browsers): the noble backend. */
const WEB = ['worker', 'browser'];

const ENTRY = `import { createVerifier } from 'phoneproof';
import { memoryStore } from 'phoneproof/memory';
export const verifier = createVerifier({ secret: 'x'.repeat(32), store: memoryStore() });`;

/** Resolves `phoneproof` and `phoneproof/x` to their sources, to see which part of phoneproof weighs what. */
const sourcePlugin: Plugin = {
  name: 'phoneproof-sources',
  setup(b) {
    const aliases = sourceAliases();
    b.onResolve({ filter: /^phoneproof(\/.*)?$/ }, (a) => ({ path: join(root, aliases[a.path]!) }));
  },
};

/**
 * Features replaced by features that are off (no hooks, an API that does nothing), as
 * `createVerifier` would see them were they separate imports too (TOTP and consent are:
 * `phoneproof/totp`, `phoneproof/consent`). Proofs first (on by default, so in the core); then,
 * for the floor under any split that keeps the verification itself, the abuse defenses and
 * test numbers as well: what is left is start, check, resend, cancel, status and delivery, the
 * messages, the store kit and the dependencies.
 */
const STUBS = {
  proof: {
    file: /\/src\/proof\/feature\.ts$/,
    contents: `export const proofFeature = () => ({ name: 'proof', hooks: {}, api: { enabled: false } });`,
  },
  abuse: {
    file: /\/src\/abuse\/feature\.ts$/,
    contents: `export const abuseFeature = () => ({ name: 'abuse', hooks: {}, api: {} });`,
  },
  testNumbers: {
    file: /\/src\/abuse\/test-numbers\.ts$/,
    contents: `export const testNumbersFeature = () => ({ name: 'testNumbers', hooks: {}, api: {} });`,
  },
} as const;
const stubPlugin = (...which: (keyof typeof STUBS)[]): Plugin => ({
  name: `stub-${which.join('-')}`,
  setup(b) {
    for (const w of which) {
      b.onLoad({ filter: STUBS[w].file }, () => ({ contents: STUBS[w].contents, loader: 'js' }));
    }
  },
});

/** An application that configures both opt-in features (the bundle of {@link ENTRY} plus them). */
const ENTRY_WITH_FEATURES = `import { createVerifier } from 'phoneproof';
import { consent } from 'phoneproof/consent';
import { memoryConsentLedger, memoryStore } from 'phoneproof/memory';
import { totp } from 'phoneproof/totp';
export const verifier = createVerifier({ secret: 'x'.repeat(32), store: memoryStore(),
  consent: consent({ ledger: memoryConsentLedger() }), totp: totp() });`;

/** The dependencies alone, as phoneproof uses them: the floor under any phoneproof code. */
const DEPENDENCIES_ONLY = `import { parsePhoneNumberWithError } from 'libphonenumber-js/min';
import { gcm } from '@noble/ciphers/aes.js';
import { hmac } from '@noble/hashes/hmac.js';
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { err, errAsync, ok, okAsync, ResultAsync } from 'neverthrow';
export const phone = (s) => parsePhoneNumberWithError(s).isValid();
export const crypto = { gcm, hmac, md5, sha1, sha256, sha512 };
export const results = { err, errAsync, ok, okAsync, ResultAsync };`;

interface BundleOptions {
  /** Packages left out. */
  readonly external?: string[];
  /** Resolution conditions besides `import` and `default` ({@link WEB} unless given). */
  readonly conditions?: string[];
  /** How `phoneproof` resolves: the built package (default) or the sources. */
  readonly plugins?: Plugin[];
  readonly entry?: string;
}

/** The bundle, minified and tree-shaken. */
async function bundle({
  external = [],
  conditions = WEB,
  plugins = [selfPlugin],
  entry = ENTRY,
}: BundleOptions = {}): Promise<{ min: number; gz: number; meta: Metafile }> {
  const result = await build({
    stdin: { contents: entry, resolveDir: root, loader: 'js' },
    bundle: true,
    write: false,
    minify: true,
    treeShaking: true,
    format: 'esm',
    // `neutral` adds no condition of its own (`node` would pick Node's crypto backend).
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions,
    target: 'es2022',
    metafile: true,
    external,
    plugins: [...plugins, backendSourcesPlugin(conditions)],
    // Not the repository's tsconfig: its `paths` (for the typechecker) would send `phoneproof`
    // and dist's `#crypto-backend` to src/.
    tsconfigRaw: {},
    logLevel: 'error',
  });
  const code = result.outputFiles[0]!.contents;
  return { min: code.length, gz: gzipSync(code, { level: 9 }).length, meta: result.metafile };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

async function measureSize(): Promise<number> {
  const all = await bundle();
  console.log(`core + memoryStore, bundled by esbuild (minify, tree-shaking; ${WEB.join(', ')}):`);
  console.log(
    `  minified ${kb(all.min)}, gzipped ${kb(all.gz)} (goal ${kb(SIZE_BUDGET)}, CI ceiling ${kb(CEILING)})`,
  );
  console.log('  minified bytes per package (esbuild metafile):');
  for (const [name, bytes] of byPackage(all.meta)) {
    console.log(`    ${name.padEnd(28)} ${kb(bytes).padStart(9)}`);
  }
  // Gzipped bytes do not add up per file; what each dependency costs is the bundle without it.
  const deps = Object.keys(pkg.dependencies ?? {});
  console.log('  gzipped bytes each dependency adds (the bundle with it left out):');
  for (const dep of deps) {
    const without = await bundle({ external: [dep] });
    console.log(`    ${dep.padEnd(28)} ${kb(all.gz - without.gz).padStart(9)}`);
  }
  const itself = await bundle({ external: deps });
  console.log(`    ${'phoneproof itself'.padEnd(28)} ${kb(itself.gz).padStart(9)}`);
  // phoneproof's own bytes by source folder (built from the sources: dist chunks have no names).
  const parts = new Map<string, number>();
  for (const out of Object.values(
    (await bundle({ external: deps, plugins: [sourcePlugin] })).meta.outputs,
  )) {
    for (const [file, { bytesInOutput }] of Object.entries(out.inputs)) {
      const part = file.split('/').slice(0, 2).join('/').replace(/\.ts$/, '');
      parts.set(part, (parts.get(part) ?? 0) + bytesInOutput);
    }
  }
  const top = [...parts].sort((a, b) => b[1] - a[1]).slice(0, 10);
  console.log(
    `  phoneproof's own minified bytes by folder: ${top.map(([p, n]) => `${p} ${kb(n)}`).join(', ')}`,
  );
  await measureFloor(all.gz);
  return all.gz;
}

/** The counterfactual bundles (reported, never a gate): what the 60 KB goal is up against. */
async function measureFloor(gz: number): Promise<void> {
  const row = (label: string, bytes: number, note: string) =>
    console.log(`  ${label.padEnd(44)} ${kb(bytes).padStart(9)}  ${note}`);
  console.log('the floor, gzipped (counterfactual bundles, reported, not gated):');
  row('as measured above (worker, browser)', gz, '');
  const node = await bundle({ conditions: ['node'] });
  row('the `node` condition (Node crypto, no noble)', node.gz, `${kb(node.gz - gz)}`);
  // From the sources, with and without the features: the same build both ways.
  const withFeatures = await bundle({ entry: ENTRY_WITH_FEATURES });
  row(
    'with consent(...) and totp(...) configured',
    withFeatures.gz,
    `+${kb(withFeatures.gz - gz)}`,
  );
  const src = await bundle({ plugins: [sourcePlugin] });
  const stubbed = await bundle({ plugins: [sourcePlugin, stubPlugin('proof')] });
  row('from the sources', src.gz, '');
  row('  proofs stubbed out too', stubbed.gz, `${kb(stubbed.gz - src.gz)}`);
  const stubbedNode = await bundle({
    plugins: [sourcePlugin, stubPlugin('proof')],
    conditions: ['node'],
  });
  row('  ... and the `node` condition', stubbedNode.gz, `${kb(stubbedNode.gz - src.gz)}`);
  // The floor under any feature split that keeps the verification: every feature off.
  const bare = await bundle({
    plugins: [sourcePlugin, stubPlugin('proof', 'abuse', 'testNumbers')],
  });
  row('  no proofs, abuse defenses, test numbers', bare.gz, `${kb(bare.gz - src.gz)}`);
  const bareNode = await bundle({
    plugins: [sourcePlugin, stubPlugin('proof', 'abuse', 'testNumbers')],
    conditions: ['node'],
  });
  row('  ... and the `node` condition', bareNode.gz, `${kb(bareNode.gz - src.gz)}`);
  const deps = await bundle({ entry: DEPENDENCIES_ONLY, plugins: [] });
  row('dependencies only (libphonenumber-js, noble, neverthrow)', deps.gz, `${kb(deps.gz - gz)}`);
}

/**
 * Milliseconds `await import(specifier)` takes in a fresh node process: wall time, and CPU
 * time of the process (user + system), which other jobs on a loaded machine disturb less.
 */
function coldImport(specifier: string): { wall: number; cpu: number } {
  const script = `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(specifier)}); const u = process.cpuUsage(c); console.log(performance.now() - t, (u.user + u.system) / 1000);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  const [wall, cpu] = out.trim().split(' ').map(Number);
  return { wall: wall!, cpu: cpu! };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

function measureImport(): void {
  // `--against DIR`: another build (a checkout of main, built) in the same interleaved run.
  const other = against ? [pathToFileURL(join(resolve(against), 'dist/index.js')).href] : [];
  const specs = ['phoneproof', 'libphonenumber-js/min', ...other];
  const times = specs.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (const s of specs) coldImport(s); // warm the file system cache for each
  for (let i = 0; i < runs; i++) {
    specs.forEach((s, j) => {
      const t = coldImport(s);
      times[j]!.wall.push(t.wall);
      times[j]!.cpu.push(t.cpu);
    });
  }
  console.log(`cold import, median of ${runs} fresh processes (interleaved), wall / CPU:`);
  const base = times[1]!;
  specs.forEach((s, j) => {
    const t = times[j]!;
    const ratio =
      j === 1
        ? ''
        : `  ratio ${(median(t.wall) / median(base.wall)).toFixed(2)} wall, ` +
          `${(median(t.cpu) / median(base.cpu)).toFixed(2)} CPU`;
    const label = j === 2 ? `${against} (--against)` : `import('${s}')`;
    console.log(
      `  ${label}`.padEnd(36) +
        `${median(t.wall).toFixed(1)} ms / ${median(t.cpu).toFixed(1)} ms${ratio}`,
    );
  });
  console.log(
    `  ratios to libphonenumber-js/min (budget ${IMPORT_BUDGET}; timing: reported, not a gate)`,
  );
}

const gzipped = await measureSize();
if (runs > 0) measureImport();
if (check && gzipped > CEILING) {
  console.error(`bundle size above the CI ceiling: ${gzipped} > ${CEILING} bytes gzipped`);
  process.exit(1);
}
