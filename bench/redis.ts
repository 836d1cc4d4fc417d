/**
 * The Redis store under the verifier: check (a wrong guess, evaluated and written: one
 * EVALSHA on the store whose cache holds the record, GET + EVALSHA on a second instance
 * without a cache) and start, sequential and with 100 in flight, beside a raw loop of GET,
 * then EVALSHA of the same compare-and-set script writing a record of the same size, with no
 * verifier. Target: >= 40% of the raw loop at 100 in flight (check and start).
 * Run: npm run bench:redis (reads REDIS_URL; uses its own key prefix and deletes it after).
 */
import { Redis } from 'ioredis';
import { redisStore } from '../adapters/redis/index';
import { CAS_SHA } from '../adapters/redis/script';
import { checkPhones, report, runStoreBench, type StoreBench } from './lib/store-bench';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const client = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 5_000 });
const prefix = `phoneproof-bench-${process.pid}:`;
const store = redisStore({ client, prefix });
// A second server on the same Redis and prefix that has seen none of the records.
const uncached = redisStore({ client, prefix, cacheSize: 0 });
const rawKey = (i: number) => `${prefix}{raw:${i}}`;
let values: [string, string] = ['', ''];

async function cleanup() {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
}

const bench: StoreBench = {
  name: `Redis ${url}`,
  store,
  uncached,
  rawLabel: 'raw GET + EVALSHA compare-and-set',
  async prepareRaw(value) {
    // Two values of the record's size: each raw op reads one and swaps in the other.
    values = [value, `${value.slice(0, -1)} `];
    await store.update('warm', () => ({ result: 0, write: { value: 'x', ttlMs: 60_000 } }));
    for (let i = 0; i < checkPhones.length; i += 1) {
      await client.set(rawKey(i), values[0], 'PX', 600_000);
    }
  },
  async raw(i) {
    const key = rawKey(i);
    const cur = await client.get(key);
    const next = cur === values[0] ? values[1] : values[0];
    await client.evalsha(CAS_SHA, 1, key, '1', cur ?? '', next, '600000');
  },
  async create(i, value) {
    // Expecting absence (empty expected value and no version), as the store creates a key.
    await client.evalsha(CAS_SHA, 1, `${prefix}{floor:${i}}`, '0', '', value, '600000');
  },
};

try {
  const res = await runStoreBench(bench);
  report(bench, res, 0.4);
} finally {
  await cleanup();
  client.disconnect();
}
