/**
 * phoneproof against the libraries a team would pick instead, same machine, same run:
 *
 * 1. Send+verify pairs per second: better-auth's phone-number plugin (`auth.api.*`) on
 *    PostgreSQL, SQLite, PostgreSQL + Redis secondary storage and its memory adapter, versus
 *    phoneproof (`start` + `check`) on memory, Redis and PostgreSQL, with its default
 *    defenses and with the abuse defenses off (better-auth has none).
 *    Beside them, the PostgreSQL floor of a pair (two bare autocommitted statements,
 *    `./floor.ts`): the ceiling of any PostgreSQL-backed pair here.
 * 2. One budget check: rate-limiter-flexible's `consume` versus phoneproof's requester-budget
 *    transition, on Redis, PostgreSQL and memory.
 *
 * Run: `npm run bench:peers` (installs this folder's own dependencies, then runs this file).
 * Tuning: BENCH_MS (per round, default 1000), BENCH_ROUNDS (default 3), BENCH_CONCURRENCY
 * (comma list, default `1,16`). Needs Redis (REDIS_URL) and PostgreSQL (DATABASE_URL).
 * @module
 */
import { Redis } from 'ioredis';
import { betterAuthCandidate, type PeerCandidate } from './better-auth';
import { clearRedisKeys, DATABASE_URL, REDIS_URL, versions } from './env';
import { postgresFloor } from './floor';
import { compareLimiters } from './limiter';
import { compareThroughput, fmt, phoneSequence } from './load';
import { phoneproofCandidate } from './phoneproof';

const ms = Number(process.env.BENCH_MS ?? 1000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const levels = (process.env.BENCH_CONCURRENCY ?? '1,16').split(',').map(Number);
const opts = (concurrency: number) => ({ ms, rounds, concurrency, warmupMs: 300 });

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
try {
  await redis.connect();
} catch (e) {
  console.error(`bench:peers needs Redis at ${REDIS_URL}: ${(e as Error).message}`);
  process.exit(1);
}
const env = await versions(redis).catch((e: Error) => {
  console.error(`bench:peers needs PostgreSQL at ${DATABASE_URL}: ${e.message}`);
  process.exit(1);
});
await clearRedisKeys(redis);

console.log('# phoneproof vs peers\n');
for (const [k, v] of Object.entries(env)) console.log(`${k.padEnd(22)} ${v}`);
console.log(`\nrounds ${rounds} x ${ms} ms per candidate and concurrency (median shown)\n`);

// ---- 1. send + verify pairs ------------------------------------------------------------
const deps = { databaseUrl: DATABASE_URL, redis };
const pairs: PeerCandidate[] = [
  await phoneproofCandidate({ ...deps, store: 'memory' }),
  await phoneproofCandidate({ ...deps, store: 'redis' }),
  await phoneproofCandidate({ ...deps, store: 'postgres' }),
  await phoneproofCandidate({ ...deps, store: 'memory', abuse: false }),
  await phoneproofCandidate({ ...deps, store: 'redis', abuse: false }),
  await phoneproofCandidate({ ...deps, store: 'postgres', abuse: false }),
  await betterAuthCandidate({ ...deps, db: 'postgres' }),
  await betterAuthCandidate({ ...deps, db: 'sqlite' }),
  await betterAuthCandidate({ ...deps, db: 'postgres+redis' }),
  await betterAuthCandidate({ ...deps, db: 'memory' }),
  await postgresFloor(DATABASE_URL),
];
const ops = new Map(
  pairs.map((c) => {
    const next = phoneSequence();
    return [c.name, () => c.pair(next())] as const;
  }),
);
const pairResults = new Map<number, Map<string, number>>();
for (const c of levels) pairResults.set(c, await compareThroughput(ops, opts(c)));
for (const c of pairs) await c.close();

console.log('## send+verify pairs per second\n');
console.log(`| candidate | ${levels.map((c) => `${c} in flight`).join(' | ')} |`);
console.log(`|---|${levels.map(() => '---:').join('|')}|`);
for (const name of ops.keys()) {
  console.log(
    `| ${name} | ${levels.map((c) => fmt(pairResults.get(c)!.get(name)!)).join(' | ')} |`,
  );
}

const ratio = (a: string, b: string, c: number) =>
  pairResults.get(c)!.get(a)! / pairResults.get(c)!.get(b)!;
const x = (n: number) => `${n.toFixed(2)}x`;
const baDatabases = ['postgres', 'sqlite', 'memory'].map((d) => `better-auth (${d})`);
console.log('\n### targets\n');
for (const c of levels) {
  const fastest = baDatabases.reduce((a, b) =>
    pairResults.get(c)!.get(a)! >= pairResults.get(c)!.get(b)! ? a : b,
  );
  const t1 = ratio('phoneproof (memory)', 'better-auth (postgres)', c);
  const t2 = ratio('phoneproof (postgres)', fastest, c);
  const t2off = ratio('phoneproof (postgres, abuse off)', fastest, c);
  const floor = ratio('postgres floor (2 commits)', fastest, c);
  console.log(
    `- ${c} in flight: phoneproof (memory) / better-auth (postgres) = ${x(t1)} (target >= 20x: ${t1 >= 20 ? 'met' : 'NOT met'}); ` +
      `phoneproof (postgres) / ${fastest}, its fastest database adapter = ${x(t2)} (target > 1x: ${t2 > 1 ? 'met' : 'NOT met'}; ` +
      `with abuse off, like better-auth: ${x(t2off)}; the PostgreSQL floor itself: ${x(floor)})`,
  );
}
console.log('\n### same backing store\n');
for (const c of levels) {
  const row = [
    ['memory', 'memory'],
    ['redis', 'postgres+redis'],
    ['postgres', 'postgres'],
  ].map(([p, b]) => `${p}: ${x(ratio(`phoneproof (${p})`, `better-auth (${b})`, c))}`);
  const off = ['memory', 'redis', 'postgres'].map(
    (p) => `${p}: ${x(ratio(`phoneproof (${p}, abuse off)`, `phoneproof (${p})`, c))}`,
  );
  console.log(`- ${c} in flight, phoneproof / better-auth: ${row.join(', ')}`);
  console.log(`- ${c} in flight, phoneproof abuse off / defaults: ${off.join(', ')}`);
}

// ---- 2. one budget check ------------------------------------------------------------------
await compareLimiters(deps, levels, (c) => opts(c));

await clearRedisKeys(redis);
redis.disconnect();
