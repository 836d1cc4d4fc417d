/**
 * One budget check, "at most N code checks per hour from one IP address", made by
 * rate-limiter-flexible (`consume` on RateLimiterRedis / RateLimiterPostgres /
 * RateLimiterMemory) and by phoneproof's limiter path: the requester-budget transition its
 * verifier runs before every check (`requesterCheck`), applied with one `store.update` on the
 * same Redis, PostgreSQL or memory. phoneproof has no stand-alone limiter export: the
 * transition is what `createVerifier({ abuse: { requesters: { ip: { checks } } } })` runs.
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
      const r = await store.update(`req:ip:${key}`, requesterCheck(budget, Date.now()));
      return r.refusal === undefined;
    },
    async close() {
      for (const c of cleanups) await c();
    },
  };
}

/** Prepares the PostgreSQL schema the limiter comparison uses. */
export const prepareLimiterSchema = freshSchema;
