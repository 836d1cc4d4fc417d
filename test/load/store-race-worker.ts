/**
 * A worker process for test/load/store-race.test.ts: opens the shared store it is told to
 * (test/registry.ts) with several independent store instances, and on `go` fires its
 * batched updates at once: increments over overlapping key sets and transfers between keys.
 * @internal test helper
 */
import type { Store } from '../../src/ports/store';
import type { Backend } from '../backends';
import { backendNamed } from '../registry';

export interface StoreRaceJob {
  readonly backend: Backend['name'];
  readonly location: string;
  readonly namespace: string;
  readonly instances: number;
  readonly increments: number;
  readonly transfers: number;
}

const MIN = 60_000;
const num = (raw: string | undefined) => (raw === undefined ? 0 : Number(raw));
const SETS = [
  ['c:x', 'c:y'],
  ['c:y', 'c:z'],
  ['c:z', 'c:x', 'c:y'],
];
const ACCOUNTS = ['t:1', 't:2', 't:3'];

async function run(stores: Store[], job: StoreRaceJob): Promise<number> {
  let moved = 0;
  const at = (i: number) => stores[i % stores.length]!;
  await Promise.all([
    ...Array.from({ length: job.increments }, (_, i) =>
      at(i).updateMany(SETS[i % SETS.length]!, (cur) => ({
        result: 0,
        writes: cur.map((raw) => ({ value: String(num(raw) + 1), ttlMs: MIN })),
      })),
    ),
    ...Array.from({ length: job.transfers }, async (_, i) => {
      const keys = [ACCOUNTS[i % 3]!, ACCOUNTS[(i + 1) % 3]!];
      const ok = await at(i).updateMany(keys, ([from, to]) =>
        num(from) === 0
          ? { result: false }
          : {
              result: true,
              writes: [
                { value: String(num(from) - 1), ttlMs: MIN },
                { value: String(num(to) + 1), ttlMs: MIN },
              ],
            },
      );
      if (ok) moved += 1;
    }),
  ]);
  return moved;
}

let job: StoreRaceJob | undefined;
let opened: Array<{ store: Store; close(): Promise<void> }> = [];

process.on('message', async (m: { type: string; job?: StoreRaceJob }) => {
  try {
    if (m.type === 'prepare') {
      job = m.job!;
      const shared = backendNamed(job.backend).shared!;
      opened = await Promise.all(
        Array.from({ length: job.instances }, () => shared.open(job!.location, job!.namespace)),
      );
      process.send!({ type: 'ready' });
    } else if (m.type === 'go') {
      const moved = await run(
        opened.map((o) => o.store),
        job!,
      );
      await Promise.all(opened.map((o) => o.close()));
      process.send!({ type: 'done', moved });
    } else if (m.type === 'exit') {
      process.exit(0);
    }
  } catch (e) {
    process.send!({ type: 'failed', error: e instanceof Error ? e.stack : String(e) });
  }
});
