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
  /** Prepended to every key (default `phoneproof:`). May not contain `{` or `}`. */
  readonly prefix?: string;
  /** Compare-and-set attempts per update before it rejects (default 32). */
  readonly maxAttempts?: number;
  /**
   * Keys whose last known value this store keeps in process, so that an update can skip its
   * `GET` (default 10 000; 0 disables it: every update reads first). Least recently written
   * or read keys are evicted first. See docs/stores.md for the cost in memory.
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
  /** The Redis key that holds a logical key: `${prefix}{${key}}`. */
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
 * - Layout: one string key per record, `${prefix}{${key}}`. The braces are a Cluster hash
 *   tag and every operation touches exactly one key, so it always lands on one slot.
 * - `update`: GET (1 round trip), run the transition, then one EVALSHA of a compare-and-set
 *   that writes with PX (or deletes) only if the key still holds what was read. On conflict
 *   the script returns the current value, so a retry costs one more round trip, with jittered
 *   backoff from the second retry; past `maxAttempts` conflicts (a failed guess of the cache
 *   below is not one) it rejects with `StoreConflictError`.
 *   A transition without a write (or deleting an absent record) ends at the GET.
 *   Concurrent updates of one key within this process run one after another, so contention
 *   comes only from other processes.
 * - Last-value cache (`cacheSize`, default 10 000 keys): the store remembers the value it
 *   last read or wrote for each key and skips the GET: the transition runs on that value and
 *   the compare-and-set expects it (1 round trip in all when nobody else wrote). With nothing
 *   cached, a transition that creates the record is sent expecting the key absent (1 round
 *   trip for a new key). If the guess was stale the script answers the current value and the
 *   update goes on from it as after a conflict (2 round trips, as without the cache). A
 *   transition that writes nothing, deletes a record guessed absent, or throws on the guess
 *   is not trusted: the store reads, then runs it again. No result computed on a guess is
 *   returned unless its write landed. Errors and conflicts forget the key.
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
  const redisKey = (key: string) => `${prefix}{${key}}`;
  const store = storeKit(redisPrimitives(client, redisKey, durable), {
    attempts: maxAttempts,
    cacheSize,
    name: `Redis (prefix ${prefix})`,
  });
  return Object.assign(store, { prefix, redisKey });
}
