/**
 * Bundle size and cold import of the built package (`npm run build` first), against the
 * budgets of issue 16: `npm run bench:size`.
 *
 * - **Size** (deterministic, a budget): `createVerifier` from `phoneproof` plus `memoryStore`
 *   from `phoneproof/memory`, bundled by esbuild from `dist/` as the package resolves
 *   (the `import` condition of `exports`), minified and tree-shaken, then gzipped. At most
 *   60 KB. The esbuild metafile gives the bytes per package (where the weight is).
 * - **Cold import** (timing, reported, never a gate): `await import('phoneproof')` in a fresh
 *   node process, against `import('libphonenumber-js/min')`, interleaved, median of N runs.
 *   At most 1.5 times the baseline.
 *
 * `--check` exits 1 when the size budget is exceeded (deterministic, for CI); `--runs N`
 * sets the cold-import runs (default 21; `--runs 0` skips them).
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile, type Plugin } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const SIZE_BUDGET = 60 * 1024;
const IMPORT_BUDGET = 1.5;

const args = process.argv.slice(2);
const check = args.includes('--check');
const runsArg = args.indexOf('--runs');
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 21;

type Target = string | { import?: Target; default?: Target };
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, Target>;
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

async function measureSize(): Promise<number> {
  const result = await build({
    stdin: {
      contents: `import { createVerifier } from 'phoneproof';
import { memoryStore } from 'phoneproof/memory';
export const verifier = createVerifier({ secret: 'x'.repeat(32), store: memoryStore() });`,
      resolveDir: root,
      loader: 'js',
    },
    bundle: true,
    write: false,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    metafile: true,
    plugins: [selfPlugin],
    logLevel: 'error',
  });
  const code = result.outputFiles[0]!.contents;
  const gzipped = gzipSync(code, { level: 9 }).length;
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log('core + memoryStore, bundled by esbuild (minify, tree-shaking):');
  console.log(`  minified ${kb(code.length)}, gzipped ${kb(gzipped)} (budget ${kb(SIZE_BUDGET)})`);
  for (const [name, bytes] of byPackage(result.metafile)) {
    console.log(`  ${name.padEnd(20)} ${kb(bytes).padStart(9)} minified`);
  }
  return gzipped;
}

/** Milliseconds `await import(specifier)` takes in a fresh node process. */
function coldImport(specifier: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  return Number(out.trim());
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

function measureImport(): void {
  const ours: number[] = [];
  const base: number[] = [];
  coldImport('phoneproof'); // warm the file system cache for both
  coldImport('libphonenumber-js/min');
  for (let i = 0; i < runs; i++) {
    ours.push(coldImport('phoneproof'));
    base.push(coldImport('libphonenumber-js/min'));
  }
  const ratio = median(ours) / median(base);
  console.log(`cold import, median of ${runs} fresh processes (interleaved):`);
  console.log(`  import('phoneproof')            ${median(ours).toFixed(1)} ms`);
  console.log(`  import('libphonenumber-js/min') ${median(base).toFixed(1)} ms`);
  console.log(
    `  ratio ${ratio.toFixed(2)} (budget ${IMPORT_BUDGET}; timing: reported, not a gate)`,
  );
}

const gzipped = await measureSize();
if (runs > 0) measureImport();
if (check && gzipped > SIZE_BUDGET) {
  console.error(`size budget exceeded: ${gzipped} > ${SIZE_BUDGET} bytes gzipped`);
  process.exit(1);
}
