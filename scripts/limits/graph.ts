/**
 * The module graph of the scanned files and its import cycles. The graph is built from relative
 * specifiers only (the source imports nothing else of its own), resolved as the project's
 * `moduleResolution: bundler` does (`./x`, `./x.js`, `./x.ts`, `./dir/index.ts`; checked to give
 * the same edges as `ts.resolveModuleName`). Every `import`, `import type`, `export ... from`,
 * `import()` and `typeof import()` counts: a cycle of types is still a cycle of modules, which
 * cannot be understood or moved apart.
 * @module
 */
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** `from` imports `to` at `line` of `from` (paths relative to the root, with `/`). */
export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly line: number;
}

/** Modules that import each other: `key` lists them, `path` is one cycle through them. */
export interface CycleViolation {
  readonly kind: 'cycle';
  readonly key: string;
  readonly file: string;
  readonly line: number;
  readonly path: readonly Edge[];
}

/** A path relative to the root, with `/`. */
export function toKey(root: string, path: string): string {
  return relative(root, path).split('\\').join('/');
}

/** The scanned modules that `file` imports, one edge per import statement. */
export function importsOf(
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
export function cycles(edges: readonly Edge[]): CycleViolation[] {
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
