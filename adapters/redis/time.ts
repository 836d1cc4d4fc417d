/**
 * The Redis server's clock for `Store.time`: `TIME` through the client's `eval` (so any
 * `RedisClientLike`, an ioredis `Redis` or `Cluster`, fits without another method).
 * @module
 */
import type { RedisClientLike } from './client';

const TIME_SCRIPT = "return redis.call('TIME')";

/** Epoch milliseconds on the Redis server (microsecond `TIME`, to the millisecond's fraction). */
export async function redisTime(client: Pick<RedisClientLike, 'eval'>): Promise<number> {
  const reply = await client.eval(TIME_SCRIPT, 0);
  if (!Array.isArray(reply) || reply.length !== 2) {
    throw new Error('phoneproof: Redis TIME answered something else than [seconds, microseconds].');
  }
  const seconds = Number(reply[0]);
  const micros = Number(reply[1]);
  if (!Number.isFinite(seconds) || !Number.isFinite(micros)) {
    throw new Error('phoneproof: Redis TIME answered a non-number.');
  }
  return seconds * 1000 + micros / 1000;
}
