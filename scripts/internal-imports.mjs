/**
 * The package's internal imports (package.json `imports`, e.g. `#crypto-backend`: Node's
 * crypto under the `node` condition, else the portable noble backend), for the tools that
 * build or run the sources: tsup (an entry per target), vitest, the size bench and the
 * runtime-neutral check (the source file a resolver with given conditions would reach).
 * package.json is the one place that names the targets; `./dist/crypto-node.js` is built from
 * `src/crypto/node.ts`. Plain JavaScript so that `node scripts/neutral-check.mjs` can load it;
 * types in ./internal-imports.d.mts.
 */
import { readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);

/** package.json `imports`: specifier to its (conditional) targets in dist/. */
function internalImports() {
  return JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).imports ?? {};
}

/** The built name of a target: `./dist/crypto-node.js` is `crypto-node`. */
const nameOf = (target) => target.replace(/^\.\/dist\//, '').replace(/\.js$/, '');

/** The source of a target: `crypto-node` is built from `src/crypto/node.ts`. */
const sourceOf = (target) => `src/${nameOf(target).replace('-', '/')}.ts`;

/** Every target of a conditional entry. */
const targetsOf = (t) => (typeof t === 'string' ? [t] : Object.values(t).flatMap(targetsOf));

/** The modules package.json `imports` names, as tsup entries (`{ 'crypto-node': 'src/crypto/node.ts' }`). */
export function internalEntryPoints() {
  return Object.fromEntries(
    Object.values(internalImports())
      .flatMap(targetsOf)
      .map((t) => [nameOf(t), sourceOf(t)]),
  );
}

/**
 * Each `#` specifier to the source of the target a resolver with these `conditions` picks:
 * the first condition of the entry that is active, in the entry's order, as Node does
 * (`default` always is). `['node']` gives Node's backend, `[]` or `['browser']` the portable one.
 */
export function backendSources(conditions) {
  const pick = (t) => {
    if (typeof t === 'string') return t;
    for (const [c, sub] of Object.entries(t)) {
      if (c !== 'default' && !conditions.includes(c)) continue;
      const found = pick(sub);
      if (found) return found;
    }
    return undefined;
  };
  return Object.fromEntries(
    Object.entries(internalImports()).map(([specifier, t]) => {
      const target = pick(t);
      if (!target) throw new Error(`imports["${specifier}"] has no target for [${conditions}]`);
      return [specifier, sourceOf(target)];
    }),
  );
}

/**
 * An esbuild plugin resolving every `#` specifier imported by a source file to its source under
 * `conditions`; one imported from dist/ is left to esbuild, which reads package.json `imports`.
 */
export function backendSourcesPlugin(conditions) {
  const sources = backendSources(conditions);
  const dist = new URL('dist/', root).pathname;
  return {
    name: 'phoneproof-internal-imports',
    setup(b) {
      b.onResolve({ filter: /^#/ }, (a) =>
        a.path in sources && !a.importer.startsWith(dist)
          ? { path: new URL(sources[a.path], root).pathname }
          : undefined,
      );
    },
  };
}
