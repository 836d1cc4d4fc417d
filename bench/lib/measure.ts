/** Tiny benchmark helpers: bounded rounds, medians, ratios. */

/**
 * Which time to divide by: `wall` (elapsed; for anything doing I/O) or `cpu` (this process's
 * user + system CPU time; for pure in-process work, so that other processes on the machine
 * do not skew the result).
 */
export type Clock = 'wall' | 'cpu';

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Runs `fn` repeatedly for about `ms` milliseconds; returns operations per second. */
export async function opsPerSecond(
  fn: () => Promise<unknown> | unknown,
  ms = 1000,
  clock: Clock = 'wall',
): Promise<number> {
  const read = clock === 'cpu' ? cpuMs : () => performance.now();
  let n = 0;
  const start = read();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 100; i += 1) await fn();
    n += 100;
    elapsed = read() - start;
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
  { rounds = 5, ms = 1000, clock = 'wall' as Clock } = {},
): Promise<Record<string, number>> {
  const results: Record<string, number[]> = Object.fromEntries(
    Object.keys(candidates).map((k) => [k, []]),
  );
  for (const fn of Object.values(candidates)) await opsPerSecond(fn, 200, clock);
  for (let r = 0; r < rounds; r += 1) {
    for (const [name, fn] of Object.entries(candidates))
      results[name]!.push(await opsPerSecond(fn, ms, clock));
  }
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
