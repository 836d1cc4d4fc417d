/**
 * What the store holds per `start` with the default policy and abuse defenses
 * (docs/operations.md, "Capacity"): a private Redis on loopback, N starts to distinct phones
 * (spread over many area codes, as real traffic is), each from its own client IP (the HTTP
 * adapters pass one), then a scan of every key: kinds, counts, time left to live, and the
 * server's memory per start.
 * Run: node bench/lib/run.mjs bench/redis-capacity.ts
 */
import { Redis } from 'ioredis';
import { redisStore } from '../adapters/redis/index';
import { createVerifier } from '../src/index';
import { outboxSender } from '../src/senders/outbox';
import { startRedis } from '../test/load/servers';

const N = Number(process.env.BENCH_STARTS ?? 2_000);
const server = await startRedis();
const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
try {
  const used = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
  const before = await used();
  const v = createVerifier({
    secret: 'capacity-secret-capacity-secret-capacity',
    store: redisStore({ client, prefix: 'pp:' }),
    sender: outboxSender(),
  });
  const areas = [201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218];
  let ok = 0;
  const refused: Record<string, number> = {};
  for (let i = 0; i < N; i += 1) {
    const area = areas[i % areas.length]!;
    const phone = `+1${area}${String(2_000_000 + ((i * 7919) % 7_000_000)).padStart(7, '0')}`;
    const ip = `198.51.${Math.floor(i / 250) % 256}.${i % 250}`;
    const res = await v.start({ phone, context: { ip } });
    if (res.isOk()) ok += 1;
    else refused[res.error.code] = (refused[res.error.code] ?? 0) + 1;
  }
  const after = await used();
  const kinds: Record<string, { n: number; maxTtlS: number; bytes: number }> = {};
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', 'pp:*', 'COUNT', 1000);
    cursor = next;
    for (const k of keys) {
      const kind = /^pp:\{([a-z]+)/.exec(k)?.[1] ?? 'other';
      const ttl = await client.pttl(k);
      const len = await client.strlen(k);
      kinds[kind] ??= { n: 0, maxTtlS: 0, bytes: 0 };
      kinds[kind]!.n += 1;
      kinds[kind]!.bytes += len;
      kinds[kind]!.maxTtlS = Math.max(kinds[kind]!.maxTtlS, Math.round(ttl / 1000));
    }
  } while (cursor !== '0');
  console.log(`${N} starts: ${ok} accepted, refused ${JSON.stringify(refused)}`);
  for (const [kind, k] of Object.entries(kinds)) {
    console.log(
      `${kind.padEnd(8)} keys ${String(k.n).padStart(6)}  per accepted start ${(k.n / ok).toFixed(2)}  mean value ${Math.round(k.bytes / k.n)} B  longest TTL left ${k.maxTtlS} s`,
    );
  }
  console.log(`Redis used_memory: ${Math.round((after - before) / ok)} B per accepted start`);
} finally {
  client.disconnect();
  await server.dispose();
}
