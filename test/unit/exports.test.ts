/**
 * The public surface is what the snapshot says: every entry point's runtime and type
 * exports, read from the source entries by the TypeScript compiler (scripts/exports.ts).
 * A name added or removed anywhere fails here until `test/unit/exports.snapshot.txt` is
 * rewritten on purpose: `npx tsx scripts/exports.ts --write`, reviewed in the diff.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sourceAliases } from '../../scripts/entries';
import { formatExports, listExports, SNAPSHOT } from '../../scripts/exports';

describe('public exports', () => {
  const all = listExports();

  it('match the committed snapshot, entry by entry', () => {
    expect(formatExports(all)).toBe(readFileSync(SNAPSHOT, 'utf8'));
  });

  it('the root entry holds at most 40 names', () => {
    const root = all.phoneproof!;
    expect(root.values.length + root.types.length).toBeLessThanOrEqual(40);
  });

  it('phoneproof/types exists only at the type level', () => {
    expect(all['phoneproof/types']!.values).toEqual([]);
  });

  it('every runtime export of the source entries is listed as a value', async () => {
    const files = sourceAliases();
    for (const [specifier, { values }] of Object.entries(all)) {
      const url = new URL(`../../${files[specifier]}`, import.meta.url).href;
      const mod = (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
      expect(Object.keys(mod).sort(), specifier).toEqual([...values]);
    }
  });
});
