/**
 * Redis's store primitives: `GET` for a read, the Lua compare-and-set (./script.ts) for the
 * conditional write, through the durable writer when `durability` is set, and `TIME`.
 * @internal
 * @module
 */
import { CorruptRecordError } from '../../src/core/state';
import type { ConditionalWrite, StorePrimitives, WriteOutcome } from '../store-kit';
import { ttlMsOf } from '../store-kit';
import type { RedisClientLike } from './client';
import type { DurableWriter } from './durable';
import { CAS_SCRIPT, CAS_SHA, type CasReply, parseCasReply } from './script';
import { redisTime } from './time';

/** A record as Redis holds it: the compare-and-set compares the value itself. */
export interface RedisRecord {
  readonly value: string;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A foreign value of another Redis type under our key is corrupt data, not an outage. */
export function mapRedisError(e: unknown, key: string): unknown {
  if (message(e).includes('WRONGTYPE')) {
    return new CorruptRecordError(`Redis key ${key} holds a value that is not a string`);
  }
  return e;
}

/** The script's arguments: whether a value was expected, it, the new value, PX or `del`. */
function casArgs(
  rkey: string,
  expected: string | undefined,
  write: ConditionalWrite<RedisRecord>['write'],
) {
  return [
    rkey,
    expected === undefined ? '0' : '1',
    expected ?? '',
    'delete' in write ? '' : write.value,
    'delete' in write ? 'del' : String(ttlMsOf(write)),
  ];
}

/** `EVALSHA`, or once after `NOSCRIPT` (restart, failover, SCRIPT FLUSH) the script itself. */
async function evalCas(client: RedisClientLike, rkey: string, args: string[]): Promise<CasReply> {
  let reply: unknown;
  try {
    reply = await client.evalsha(CAS_SHA, 1, ...args);
  } catch (e) {
    if (!message(e).startsWith('NOSCRIPT')) throw mapRedisError(e, rkey);
    try {
      reply = await client.eval(CAS_SCRIPT, 1, ...args);
    } catch (e2) {
      throw mapRedisError(e2, rkey);
    }
  }
  return parseCasReply(reply);
}

/** Redis's primitives for `storeKit`; `redisKey` maps a logical key to its Redis key. */
export function redisPrimitives(
  client: RedisClientLike,
  redisKey: (key: string) => string,
  durable: DurableWriter | undefined,
): StorePrimitives<RedisRecord> {
  return {
    async read(key) {
      const rkey = redisKey(key);
      let value: string | null | undefined;
      try {
        value = await client.get(rkey);
      } catch (e) {
        throw mapRedisError(e, rkey);
      }
      return value === null || value === undefined ? undefined : { value };
    },
    async write({ key, expected, write }): Promise<WriteOutcome<RedisRecord>> {
      const rkey = redisKey(key);
      const args = casArgs(rkey, expected?.value, write);
      const reply = durable ? await durable.cas(rkey, args) : await evalCas(client, rkey, args);
      if (reply.ok) {
        return { applied: true, record: 'delete' in write ? undefined : { value: write.value } };
      }
      return {
        applied: false,
        current: reply.current === undefined ? undefined : { value: reply.current },
      };
    },
    time: () => redisTime(client),
  };
}
