// Writes dist/<entry>.js and dist/<entry>.d.ts: ESM faces over the CommonJS build, so
// that `import` and `require` share one module instance. Also checks that every path named
// in package.json `exports` exists after the build.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
let failed = false;
for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (subpath === './package.json') continue;
  const name = subpath === '.' ? 'index' : subpath.slice(2);
  const mod = require(`../dist/${name}.cjs`);
  const names = Object.keys(mod).filter((k) => k !== 'default' && k !== '__esModule');
  const lines = [
    `import mod from './${name}.cjs';`,
    names.length ? `export const { ${names.join(', ')} } = mod;` : '',
    '',
  ];
  writeFileSync(`dist/${name}.js`, lines.join('\n'));
  writeFileSync(`dist/${name}.d.ts`, `export * from './${name}.cjs';\n`);
  for (const cond of [target.import, target.require]) {
    for (const file of Object.values(cond)) {
      if (!existsSync(file)) {
        console.error(`exports["${subpath}"] names ${file}, which the build did not produce`);
        failed = true;
      }
    }
  }
}
if (failed) process.exit(1);
console.log(`esm wrappers written for ${Object.keys(pkg.exports).length - 1} entries`);
