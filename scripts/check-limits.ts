/**
 * `npm run limits`: the limits CI keeps on `src/` and `adapters/` (tests excluded): no import
 * cycle between modules (type-only imports included), no file over 250 lines, no function over
 * 80 lines. Measured by {@link measure} (scripts/limits/measure.ts); each violation is printed
 * as `file:line`.
 *
 * Offenders that existed when the check was introduced are listed, with their size, in
 * `scripts/limits-baseline.json`, and that list may only shrink. The check fails when
 * - a violation is not in the baseline (a new cycle, a new long file or function),
 * - a baselined file or function grew past its recorded size,
 * - a baselined violation is gone but still listed (so the baseline stays honest).
 * A baselined offender that shrank but is still over the limit is only reported.
 *
 * `npm run limits -- --shrink` rewrites the baseline after a fix: it drops the entries that are
 * gone and lowers the recorded sizes, and never adds an entry.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FILE_LIMIT, FUNCTION_LIMIT, measure, sourceFiles, type Violation } from './limits/measure';

/** Today's offenders that are being fixed: cycles by their members, sizes by file or function. */
export interface Baseline {
  readonly cycles: readonly string[];
  readonly files: Readonly<Record<string, number>>;
  readonly functions: Readonly<Record<string, number>>;
}

/** What the comparison with the baseline found; `failures` non-empty means the check fails. */
export interface Verdict {
  readonly failures: readonly string[];
  readonly notes: readonly string[];
  /** The baseline with gone entries removed and sizes lowered to today's. */
  readonly shrunk: Baseline;
}

/** The folders scanned. */
export const SCANNED = ['src', 'adapters'] as const;

/** One line for a violation, starting with its `file:line`. */
export function describe(v: Violation): string {
  if (v.kind === 'file')
    return `${v.file}:${v.line} file has ${v.size} lines (limit ${FILE_LIMIT})`;
  if (v.kind === 'function') {
    return `${v.file}:${v.line} function ${v.name} has ${v.size} lines (limit ${FUNCTION_LIMIT})`;
  }
  const hops = v.path.map((e) => `${e.from}:${e.line} imports ${e.to}`).join('; ');
  return `${v.file}:${v.line} import cycle ${v.key} (${hops})`;
}

/** Compares today's violations with the baseline. */
export function judge(violations: readonly Violation[], baseline: Baseline): Verdict {
  const failures: string[] = [];
  const notes: string[] = [];
  const cycles = new Set(baseline.cycles);
  const sizes = new Map<string, number>([
    ...Object.entries(baseline.files),
    ...Object.entries(baseline.functions),
  ]);
  const now = new Map<string, number>();
  for (const v of violations) {
    const size = v.kind === 'cycle' ? 0 : v.size;
    now.set(v.key, size);
    const recorded = v.kind === 'cycle' ? (cycles.has(v.key) ? 0 : undefined) : sizes.get(v.key);
    if (recorded === undefined) failures.push(`new: ${describe(v)}`);
    else if (size > recorded) failures.push(`grew from ${recorded}: ${describe(v)}`);
    else if (size < recorded) notes.push(`shrank from ${recorded}: ${describe(v)}`);
    else notes.push(`baselined: ${describe(v)}`);
  }
  for (const key of [...cycles, ...sizes.keys()]) {
    if (!now.has(key)) failures.push(`gone but still in the baseline (run with --shrink): ${key}`);
  }
  const keep = (entries: Readonly<Record<string, number>>): Record<string, number> =>
    Object.fromEntries(
      Object.keys(entries)
        .filter((k) => now.has(k))
        .map((k) => [k, Math.min(entries[k]!, now.get(k)!)]),
    );
  const shrunk: Baseline = {
    cycles: baseline.cycles.filter((k) => now.has(k)),
    files: keep(baseline.files),
    functions: keep(baseline.functions),
  };
  return { failures, notes, shrunk };
}

/** Runs the check on `root`; returns the exit code. */
export function main(root: string, args: readonly string[] = [], log = console.log): number {
  const baselinePath = join(root, 'scripts', 'limits-baseline.json');
  const baseline = JSON.parse(readFileSync(baselinePath, 'utf8')) as Baseline;
  const violations = measure(root, sourceFiles(root, SCANNED));
  const verdict = judge(violations, baseline);
  for (const note of verdict.notes) log(`  ${note}`);
  if (args.includes('--shrink')) {
    const { cycles, files, functions } = verdict.shrunk;
    writeFileSync(baselinePath, `${JSON.stringify({ cycles, files, functions }, null, 2)}\n`);
    log(
      `limits: baseline rewritten (${verdict.failures.filter((f) => f.startsWith('gone')).length} gone)`,
    );
    const remaining = judge(violations, verdict.shrunk).failures;
    for (const failure of remaining) log(`✗ ${failure}`);
    return remaining.length === 0 ? 0 : 1;
  }
  for (const failure of verdict.failures) log(`✗ ${failure}`);
  log(
    `limits: ${violations.length} violations, ${verdict.notes.length} baselined, ` +
      `${verdict.failures.length} failures (cycles, files > ${FILE_LIMIT} lines, functions > ${FUNCTION_LIMIT} lines)`,
  );
  return verdict.failures.length === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  process.exitCode = main(resolve(import.meta.dirname, '..'), process.argv.slice(2));
}
