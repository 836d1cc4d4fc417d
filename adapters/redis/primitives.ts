/**
 * Redis's store primitives: `GET` for a read, `GET` or the compare-and-set script with
 * nothing to write (every current value, WRONGTYPE on a foreign type) for a batched read, the Lua
 * compare-and-set over N keys (./script.ts) for the batched conditional write, through the
 * durable writer when `durability` is set, and `TIME`.
 * @internal
 * @module
 */
import { CorruptRecordError } from '../../src/core/state';
import type { ConditionalOp, ManyOutcome, StorePrimitives } from '../store-kit';
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

/** The script's keys, then its four arguments per key (numkeys is `rkeys.length`). */
function casArgs(rkeys: readonly string[], ops: readonly ConditionalOp<RedisRecord>[]): string[] {
  const args = rkeys.slice();
  for (const { expected, write } of ops) {
    args.push(
      expected === undefined ? '0' : '1',
      expected === undefined ? '' : expected.value,
      write === undefined || 'delete' in write ? '' : write.value,
      write === undefined ? '' : 'delete' in write ? 'del' : String(ttlMsOf(write)),
    );
  }
  return args;
}

/** `EVALSHA`, or once after `NOSCRIPT` (restart, failover, SCRIPT FLUSH) the script itself. */
async function evalCas(client: RedisClientLike, numkeys: number, args: string[]): Promise<unknown> {
  try {
    return await client.evalsha(CAS_SHA, numkeys, ...args);
  } catch (e) {
    if (!message(e).startsWith('NOSCRIPT')) throw mapRedisError(e, args[0]!);
    try {
      return await client.eval(CAS_SCRIPT, numkeys, ...args);
    } catch (e2) {
      throw mapRedisError(e2, args[0]!);
    }
  }
}

const recordOf = (value: unknown): RedisRecord | undefined =>
  value === null || value === undefined ? undefined : { value: String(value) };

/** Redis's primitives for `storeKit`; `redisKey` maps a logical key to its Redis key. */
export function redisPrimitives(
  client: RedisClientLike,
  redisKey: (key: string) => string,
  durable: DurableWriter | undefined,
): StorePrimitives<RedisRecord> {
  const read = async (key: string) => {
    const rkey = redisKey(key);
    try {
      return recordOf(await client.get(rkey));
    } catch (e) {
      throw mapRedisError(e, rkey);
    }
  };
  return {
    read,
    async readMany(keys) {
      if (keys.length === 1) return [await read(keys[0]!)];
      // The compare-and-set script as a reader: "all absent?" with nothing to write answers
      // every current value in one command, and like GET (unlike MGET, which answers nil)
      // fails with WRONGTYPE on a key of another Redis type: corrupt data, not absence.
      const rkeys = keys.map(redisKey);
      const args = casArgs(
        rkeys,
        keys.map((key) => ({ key, expected: undefined, write: undefined, guess: false })),
      );
      const reply = parseCasReply(await evalCas(client, rkeys.length, args), rkeys.length);
      if (reply.ok) return rkeys.map(() => undefined);
      if (!('current' in reply)) throw new Error('phoneproof: the read script answered no values');
      return reply.current.map(recordOf);
    },
    async writeMany(ops): Promise<ManyOutcome<RedisRecord>> {
      const rkeys = ops.map((op) => redisKey(op.key));
      const args = casArgs(rkeys, ops);
      const reply: CasReply = durable
        ? await durable.cas(rkeys[0]!, [String(rkeys.length), ...args])
        : parseCasReply(await evalCas(client, rkeys.length, args), ops.length);
      if (reply.ok) {
        const records = ops.map(({ write, expected }) =>
          write === undefined ? expected : 'delete' in write ? undefined : { value: write.value },
        );
        return { applied: true, records };
      }
      return 'current' in reply
        ? { applied: false, current: reply.current.map(recordOf) }
        : { applied: false };
    },
    time: () => redisTime(client),
  };
}
