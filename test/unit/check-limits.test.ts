/**
 * `npm run limits` (scripts/check-limits.ts): each kind of violation is found with its file:line
 * in a fixture tree written to a temporary folder, a clean tree passes, and the baseline may only
 * shrink (new, grown and stale entries fail; `--shrink` never adds).
 * @module
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Baseline,
  describe as describeViolation,
  judge,
  main,
} from '../../scripts/check-limits';
import { lineCount, measure, sourceFiles } from '../../scripts/limits/measure';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A project root holding `files` and the given baseline. */
function tree(files: Record<string, string>, baseline: Baseline = empty): string {
  const root = mkdtempSync(join(tmpdir(), 'limits-'));
  roots.push(root);
  for (const [path, text] of Object.entries({
    ...files,
    'scripts/limits-baseline.json': JSON.stringify(baseline),
  })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const empty: Baseline = { cycles: [], files: {}, functions: {} };
const lines = (n: number, text = 'x;'): string => Array.from({ length: n }, () => text).join('\n');
/** A function of exactly `n` lines (declaration line, body, closing brace). */
const fn = (name: string, n: number): string =>
  `export function ${name}() {\n${lines(n - 2, '  void 0;')}\n}\n`;

const clean = {
  'src/a.ts': `import type { B } from './b';\nexport type A = B;\n${fn('short', 80)}`,
  'src/b.ts': `export type B = number;\nexport const arrow = () => {\n${lines(78, '  void 0;')}\n};\n`,
  'src/a.test.ts': `import './a';\n${lines(400)}\n${fn('longTest', 200)}`,
  'adapters/x/index.ts': `import { short } from '../../src/a.js';\nexport const y = short;\n`,
  'test/long.ts': lines(300),
};

function run(root: string, args: string[] = []): { code: number; out: string[] } {
  const out: string[] = [];
  const code = main(root, args, (line) => out.push(line));
  return { code, out };
}

describe('measure', () => {
  it('a clean tree (functions of 80 lines, tests and test/ ignored) has no violation and passes', () => {
    const root = tree(clean);
    expect(sourceFiles(root, ['src', 'adapters'])).toEqual([
      'src/a.ts',
      'src/b.ts',
      'adapters/x/index.ts',
    ]);
    expect(measure(root, sourceFiles(root, ['src', 'adapters']))).toEqual([]);
    expect(run(root).code).toBe(0);
  });

  it('reports an import cycle, type-only imports included, with the line of each import', () => {
    const root = tree({
      ...clean,
      'src/b.ts': `export type B = number;\n\nimport type { C } from './c/index.js';\nexport type D = C;\n`,
      'src/c/index.ts': `import type { B } from '../b';\nexport type C = B;\n`,
    });
    const found = measure(root, sourceFiles(root, ['src', 'adapters']));
    expect(found).toHaveLength(1);
    const [cycle] = found;
    expect(cycle).toMatchObject({
      kind: 'cycle',
      key: 'src/b.ts <-> src/c/index.ts',
      file: 'src/b.ts',
      line: 3,
    });
    expect(describeViolation(cycle!)).toBe(
      'src/b.ts:3 import cycle src/b.ts <-> src/c/index.ts (src/b.ts:3 imports src/c/index.ts; src/c/index.ts:1 imports src/b.ts)',
    );
    const { code, out } = run(root);
    expect(code).toBe(1);
    expect(out).toContain(`✗ new: ${describeViolation(cycle!)}`);
  });

  it('reports a cycle through three modules, re-exports and import() included', () => {
    const root = tree({
      'src/a.ts': `export * from './b';\n`,
      'src/b.ts': `export const b = () => import('./c');\n`,
      'src/c.ts': `export type T = typeof import('./a');\n`,
    });
    const [cycle, ...rest] = measure(root, sourceFiles(root, ['src']));
    expect(rest).toEqual([]);
    expect(cycle).toMatchObject({ key: 'src/a.ts <-> src/b.ts <-> src/c.ts' });
    expect(cycle?.kind === 'cycle' && cycle.path.map((e) => e.from)).toEqual([
      'src/a.ts',
      'src/b.ts',
      'src/c.ts',
    ]);
  });

  it('reports a function over 80 lines (declaration, arrow, method, expression) at its first line', () => {
    const body = lines(79, '    void 0;');
    const root = tree({
      'src/f.ts': `${fn('long', 81)}export const arrow = () => {\n${body}\n};\nexport class K {\n  method() {\n${body}\n  }\n}\nexport const e = [function () {\n${body}\n}];\n`,
    });
    const found = measure(root, ['src/f.ts']).filter((v) => v.kind === 'function');
    expect(found.map((v) => [v.key, v.line, v.size])).toEqual([
      ['src/f.ts#long', 1, 81],
      ['src/f.ts#arrow', 82, 81],
      ['src/f.ts#K.method', 164, 81],
      ['src/f.ts#<anonymous>', 246, 81],
    ]);
    expect(describeViolation(found[0]!)).toBe('src/f.ts:1 function long has 81 lines (limit 80)');
    expect(run(tree({ 'src/f.ts': fn('long', 81) })).code).toBe(1);
  });

  it('reports a file over 250 lines, counted as an editor numbers them', () => {
    expect(lineCount('a\nb\n')).toBe(2);
    expect(lineCount('a\nb')).toBe(2);
    const root = tree({
      'adapters/ok.ts': `${lines(250)}\n`,
      'adapters/long.ts': `${lines(251)}\n`,
    });
    const found = measure(root, sourceFiles(root, ['adapters']));
    expect(found.map(describeViolation)).toEqual([
      'adapters/long.ts:1 file has 251 lines (limit 250)',
    ]);
    expect(run(root).code).toBe(1);
  });
});

describe('the baseline may only shrink', () => {
  const offenders = { 'src/f.ts': `${fn('long', 90)}${lines(200)}\n` };

  it('passes on baselined violations and fails when one grows', () => {
    const baseline = { cycles: [], files: { 'src/f.ts': 290 }, functions: { 'src/f.ts#long': 90 } };
    expect(run(tree(offenders, baseline)).code).toBe(0);
    const grown = { ...baseline, functions: { 'src/f.ts#long': 89 } };
    const { code, out } = run(tree(offenders, grown));
    expect(code).toBe(1);
    expect(out).toContain('✗ grew from 89: src/f.ts:1 function long has 90 lines (limit 80)');
  });

  it('fails on a fixed violation still listed; --shrink removes it and lowers sizes, never adds', () => {
    const baseline = {
      cycles: ['src/x.ts <-> src/y.ts'],
      files: { 'src/f.ts': 300 },
      functions: { 'src/f.ts#long': 95, 'src/gone.ts#g': 100 },
    };
    const root = tree(offenders, baseline);
    const { code, out } = run(root);
    expect(code).toBe(1);
    expect(out).toContain(
      '✗ gone but still in the baseline (run with --shrink): src/x.ts <-> src/y.ts',
    );
    expect(out).toContain('✗ gone but still in the baseline (run with --shrink): src/gone.ts#g');
    expect(run(root, ['--shrink']).code).toBe(0);
    expect(JSON.parse(readFileSync(join(root, 'scripts/limits-baseline.json'), 'utf8'))).toEqual({
      cycles: [],
      files: { 'src/f.ts': 290 },
      functions: { 'src/f.ts#long': 90 },
    });
    expect(run(root).code).toBe(0);
  });

  it('--shrink does not baseline a new violation', () => {
    const root = tree(offenders, { cycles: [], files: { 'src/f.ts': 290 }, functions: {} });
    expect(run(root, ['--shrink']).code).toBe(1);
    expect(judge([], empty)).toEqual({ failures: [], notes: [], shrunk: empty });
  });
});
