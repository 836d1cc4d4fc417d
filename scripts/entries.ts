import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where an entry's source may live, in order: a store/provider/framework adapter, then a part of the core. */
const SOURCES = (name: string): string[] => [`adapters/${name}/index.ts`, `src/${name}/index.ts`];

/**
 * The package's entry points, derived from `exports` in package.json: `.` is built from
 * `src/index.ts`, `./name` from `adapters/name/index.ts` (stores, providers, frameworks) or
 * `src/name/index.ts` (ports, testing, messages, signatures, types), into `dist/<name>.js`.
 * Paths are relative to the project root.
 * @internal build helper
 */
export function entryPoints(): Record<string, string> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
    exports: Record<string, unknown>;
  };
  const entries: Record<string, string> = {};
  for (const subpath of Object.keys(pkg.exports)) {
    if (subpath === './package.json') continue;
    const name = subpath === '.' ? 'index' : subpath.slice(2);
    const found = (name === 'index' ? ['src/index.ts'] : SOURCES(name)).filter((f) =>
      existsSync(`${root}${f}`),
    );
    if (found.length !== 1) {
      throw new Error(
        `exports["${subpath}"] needs exactly one source, found [${found.join(', ')}]`,
      );
    }
    entries[name] = found[0]!;
  }
  return entries;
}

/** Import specifier (`phoneproof`, `phoneproof/memory`...) to its source file, for tools that read source. */
export function sourceAliases(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entryPoints()).map(([name, file]) => [
      name === 'index' ? 'phoneproof' : `phoneproof/${name}`,
      file,
    ]),
  );
}
