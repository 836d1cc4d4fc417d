/**
 * Test helpers for the shared Redis and PostgreSQL services: URLs, clients configured the
 * way docs/stores.md recommends, and the CI rule (under `CI=true` a missing service fails
 * the run; elsewhere the suite is skipped with a message).
 * @internal test helper
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const IN_CI = process.env.CI === 'true';

/** The ioredis options docs/stores.md recommends: fail fast while Redis is down. */
export const failFastRedisOptions = {
  maxRetriesPerRequest: 1,
  commandTimeout: 2_000,
  connectTimeout: 2_000,
  retryStrategy: (times: number) => Math.min(times * 50, 500),
};

/** Options a test may change on top of the recommended ones. */
export interface RedisExtra {
  readonly maxRetriesPerRequest?: number;
  readonly commandTimeout?: number;
  readonly enableOfflineQueue?: boolean;
}

export function redisClient(url = REDIS_URL, extra: RedisExtra = {}): Redis {
  const client = new Redis(url, { ...failFastRedisOptions, ...extra });
  client.on('error', () => {}); // connection errors surface as rejected commands
  return client;
}

/** A pool configured the way docs/stores.md recommends, with its error listener. */
export function pgPool(url = DATABASE_URL, extra: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 2_000,
    query_timeout: 5_000,
    ...extra,
  });
  pool.on('error', () => {}); // idle clients losing their server; queries report it
  return pool;
}

/** A unique name for this test run (key prefixes, table names). */
export const runId = (label: string) => `${label}_${randomBytes(4).toString('hex')}`;

async function redisUp(): Promise<boolean> {
  const c = new Redis(REDIS_URL, {
    lazyConnect: true,
    retryStrategy: () => null,
    connectTimeout: 2_000,
  });
  c.on('error', () => {});
  try {
    await c.connect();
    return (await c.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}

async function postgresUp(): Promise<boolean> {
  const c = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2_000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * Whether the service answers. Under `CI=true` an absent service throws, failing the test
 * file; otherwise the caller skips its suites and a message says why.
 */
export async function serviceAvailable(service: 'redis' | 'postgres'): Promise<boolean> {
  const up = service === 'redis' ? await redisUp() : await postgresUp();
  const url = service === 'redis' ? REDIS_URL : DATABASE_URL;
  if (!up) {
    if (IN_CI) throw new Error(`${service} is not reachable at ${url} (required under CI=true)`);
    console.warn(`[phoneproof tests] ${service} not reachable at ${url}: skipping its suites.`);
  }
  return up;
}

/**
 * Spread into `createVerifier` options to turn the abuse defenses off, so that a load test
 * measures the store and the core's limits alone (prefix velocity would otherwise refuse
 * its many sends). Typed loosely on purpose.
 */
export const withoutAbuse: object = { abuse: false };

/** Deletes every key under `prefix` (SCAN + DEL, bounded pages). */
export async function clearPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
}

/**
 * A contract-suite harness over a Redis store with its own client and a fresh prefix
 * (`makeStore` builds the store from them); `reset` and `close` clear that prefix.
 */
export function redisHarness<S>(label: string, makeStore: (client: Redis, prefix: string) => S) {
  const c = redisClient();
  const p = `${runId(label)}:`;
  return {
    store: makeStore(c, p),
    wait: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
    reset: () => clearPrefix(c, p),
    close: async () => {
      await clearPrefix(c, p);
      c.disconnect();
    },
  };
}
