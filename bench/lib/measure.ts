/** Tiny benchmark helpers: bounded rounds, medians, ratios. */

/** Runs `fn` repeatedly for about `ms` milliseconds; returns operations per second. */
export async function opsPerSecond(fn: () => Promise<unknown> | unknown, ms = 1000): Promise<number> {
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 100; i += 1) await fn();
    n += 100;
    elapsed = performance.now() - start;
  }
  return (n / elapsed) * 1000;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Interleaves rounds of several candidates so drift affects all alike; returns medians. */
export async function compare(
  candidates: Record<string, () => Promise<unknown> | unknown>,
  { rounds = 5, ms = 1000 } = {},
): Promise<Record<string, number>> {
  const results: Record<string, number[]> = Object.fromEntries(Object.keys(candidates).map((k) => [k, []]));
  for (const fn of Object.values(candidates)) await opsPerSecond(fn, 200);
  for (let r = 0; r < rounds; r += 1) {
    for (const [name, fn] of Object.entries(candidates)) results[name]!.push(await opsPerSecond(fn, ms));
  }
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
