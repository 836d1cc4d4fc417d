/**
 * What `npm run limits` measures in one source tree: the modules that import each other in a
 * cycle, the files over {@link FILE_LIMIT} lines and the functions over {@link FUNCTION_LIMIT}.
 *
 * Files are parsed one by one with the TypeScript compiler's parser (no program, no type
 * checking), so a measure of the whole repository takes well under a second. Cycles are found
 * in the module graph of ./graph.ts.
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { type CycleViolation, cycles, importsOf, toKey } from './graph';

export type { CycleViolation, Edge } from './graph';

/** No source file has more lines than this. */
export const FILE_LIMIT = 250;
/** No function (declaration, arrow, method, expression, accessor, constructor) is longer. */
export const FUNCTION_LIMIT = 80;

interface Located {
  /** Names the violation stably (without line numbers) for the baseline. */
  readonly key: string;
  readonly file: string;
  /** 1-based line where it starts (for a cycle: its first import). */
  readonly line: number;
}

/** One breach of a limit. */
export type Violation =
  | CycleViolation
  | (Located & { readonly kind: 'file'; readonly size: number })
  | (Located & { readonly kind: 'function'; readonly size: number; readonly name: string });

/** The `.ts` files under `dirs` of `root`, tests (`*.test.ts`) and declaration files left out. */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'node_modules') walk(path);
      } else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) {
        found.push(toKey(root, path));
      }
    }
  };
  for (const dir of dirs) if (existsSync(join(root, dir))) walk(join(root, dir));
  return found;
}

/** Every violation in the given files of `root`: cycles first, then files, then functions. */
export function measure(root: string, files: readonly string[]): Violation[] {
  const parsed = files.map((file) => {
    const text = readFileSync(join(root, file), 'utf8');
    return { file, text, source: ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true) };
  });
  const known = new Set(files);
  const edges = parsed.flatMap(({ file, source }) => importsOf(root, file, source, known));
  const violations: Violation[] = cycles(edges);
  for (const { file, text } of parsed) {
    const size = lineCount(text);
    if (size > FILE_LIMIT) violations.push({ kind: 'file', key: file, file, line: 1, size });
  }
  for (const { file, source } of parsed) violations.push(...longFunctions(file, source));
  return violations;
}

/** Lines of a text as an editor numbers them (a final newline opens no line). */
export function lineCount(text: string): number {
  if (text === '') return 0;
  const lines = text.split('\n').length;
  return text.endsWith('\n') ? lines - 1 : lines;
}

/** Functions with a body longer than the limit, named after the functions and classes around them. */
function longFunctions(file: string, source: ts.SourceFile): Violation[] {
  const found: Violation[] = [];
  const seen = new Map<string, number>();
  const visit = (node: ts.Node, scope: readonly string[]): void => {
    let inner = scope;
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const name = [...scope, nameOf(node)].join('.');
      inner = [...scope, nameOf(node)];
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      const size = end - start + 1;
      if (size > FUNCTION_LIMIT) {
        const n = (seen.get(name) ?? 0) + 1;
        seen.set(name, n);
        const key = `${file}#${n === 1 ? name : `${name}~${n}`}`;
        found.push({ kind: 'function', key, file, line: start, size, name });
      }
    }
    if (ts.isClassLike(node) && node.name) inner = [...scope, node.name.text];
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  visit(source, []);
  return found;
}

/** A function's own name, or the name it is bound to, or `<anonymous>`. */
function nameOf(node: ts.SignatureDeclaration): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name && !ts.isComputedPropertyName(node.name)) return node.name.getText();
  const parent = node.parent;
  if (
    (ts.isVariableDeclaration(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent)) &&
    parent.name
  ) {
    return parent.name.getText();
  }
  return '<anonymous>';
}
