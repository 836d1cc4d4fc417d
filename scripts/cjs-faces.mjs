// After tsup's ES module build: writes the CommonJS face of every entry and checks that
// every path named in package.json `exports` and `imports` exists (the `imports` targets,
// the two crypto backends, are loaded by the ES modules only: no face).
//
// dist/<entry>.cjs requires ./<entry>.js: Node 20.19+ loads the ES module with
// `require(esm)`, so `require` and `import` share one module instance (one cache, one keyring
// map, one `StoreConflictError` class). A bundler following the `require` condition reaches the
// same ES module file, so it also holds one copy. The face re-exports each name through a
// getter (live bindings, the very same objects) rather than `module.exports = require(...)`:
// the result is the same, but TypeScript, and so attw, can see the names, and `default`
// (phoneproof/fastify) with Node's `__esModule` mark, which `module.exports =` hides from them.
// The declarations are copied to .d.cts (imports of ./x.js become ./x.cjs), so TypeScript
// gives CommonJS users CommonJS types, as attw's node16 profile checks.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);

const dist = 'dist';
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
let failed = false;

for (const file of readdirSync(dist).filter((f) => f.endsWith('.d.ts'))) {
  const text = readFileSync(join(dist, file), 'utf8').replace(
    /(from\s+|import\()(['"])(\.\/[^'"]+)\.js\2/g,
    '$1$2$3.cjs$2',
  );
  writeFileSync(join(dist, file.replace(/\.d\.ts$/, '.d.cts')), text);
}

for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (subpath === './package.json') continue;
  const name = subpath === '.' ? 'index' : subpath.slice(2);
  // The names Node's require(esm) gives (with `__esModule` when there is a default export).
  const names = Object.keys(require(resolve(dist, `${name}.js`)));
  const lines = [
    "'use strict';",
    `// CommonJS face of ./${name}.js (require(esm), Node 20.19+): one module instance for both.`,
    `const m = require('./${name}.js');`,
    ...names.map((n) =>
      n === '__esModule'
        ? "Object.defineProperty(exports, '__esModule', { value: true });"
        : `Object.defineProperty(exports, '${n}', { enumerable: true, get: () => m['${n}'] });`,
    ),
    '',
  ];
  writeFileSync(join(dist, `${name}.cjs`), lines.join('\n'));
  for (const cond of [target.import, target.require]) {
    for (const file of Object.values(cond)) {
      if (!existsSync(file)) {
        console.error(`exports["${subpath}"] names ${file}, which the build did not produce`);
        failed = true;
      }
    }
  }
}
const targetsOf = (t) => (typeof t === 'string' ? [t] : Object.values(t).flatMap(targetsOf));
for (const [specifier, target] of Object.entries(pkg.imports ?? {})) {
  for (const file of targetsOf(target)) {
    if (!existsSync(file)) {
      console.error(`imports["${specifier}"] names ${file}, which the build did not produce`);
      failed = true;
    }
  }
}
if (failed) process.exit(1);
console.log(`CommonJS faces written for ${Object.keys(pkg.exports).length - 1} entries`);
