/**
 * `phoneproof/redis`: the Store port on Redis through the application's own ioredis, iovalkey
 * or node-redis v5 client (optional peer dependencies; this entry never imports them).
 * @module
 */
export {
  type NodeRedisClientLike,
  type NodeRedisScriptOptions,
  type RedisClientLike,
  type RedisDurability,
  type RedisPipelineLike,
  type RedisStore,
  type RedisStoreClient,
  type RedisStoreOptions,
  redisStore,
  StoreConflictError,
  StoreDurabilityError,
} from './store';
