/**
 * One budget check, "at most N code checks per hour from one IP address", made by
 * rate-limiter-flexible (`consume` on RateLimiterRedis / RateLimiterPostgres /
 * RateLimiterMemory) and by phoneproof's limiter path: the requester-budget transition its
 * verifier runs before every check (`requesterCheck`), applied with one `store.update` on the
 * same Redis, PostgreSQL or memory. phoneproof has no stand-alone limiter export: the
 * transition is what `createVerifier({ abuse: { requesters: { ip: { checks } } } })` runs.
 * `compareLimiters` runs every case (each store, allowed and refused) interleaved in one
 * process; `bench/peers/run.ts` runs it after the pairs, `bench/peers/limiter-run.ts` alone.
 * @module
 */
import type { Redis } from 'ioredis';
import pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis } from 'rate-limiter-flexible';
import { memoryStore } from '../../adapters/memory/index';
import { migrate, postgresStore } from '../../adapters/postgres/index';
import { redisStore } from '../../adapters/redis/index';
import { requesterCheck } from '../../src/abuse/budgets';
import type { ResolvedBudget } from '../../src/abuse/options';
import type { Store } from '../../src/index';
import { compare } from '../lib/measure';
import { compareThroughput, fmt } from './load';

export type Backend = 'redis' | 'postgres' | 'memory';

/** One budget check for requester `key`; resolves true when allowed, false when refused. */
export type LimitCheck = (key: string) => Promise<boolean>;

export interface LimiterPair {
  readonly peer: LimitCheck;
  readonly phoneproof: LimitCheck;
  close(): Promise<void>;
}

const HOUR_S = 3600;

/** The schema the bench owns for both libraries' PostgreSQL tables (dropped on each run). */
export const LIMITER_SCHEMA = 'bench_peers_limiter';

async function freshSchema(databaseUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${LIMITER_SCHEMA} CASCADE`);
    await admin.query(`CREATE SCHEMA ${LIMITER_SCHEMA}`);
    // Forget phoneproof's migration records for the dropped tables (ids name the schema).
    await admin
      .query('DELETE FROM phoneproof_migrations WHERE id LIKE $1', [`%:${LIMITER_SCHEMA}.%`])
      .catch(() => undefined);
  } finally {
    await admin.end();
  }
}

/**
 * Both limiters on `backend` with a budget of `max` checks per hour per key. With a large
 * `max` every check is allowed (and written); with `max: 1` every check after a key's
 * first is refused.
 */
export async function limiterPair(
  backend: Backend,
  max: number,
  deps: { redis: Redis; databaseUrl: string },
): Promise<LimiterPair> {
  const tag = `m${max}`;
  const cleanups: (() => Promise<void>)[] = [];
  let peer: RateLimiterRedis | RateLimiterPostgres | RateLimiterMemory;
  let store: Store;
  if (backend === 'redis') {
    peer = new RateLimiterRedis({
      storeClient: deps.redis,
      keyPrefix: `bench-peers-rlf-${tag}`,
      points: max,
      duration: HOUR_S,
    });
    store = redisStore({ client: deps.redis, prefix: `bench-peers-pp-limit-${tag}:` });
  } else if (backend === 'postgres') {
    const pool = new pg.Pool({ connectionString: deps.databaseUrl, max: 10 });
    cleanups.push(() => pool.end());
    peer = await new Promise<RateLimiterPostgres>((resolve, reject) => {
      const rl: RateLimiterPostgres = new RateLimiterPostgres(
        {
          storeClient: pool,
          schemaName: LIMITER_SCHEMA,
          tableName: `rlf_${tag}`,
          points: max,
          duration: HOUR_S,
        },
        (err?: unknown) => (err ? reject(err) : resolve(rl)),
      );
    });
    const table = `${LIMITER_SCHEMA}.pp_${tag}`;
    await migrate(pool, { table, ledgerTable: `${LIMITER_SCHEMA}.pp_ledger_${tag}` });
    store = postgresStore({ pool, table });
  } else {
    peer = new RateLimiterMemory({ points: max, duration: HOUR_S });
    store = memoryStore();
  }
  const budget: ResolvedBudget = {
    destinations: [],
    sends: [],
    checks: [{ windowMs: HOUR_S * 1000, max }],
  };
  return {
    peer: async (key) => {
      try {
        await peer.consume(key);
        return true;
      } catch (e) {
        if (e instanceof Error) throw e; // a store error, not a refusal
        return false;
      }
    },
    phoneproof: async (key) => {
      const k = `req:ip:${key}`;
      const r = await store.update(k, requesterCheck(budget, Date.now(), k));
      return r.refusal === undefined;
    },
    async close() {
      for (const c of cleanups) await c();
    },
  };
}

/** Prepares the PostgreSQL schema the limiter comparison uses. */
export const prepareLimiterSchema = freshSchema;

/** The cases: each store, allowed (every check counted and written) and refused. */
export const LIMITER_CASES: readonly (readonly [string, Backend, number])[] = [
  ['redis, allowed', 'redis', 1_000_000_000],
  ['redis, refused', 'redis', 1],
  ['postgres, allowed', 'postgres', 1_000_000_000],
  ['postgres, refused', 'postgres', 1],
  ['memory, allowed', 'memory', 1_000_000_000],
  ['memory, refused', 'memory', 1],
];

/** The keys both limiters are checked with, round robin. */
const KEYS = 1000;
const keyAt = (i: number) => `198.51.100.${i % KEYS}`;

/**
 * Prints one table row per case (whose label matches `only`, all by default): checks per
 * second of rate-limiter-flexible and of phoneproof at each concurrency, interleaved rounds
 * (medians), and their ratio. A refused case spends every key once before measuring, so
 * every measured check refuses; a check that does not answer as its case expects stops the
 * run.
 */
export async function compareLimiters(
  deps: { redis: Redis; databaseUrl: string },
  levels: readonly number[],
  opts: (concurrency: number) => {
    ms: number;
    rounds: number;
    concurrency: number;
    warmupMs: number;
  },
  only: (label: string) => boolean = () => true,
): Promise<void> {
  await prepareLimiterSchema(deps.databaseUrl);
  console.log(`\n## one budget check per second (${KEYS} requester keys, round robin)\n`);
  console.log(
    `| case | ${levels.flatMap((c) => [`rate-limiter-flexible, ${c} in flight`, `phoneproof, ${c} in flight`, 'ratio']).join(' | ')} |`,
  );
  console.log(`|---|${levels.flatMap(() => ['---:', '---:', '---:']).join('|')}|`);
  for (const [label, backend, max] of LIMITER_CASES.filter(([l]) => only(l))) {
    const pair = await limiterPair(backend, max, deps);
    const expect = max > 1;
    const keyed = (check: LimitCheck) => {
      let i = 0;
      return async () => {
        if ((await check(keyAt(i++))) !== expect)
          throw new Error(`${label}: expected ${expect ? 'allowed' : 'refused'}`);
      };
    };
    if (!expect) {
      for (let k = 0; k < KEYS; k += 1) {
        await pair.peer(keyAt(k));
        await pair.phoneproof(keyAt(k));
      }
    }
    const cells: string[] = [];
    for (const c of levels) {
      const r = await compareThroughput(
        new Map([
          ['peer', keyed(pair.peer)],
          ['phoneproof', keyed(pair.phoneproof)],
        ]),
        opts(c),
      );
      const peer = r.get('peer')!;
      const pp = r.get('phoneproof')!;
      cells.push(fmt(peer), fmt(pp), `${(pp / peer).toFixed(2)}x`);
    }
    console.log(`| ${label} | ${cells.join(' | ')} |`);
    await pair.close();
  }
}

/**
 * On memory, where only CPU counts: one allowed check of each library beside what any
 * exact check through the Store port costs at least, in CPU time (interleaved rounds,
 * medians, µs per check): `store.update` of a transition that writes a constant text (the
 * store kit and the memory store alone), a Map get and set of a counter object (what
 * `RateLimiterMemory` keeps), and `JSON.parse` plus `JSON.stringify` of the requester
 * record (the text codec every check would pay without a decoded-record cache).
 */
export async function memoryFloor(deps: { redis: Redis; databaseUrl: string }): Promise<void> {
  const pair = await limiterPair('memory', 1_000_000_000, deps);
  const store = memoryStore();
  const counters = new Map<string, { n: number }>();
  const budget: ResolvedBudget = {
    destinations: [],
    sends: [],
    checks: [{ windowMs: HOUR_S * 1000, max: 1_000_000_000 }],
  };
  const first = await store.update('req:ip:x', requesterCheck(budget, Date.now()));
  const record = (await store.get('req:ip:x'))!;
  if (first.refusal !== undefined) throw new Error('memoryFloor: expected allowed');
  const write = { value: record, ttlMs: HOUR_S * 1000 };
  let i = 0;
  const r = await compare(
    {
      'rate-limiter-flexible consume': () => pair.peer(keyAt(i++)),
      'phoneproof check': () => pair.phoneproof(keyAt(i++)),
      'store.update, constant write': () =>
        store.update(`req:ip:${keyAt(i++)}`, () => ({ result: true, write })),
      'Map get/set of a counter': () => {
        const k = `rlflx:${keyAt(i++)}`;
        const c = counters.get(k);
        if (c) c.n += 1;
        else counters.set(k, { n: 1 });
      },
      'JSON.parse + JSON.stringify of the record': () => JSON.stringify(JSON.parse(record)),
    },
    { clock: 'cpu', rounds: 5 },
  );
  const peer = r['rate-limiter-flexible consume']!;
  console.log('\n## memory, allowed: CPU per check beside the floor (interleaved, medians)\n');
  console.log("| what | µs CPU | CPU / consume's |");
  console.log('|---|---:|---:|');
  for (const [name, ops] of Object.entries(r)) {
    console.log(`| ${name} | ${(1e6 / ops).toFixed(3)} | ${(peer / ops).toFixed(2)}x |`);
  }
  await pair.close();
}
