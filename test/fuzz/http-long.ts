/**
 * The long HTTP fuzz run (`npm run fuzz:http`, not part of `npm test`): 100,000 hostile
 * requests in all (shared equally between the adapters; `FUZZ_HTTP_TOTAL` changes it), with the same
 * invariants as test/fuzz/http.test.ts. Bounded: it stops at the count, or at the first
 * broken invariant, and always on 127.0.0.1.
 */
import fc from 'fast-check';
import type { Mount } from '../http/servers';
import { FRAMEWORKS } from '../registry';
import { brokenInvariant, hostileArb, rawClient } from './hostile';
import { fuzzTarget, SEEDED } from './target';

const total = Number(process.env.FUZZ_HTTP_TOTAL ?? 100_000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
const unhandled: unknown[] = [];
process.on('unhandledRejection', (e) => void unhandled.push(e));

async function run(name: string, mount: Mount, runs: number): Promise<void> {
  const target = await fuzzTarget(mount);
  const client = rawClient(target.running.base);
  const statuses = new Map<number, number>();
  const started = performance.now();
  try {
    await fc.assert(
      fc.asyncProperty(hostileArb(target.ids), async (h) => {
        const r = await client.send(h);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        const broken = brokenInvariant(h, r, SEEDED);
        if (broken)
          throw new Error(`${broken}: ${h.method} ${h.path.slice(0, 120)} -> ${r.status}`);
      }),
      { numRuns: runs, seed, endOnFailure: true },
    );
    const state = await target.checkState();
    const serverSide = target.running.appErrors.filter(
      (e) => !((e as { statusCode?: number }).statusCode! < 500),
    );
    if (serverSide.length > 0) throw new Error(`${serverSide.length} errors reached the app`);
    if (unhandled.length > 0) throw new Error(`${unhandled.length} unhandled rejections`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`);
    console.log(
      `${name}: ${runs} requests in ${seconds}s, ${state.records} records consistent; ${byStatus.join(' ')}`,
    );
  } finally {
    client.close();
    await target.running.close();
  }
}

console.log(`fuzz:http seed ${seed} (FUZZ_SEED=${seed} replays it)`);
// The total is shared between the frameworks of the registry, the first ones taking the rest.
for (const [i, [name, mount]] of FRAMEWORKS.entries()) {
  const share = Math.floor(total / FRAMEWORKS.length) + (i < total % FRAMEWORKS.length ? 1 : 0);
  await run(name, mount, share);
}
console.log(`fuzz:http passed: ${total} requests`);
