/**
 * `redisStore`: the Store port on Redis (standalone, Sentinel or Cluster), through the
 * application's own ioredis, iovalkey or node-redis v5 client.
 * @module
 */
import { type Store, StoreConflictError } from '../../src/ports/store';
import { intOption, storeKit } from '../store-kit';
import {
  adaptClient,
  type NodeRedisClientLike,
  type NodeRedisScriptOptions,
  type RedisClientLike,
  type RedisStoreClient,
} from './client';
import {
  type DurableWriter,
  durableWriter,
  type RedisDurability,
  type RedisPipelineLike,
  StoreDurabilityError,
} from './durable';
import { mapRedisError, redisPrimitives } from './primitives';

export interface RedisStoreOptions {
  /**
   * The application's client, connected: ioredis or iovalkey (`Redis`, `Cluster`), or node-redis
   * v5 (`createClient`, `createCluster`, ...). Configure it to fail fast when Redis is down
   * (see docs/stores.md).
   */
  readonly client: RedisStoreClient;
  /**
   * Prepended to every key (default `phoneproof:`). May not contain `{` or `}`. On a
   * Cluster it is also the store's hash tag (all its keys in one slot).
   */
  readonly prefix?: string;
  /** Compare-and-set attempts per update before it rejects (default 32). */
  readonly maxAttempts?: number;
  /**
   * Keys whose last known value this store keeps in process, so that an update can skip its
   * `GET` (default 10 000; 0 disables it: every update reads first). Keys cached longest ago
   * are evicted first. See docs/stores.md for the cost in memory.
   */
  readonly cacheSize?: number;
  /**
   * Off by default: a write resolves once the primary applied it, and a failover can lose the
   * writes of the last replication lag. Set it (e.g. `{ replicas: 1, timeoutMs: 500 }`) to
   * resolve a write only once replicas acknowledged it; needs an ioredis/iovalkey client
   * or a node-redis `createClient()` client (not a node-redis Cluster, pool or Sentinel).
   */
  readonly durability?: RedisDurability;
}

export interface RedisStore extends Store {
  readonly prefix: string;
  /**
   * The Redis key that holds a logical key: `${prefix}{${key}}`, or on a Cluster
   * `${prefix}{${prefix || 'phoneproof'}}${key}` (one slot for the whole store).
   */
  redisKey(key: string): string;
}

export {
  type NodeRedisClientLike,
  type NodeRedisScriptOptions,
  type RedisClientLike,
  type RedisDurability,
  type RedisPipelineLike,
  type RedisStoreClient,
  StoreConflictError,
  StoreDurabilityError,
};

/**
 * Creates a Store on Redis.
 * Built by `storeKit` (adapters/store-kit) from the primitives in ./primitives.ts: the queue,
 * cache and retry loop described below are the kit's; the statements are this store's.
 *
 * - Layout: one string key per record. On one server (standalone, Sentinel) it is
 *   `${prefix}{${key}}`. On a Cluster client (an ioredis `Cluster`, a node-redis
 *   `createCluster`) every key of the store carries one hash tag,
 *   `${prefix}{${prefix || 'phoneproof'}}${key}`, so all its records share one slot: an
 *   operation's keys (a phone record, an IP budget, a prefix budget...) belong to different
 *   entities, no per-entity tag can put them together, and a script can only write keys of
 *   one slot all-or-nothing. The cost: the store's traffic goes to that slot's master (the
 *   Cluster gives failover, not write scaling, for phoneproof: see docs/stores.md).
 * - `update` and `updateMany` (the kit's loop over N keys; `update` is one key): with
 *   nothing cached, one batched read (GET for one key; for several, the compare-and-set script with
 *   nothing to write, which fails with WRONGTYPE on a foreign type where MGET answers nil), the transition,
 *   then one EVALSHA of a compare-and-set over all the keys (./script.ts) that compares every
 *   key and writes with PX (or deletes) only if all still hold what was read: all or
 *   nothing. On a conflict the script returns the current values, so a retry costs one more
 *   round trip, with jittered backoff from the second retry; past `maxAttempts` conflicts (a
 *   failed guess of the cache below is not one) it rejects with `StoreConflictError`.
 *   A transition without a write (or deleting only absent records) ends at the read.
 *   Concurrent updates of a key within this process run one after another, so contention
 *   comes only from other processes.
 * - Last-value cache (`cacheSize`, default 10 000 keys): the store remembers the value it
 *   last read or wrote for each key and skips the read: the transition runs on those values
 *   and the compare-and-set expects them (1 round trip, 1 command, when nobody else wrote).
 *   A key with nothing cached is guessed absent. If a guess was stale the script answers the
 *   current values and the update goes on from them as after a conflict (2 round trips, as
 *   without the cache). A transition that writes nothing, or throws on the guesses, is not
 *   trusted: the store reads, then runs it again. No result computed on a guess is returned
 *   unless its write landed. Errors and conflicts forget the keys.
 * - `get`: one GET (never answered from the cache); it refreshes the cached value.
 * - TTL: Redis expiry (PX), on the Redis server's clock.
 * - Durability (`durability`, off by default): without it a write resolves once the primary
 *   applied it, and replication is asynchronous, so a failover loses the writes acknowledged
 *   within the replication lag before it. With it (adapters/redis/durable.ts), a write
 *   resolves only once `WAIT replicas timeoutMs` (or `WAITAOF 1 replicas timeoutMs`), run on
 *   the same connection after it, reports enough replicas. An idle store sends `CLIENT
 *   INFO`, the compare-and-set, the wait and `CLIENT INFO` in one pipeline (one round trip);
 *   writes landing while a wait is in flight share the next one (group commit). Too few
 *   acknowledgements, an error, or a reconnection between the write and its wait reject with
 *   `StoreDurabilityError` (`store_unavailable`). The write may then still be on the
 *   primary: the operation is refused, never approved.
 * - A key holding a non-string Redis value rejects with `CorruptRecordError` (the verifier
 *   answers `store_corrupt`); connection errors reject unchanged (`store_unavailable`).
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('phoneproof: redisStore needs an options object ({ client }).');
  }
  // ioredis and iovalkey as they are; node-redis v5 wrapped into their shape (./client.ts).
  const adapted = adaptClient(options.client);
  const client: RedisClientLike = adapted.client;
  if (options.durability !== undefined && adapted.noDurability) {
    throw new TypeError(adapted.noDurability);
  }
  const prefix = options.prefix ?? 'phoneproof:';
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    throw new TypeError('phoneproof: redisStore `prefix` must be a string without `{` or `}`.');
  }
  const maxAttempts = intOption(options.maxAttempts ?? 32, 'maxAttempts', 1, 1000, 'redisStore');
  const cacheSize = intOption(options.cacheSize ?? 10_000, 'cacheSize', 0, 1e7, 'redisStore');
  const durable: DurableWriter | undefined = durableWriter(
    options.durability,
    client,
    mapRedisError,
  );
  const tag = `{${prefix || 'phoneproof'}}`;
  const redisKey = adapted.cluster
    ? (key: string) => `${prefix}${tag}${key}`
    : (key: string) => `${prefix}{${key}}`;
  const store = storeKit(redisPrimitives(client, redisKey, durable), {
    attempts: maxAttempts,
    cacheSize,
    name: `Redis (prefix ${prefix})`,
  });
  return Object.assign(store, { prefix, redisKey });
}
