/**
 * Bounded load helpers for the peers bench: a phone-number sequence both sides share, and a
 * fixed-concurrency loop that counts completed operations per second.
 * @module
 */

// Valid US area codes: consecutive phones land in different area codes, so no prefix of the
// sequence is hotter than real traffic would make it.
const AREAS = [
  201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225,
  228, 229, 231, 234, 239, 240, 248, 251, 252, 253, 254, 256, 260, 262, 267, 269, 270, 276, 281,
  301, 302, 303, 304, 305, 307, 308, 309, 310, 312, 313, 314, 315, 316, 317, 318, 319, 320,
];
const EXCHANGES = 700; // 300..999

/** The `i`-th phone of the sequence, E.164 (valid for libphonenumber-js). */
export function phoneAt(i: number): string {
  const area = AREAS[i % AREAS.length]!;
  const rest = Math.floor(i / AREAS.length);
  const exchange = 300 + (rest % EXCHANGES);
  const line = Math.floor(rest / EXCHANGES) % 10_000;
  return `+1${area}${exchange}${String(line).padStart(4, '0')}`;
}

/** A phone source that never repeats within `10_000 * 700 * AREAS.length` draws. */
export function phoneSequence(start = 0): () => string {
  let i = start;
  return () => phoneAt(i++);
}

/**
 * Runs `op` from `concurrency` loops for about `ms` milliseconds (wall clock: the work does
 * I/O); resolves with completed operations per second. The first error stops the run and
 * rejects, so a refused or failed operation is never counted.
 */
export async function throughput(
  op: () => Promise<void>,
  { ms, concurrency }: { ms: number; concurrency: number },
): Promise<number> {
  const start = performance.now();
  const deadline = start + ms;
  let done = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      await op();
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (done / (performance.now() - start)) * 1000;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Interleaves `rounds` rounds of every candidate (so drift on the machine hits all alike)
 * after one short warm-up each; resolves with each candidate's median.
 */
export async function compareThroughput(
  candidates: ReadonlyMap<string, () => Promise<void>>,
  opts: { ms: number; concurrency: number; rounds: number; warmupMs: number },
): Promise<Map<string, number>> {
  const runs = new Map<string, number[]>();
  for (const [name, op] of candidates) {
    await throughput(op, { ms: opts.warmupMs, concurrency: opts.concurrency });
    runs.set(name, []);
  }
  for (let r = 0; r < opts.rounds; r += 1) {
    for (const [name, op] of candidates) {
      runs.get(name)!.push(await throughput(op, opts));
    }
  }
  return new Map([...runs].map(([name, xs]) => [name, median(xs)]));
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
