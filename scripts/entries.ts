import { existsSync, readFileSync } from 'node:fs';

/**
 * The package's entry points, derived from `exports` in package.json: `.` is built from
 * `src/index.ts`, `./name` from `adapters/name/index.ts`, into `dist/<name>.js`.
 * @internal build helper
 */
export function entryPoints(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  const entries: Record<string, string> = {};
  for (const subpath of Object.keys(pkg.exports)) {
    if (subpath === './package.json') continue;
    const name = subpath === '.' ? 'index' : subpath.slice(2);
    const source = subpath === '.' ? 'src/index.ts' : `adapters/${name}/index.ts`;
    if (!existsSync(source)) throw new Error(`exports["${subpath}"] has no source at ${source}`);
    entries[name] = source;
  }
  return entries;
}
