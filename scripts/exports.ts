/**
 * The public surface, measured: every entry point's exported names, each marked as a value
 * (exists at runtime) or a type (erased), read from the source entry files with the
 * TypeScript compiler. `test/unit/exports.test.ts` compares it with the committed
 * `test/unit/exports.snapshot.txt`, so a name added to or removed from any entry fails CI
 * until the snapshot is updated on purpose (`npx tsx scripts/exports.ts --write`).
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { entryPoints } from './entries';

const root = resolve(import.meta.dirname, '..');

/** Where the snapshot lives. */
export const SNAPSHOT = join(root, 'test/unit/exports.snapshot.txt');

/** One entry point's names, sorted. */
export interface EntryExports {
  readonly values: readonly string[];
  readonly types: readonly string[];
}

/** Every entry point's exports, keyed by import specifier (`phoneproof`, `phoneproof/memory`...). */
export function listExports(): Record<string, EntryExports> {
  const entries = entryPoints();
  const files = Object.values(entries).map((f) => join(root, f));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const result: Record<string, EntryExports> = {};
  for (const [name, file] of Object.entries(entries)) {
    const source = program.getSourceFile(join(root, file));
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`cannot read the exports of ${file}`);
    const values: string[] = [];
    const types: string[] = [];
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const typeOnly = symbol.declarations?.some((d) => ts.isTypeOnlyExportDeclaration(d));
      const isValue = !typeOnly && (target.flags & ts.SymbolFlags.Value) !== 0;
      (isValue ? values : types).push(symbol.name);
    }
    const specifier = name === 'index' ? 'phoneproof' : `phoneproof/${name}`;
    result[specifier] = { values: values.sort(), types: types.sort() };
  }
  return result;
}

/** The snapshot's text: one block per entry, `value name` / `type name` lines. */
export function formatExports(all: Record<string, EntryExports>): string {
  const blocks = Object.entries(all).map(([entry, { values, types }]) =>
    [
      `# ${entry}: ${values.length} values, ${types.length} types`,
      ...values.map((n) => `value ${n}`),
      ...types.map((n) => `type ${n}`),
    ].join('\n'),
  );
  return `${blocks.join('\n\n')}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const text = formatExports(listExports());
  if (process.argv.includes('--write')) writeFileSync(SNAPSHOT, text);
  else process.stdout.write(text);
  if (process.argv.includes('--check') && readFileSync(SNAPSHOT, 'utf8') !== text) {
    process.exitCode = 1;
  }
}
