/**
 * `phoneproof/redis`: the Store port on Redis through the application's own ioredis client
 * (an optional peer dependency; this entry never imports it).
 * @module
 */
export {
  type RedisClientLike,
  type RedisDurability,
  type RedisPipelineLike,
  type RedisStore,
  type RedisStoreOptions,
  redisStore,
  StoreConflictError,
  StoreDurabilityError,
} from './store';
