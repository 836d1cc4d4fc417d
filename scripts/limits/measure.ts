/**
 * What `npm run limits` measures in one source tree: the modules that import each other in a
 * cycle, the files over {@link FILE_LIMIT} lines and the functions over {@link FUNCTION_LIMIT}.
 *
 * Files are parsed one by one with the TypeScript compiler's parser (no program, no type
 * checking), so a measure of the whole repository takes well under a second. The module graph
 * is built from relative specifiers only (the source imports nothing else of its own): every
 * `import`, `import type`, `export ... from`, `import()` and `typeof import()` counts, because
 * a cycle of types is still a cycle of modules that cannot be understood or moved apart.
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** No source file has more lines than this. */
export const FILE_LIMIT = 250;
/** No function (declaration, arrow, method, expression, accessor, constructor) is longer. */
export const FUNCTION_LIMIT = 80;

/** One breach of a limit. `key` names it stably (without line numbers) for the baseline. */
export type Violation =
  | {
      readonly kind: 'cycle';
      readonly key: string;
      readonly file: string;
      readonly line: number;
      readonly path: readonly Edge[];
    }
  | {
      readonly kind: 'file';
      readonly key: string;
      readonly file: string;
      readonly line: number;
      readonly size: number;
    }
  | {
      readonly kind: 'function';
      readonly key: string;
      readonly file: string;
      readonly line: number;
      readonly size: number;
      readonly name: string;
    };

/** `from` imports `to` at `line` of `from` (paths relative to the root, with `/`). */
export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly line: number;
}

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

function toKey(root: string, path: string): string {
  return relative(root, path).split('\\').join('/');
}

/** The scanned modules that `file` imports, one edge per import statement. */
function importsOf(
  root: string,
  file: string,
  source: ts.SourceFile,
  known: ReadonlySet<string>,
): Edge[] {
  const edges: Edge[] = [];
  const add = (node: ts.Node, specifier: ts.Node | undefined): void => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    const to = resolveSpecifier(root, file, specifier.text, known);
    if (to === undefined) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    edges.push({ from: file, to, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      add(node, node.moduleSpecifier);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference)
    ) {
      add(node, node.moduleReference.expression);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** The scanned file a relative specifier names (`./x`, `./x.js`, `./x.ts`, `./dir`). */
function resolveSpecifier(
  root: string,
  file: string,
  specifier: string,
  known: ReadonlySet<string>,
): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = resolve(root, dirname(file), specifier);
  const stem = base.replace(/\.(js|ts|mjs|mts)$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.mts`, join(base, 'index.ts')]) {
    const key = toKey(root, candidate);
    if (known.has(key)) return key;
  }
  return undefined;
}

/**
 * One violation per strongly connected component of more than one module (or a module that
 * imports itself), found with Tarjan's algorithm. Its key is the sorted list of its members;
 * its path is one concrete cycle through them, so each import to cut has a file:line.
 */
function cycles(edges: readonly Edge[]): Violation[] {
  const out = new Map<string, Edge[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const { to } of out.get(node) ?? []) {
      if (!index.has(to)) {
        connect(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    components.push(component.sort());
  };
  for (const node of [...out.keys()].sort()) if (!index.has(node)) connect(node);
  return components
    .filter((c) => c.length > 1 || (out.get(c[0]!) ?? []).some((e) => e.to === c[0]))
    .map((members) => {
      const path = cycleThrough(members, out);
      const first = path[0]!;
      return {
        kind: 'cycle',
        key: members.join(' <-> '),
        file: first.from,
        line: first.line,
        path,
      };
    });
}

/** The shortest cycle from the component's first member back to it (breadth first). */
function cycleThrough(members: readonly string[], out: ReadonlyMap<string, Edge[]>): Edge[] {
  const inside = new Set(members);
  const start = members[0]!;
  const via = new Map<string, Edge>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const edge of out.get(queue[i]!) ?? []) {
      if (!inside.has(edge.to)) continue;
      if (edge.to === start) {
        const path = [edge];
        for (let at = edge.from; at !== start; at = via.get(at)!.from) path.unshift(via.get(at)!);
        return path;
      }
      if (!via.has(edge.to)) {
        via.set(edge.to, edge);
        queue.push(edge.to);
      }
    }
  }
  return [];
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
