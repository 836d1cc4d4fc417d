/**
 * The budget-check comparison alone (`./limiter.ts`): rate-limiter-flexible against
 * phoneproof's limiter path on Redis, PostgreSQL and memory, allowed and refused, without
 * the send+verify pairs of `./run.ts`; then, on memory, CPU per check beside the floor of
 * any exact check through the Store port (`memoryFloor`).
 *
 * Run: `node bench/lib/run.mjs bench/peers/limiter-run.ts [case substring | floor]` after
 * `npm ci --prefix bench/peers --include=dev`. Tuning as `./run.ts`: BENCH_MS (per round,
 * default 1000), BENCH_ROUNDS (default 5), BENCH_CONCURRENCY (default `1,16`).
 * @module
 */
import { Redis } from 'ioredis';
import { clearRedisKeys, DATABASE_URL, REDIS_URL } from './env';
import { compareLimiters, memoryFloor } from './limiter';

const ms = Number(process.env.BENCH_MS ?? 1000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const levels = (process.env.BENCH_CONCURRENCY ?? '1,16').split(',').map(Number);
const filter = process.argv[2];

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
await clearRedisKeys(redis);
console.log(`rounds ${rounds} x ${ms} ms per candidate and concurrency (median shown)`);
await compareLimiters(
  { redis, databaseUrl: DATABASE_URL },
  levels,
  (concurrency) => ({ ms, rounds, concurrency, warmupMs: 300 }),
  (label) => filter === undefined || label.includes(filter),
);
if (filter === undefined || filter === 'floor')
  await memoryFloor({ redis, databaseUrl: DATABASE_URL });
await clearRedisKeys(redis);
redis.disconnect();
