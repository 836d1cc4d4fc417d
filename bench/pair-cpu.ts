/**
 * CPU time per start+check pair (every default on, distinct phones) in one process, on one
 * store per run, for profiling where a pair's CPU goes (issue 17): `MODE=memory` (memoryStore),
 * `map` (the store kit over an in-process Map: the Redis store's path with no I/O), `ping`
 * (the same, with one bare Redis `PING` before each conditional write: the round trips of a
 * Redis pair without its commands), `redis` (redisStore). Prints pairs per second, this
 * process's CPU per pair and the main thread's share. Profile with
 * `node --cpu-prof --import tsx bench/pair-cpu.ts` (or bundle it with esbuild first, for line
 * numbers). `C` in flight (default 16), `N` pairs (default 20 000) after 2 000 of warm-up.
 * Run: MODE=redis npx tsx bench/pair-cpu.ts (reads REDIS_URL; its own key prefix, deleted after).
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { memoryStore } from '../adapters/memory/index';
import { redisStore } from '../adapters/redis/index';
import { storeKit } from '../adapters/store-kit/index';
import { createVerifier } from '../src/index';
import { phoneAt } from './peers/load';

const mode = process.env.MODE ?? 'map';
const N = Number(process.env.N ?? 20_000);
const C = Number(process.env.C ?? 16);
const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
const prefix = `phoneproof-bench-pair-cpu-${process.pid}:`;

/** The store kit over a Map with a conditional write (as bench/store-pairs.ts's FLOOR mode). */
function mapStore(ping: boolean) {
  const rows = new Map<string, { value: string; until: number }>();
  const live = (key: string) => {
    const row = rows.get(key);
    return row && row.until > Date.now() ? { value: row.value } : undefined;
  };
  return storeKit({
    read: live,
    readMany: (keys) => keys.map(live),
    async writeMany(ops) {
      if (ping) await client.ping();
      const current = ops.map((op) => live(op.key));
      if (ops.some((op, i) => current[i]?.value !== op.expected?.value)) {
        return { applied: false, current };
      }
      for (const { key, write } of ops) {
        if (write && 'delete' in write) rows.delete(key);
        else if (write) rows.set(key, { value: write.value, until: Date.now() + write.ttlMs });
      }
      return { applied: true, records: ops.map((op) => live(op.key)) };
    },
  });
}

const store =
  mode === 'memory'
    ? memoryStore()
    : mode === 'redis'
      ? redisStore({ client, prefix })
      : mapStore(mode === 'ping');
const codes = new Map<string, string>();
const verifier = createVerifier({
  secret: 'bench-pair-cpu-secret-0123456789abcdef',
  store,
  sender: {
    reportsCarryRef: true,
    async send(m: { to: string; code: string }) {
      codes.set(m.to, m.code);
      return { ok: true, messageId: 'bench' };
    },
  },
});
let next = 0;
async function pair() {
  const phone = phoneAt(next++);
  const started = await verifier.start({ phone });
  if (started.isErr()) throw new Error(`start: ${started.error.code}`);
  const checked = await verifier.check({ id: started.value.id, code: codes.get(phone)! });
  codes.delete(phone);
  if (checked.isErr()) throw new Error(`check: ${checked.error.code}`);
}
async function run(n: number) {
  let left = n;
  const loop = async () => {
    while (left-- > 0) await pair();
  };
  await Promise.all(Array.from({ length: C }, loop));
}
/** CPU µs of the main thread (Linux: /proc/self/task/<pid>/stat), or NaN elsewhere. */
function mainThreadUs(): number {
  try {
    if (!readdirSync('/proc/self/task').includes(String(process.pid))) return Number.NaN;
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000; // clock ticks of 10 ms
  } catch {
    return Number.NaN;
  }
}

try {
  await run(2_000);
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadUs();
  const t0 = performance.now();
  await run(N);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const main = (mainThreadUs() - main0) / N;
  console.log(
    `${mode}, ${C} in flight: ${Math.round((N / ms) * 1000)} pairs/s, CPU ${Math.round((cpu.user + cpu.system) / N)} µs/pair (main thread ${Math.round(main)})`,
  );
} finally {
  if (mode === 'redis') {
    let cursor = '0';
    do {
      const [at, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = at;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  }
  client.disconnect();
}
