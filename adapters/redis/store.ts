/**
 * `redisStore`: the Store port on Redis (standalone, Sentinel or Cluster), through the
 * application's own ioredis client.
 * @module
 */
import { CorruptRecordError } from '../../src/core/state';
import {
  type Store,
  StoreConflictError,
  type StoreTransition,
  type StoreWrite,
  type Transition,
} from '../../src/ports/store';
import { guessStep, LastSeen, ttlMsOf } from '../last-seen';
import { CAS_SCRIPT, CAS_SHA, type CasReply, parseCasReply } from './script';

/**
 * The few client methods the store calls. An ioredis `Redis` or `Cluster` instance fits as
 * it is; phoneproof never imports ioredis itself. Promises must reject on server errors.
 */
export interface RedisClientLike {
  get(key: string): Promise<string | null>;
  evalsha(sha1: string, numkeys: number, ...args: string[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...args: string[]): Promise<unknown>;
  /**
   * Needed only with `durability`: a pipeline of several commands sent in one write and
   * answered in one round trip. An ioredis `Redis` or `Cluster` has it (the Cluster client
   * sends a pipeline to the node of its keys, so `WAIT` runs where the write ran).
   */
  pipeline?(commands: unknown[][]): RedisPipelineLike;
}

/** What `pipeline(commands).exec()` answers in ioredis: `[error, reply]` per command. */
export interface RedisPipelineLike {
  exec(): Promise<ReadonlyArray<readonly [Error | null, unknown]> | null>;
}

/**
 * Durable writes: every write of an update resolves only once `replicas` replicas have
 * acknowledged it (`WAIT`, or `WAITAOF` with `aof`), else the update rejects with
 * `StoreDurabilityError` (the verifier answers `store_unavailable`). See docs/stores.md.
 */
export interface RedisDurability {
  /** Replicas that must acknowledge each write (an integer from 1 to 100). */
  readonly replicas: number;
  /**
   * How long the server waits for them, in ms (1 to 60 000). Keep the client's
   * `commandTimeout` above it. Past it the write is refused (it may still be on the primary).
   */
  readonly timeoutMs: number;
  /**
   * `true`: `WAITAOF 1 replicas timeoutMs` instead of `WAIT`: the write is fsynced to the
   * primary's append-only file and to `replicas` replicas' (Redis 7.2 or later, `appendonly
   * yes` everywhere). On a server without `WAITAOF`, or with AOF off, every write is refused
   * (`store_unavailable`) with a message that says so: durability is never silently lowered.
   * Default `false`.
   */
  readonly aof?: boolean;
}

export interface RedisStoreOptions {
  /** The application's client. Configure it to fail fast when Redis is down (see docs/stores.md). */
  readonly client: RedisClientLike;
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
   * resolve a write only once replicas acknowledged it; needs `client.pipeline`.
   */
  readonly durability?: RedisDurability;
}

export interface RedisStore extends Store {
  readonly prefix: string;
  /** The Redis key that holds a logical key: `${prefix}{${key}}`. */
  redisKey(key: string): string;
}

export { StoreConflictError };

/**
 * Rejection of an update whose write landed on the primary but was not acknowledged by the
 * configured replicas in time (or the server cannot wait for them). The write may or may not
 * survive a failover; the verifier answers `store_unavailable`, so nothing is approved on it.
 */
export class StoreDurabilityError extends Error {
  override readonly name = 'StoreDurabilityError';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Jittered exponential backoff before conflict retry `n` (n >= 1); the first is immediate. */
export const backoffMs = (n: number): number =>
  n <= 1 ? 0 : Math.random() * Math.min(50, 2 ** (n - 1));

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A foreign value of another Redis type under our key is corrupt data, not an outage. */
function mapRedisError(e: unknown, key: string): unknown {
  if (message(e).includes('WRONGTYPE')) {
    return new CorruptRecordError(`Redis key ${key} holds a value that is not a string`);
  }
  return e;
}

const ttlArg = (write: Exclude<StoreWrite, { delete: true }>): string => String(ttlMsOf(write));

interface Durable {
  readonly pipeline: (commands: unknown[][]) => RedisPipelineLike;
  readonly wait: string[];
  readonly replicas: number;
  readonly aof: boolean;
}

function durabilityOf(
  d: RedisDurability | undefined,
  client: RedisClientLike,
): Durable | undefined {
  if (d === undefined) return undefined;
  if (typeof d !== 'object' || d === null) {
    throw new TypeError(
      'phoneproof: redisStore `durability` must be an object ({ replicas, timeoutMs }).',
    );
  }
  const { replicas, timeoutMs, aof = false } = d;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 100) {
    throw new TypeError(
      'phoneproof: redisStore `durability.replicas` must be an integer from 1 to 100 (omit `durability` to turn it off).',
    );
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000) {
    throw new TypeError(
      'phoneproof: redisStore `durability.timeoutMs` must be an integer from 1 to 60000 (0 would wait forever).',
    );
  }
  if (typeof aof !== 'boolean') {
    throw new TypeError('phoneproof: redisStore `durability.aof` must be a boolean.');
  }
  if (typeof client.pipeline !== 'function') {
    throw new TypeError(
      'phoneproof: redisStore `durability` needs a client with `pipeline` (an ioredis Redis or Cluster).',
    );
  }
  const pipeline = client.pipeline.bind(client) as Durable['pipeline'];
  const wait = aof
    ? ['waitaof', '1', String(replicas), String(timeoutMs)]
    : ['wait', String(replicas), String(timeoutMs)];
  return { pipeline, wait, replicas, aof };
}

/** How many replicas (and, for WAITAOF, whether the primary's AOF) acknowledged the write. */
function checkAck(d: Durable, ack: readonly [Error | null, unknown] | undefined, rkey: string) {
  if (!ack) throw new StoreDurabilityError(`phoneproof: no reply to ${d.wait[0]} for ${rkey}`);
  const [err, reply] = ack;
  if (err) {
    const hint =
      d.aof && /unknown command|appendonly/i.test(message(err))
        ? ' (WAITAOF needs Redis 7.2 or later with appendonly yes; use `aof: false` for WAIT)'
        : '';
    throw new StoreDurabilityError(
      `phoneproof: ${String(d.wait[0]).toUpperCase()} failed for ${rkey}: ${message(err)}${hint}`,
    );
  }
  const local = d.aof ? (Array.isArray(reply) ? Number(reply[0]) : 0) : 1;
  const acked = d.aof ? (Array.isArray(reply) ? Number(reply[1]) : 0) : Number(reply);
  if (!(local >= 1 && acked >= d.replicas)) {
    throw new StoreDurabilityError(
      `phoneproof: write to ${rkey} reached ${acked} of ${d.replicas} replicas${d.aof ? ` (local fsync ${local})` : ''} within ${d.wait[d.wait.length - 1]} ms`,
    );
  }
}

/** The connection a `CLIENT INFO` reply describes: its id and both addresses. */
function connectionOf(reply: readonly [Error | null, unknown] | undefined): string | undefined {
  if (!reply || reply[0]) return undefined;
  const text = Buffer.isBuffer(reply[1]) ? reply[1].toString('utf8') : reply[1];
  if (typeof text !== 'string') return undefined;
  const m = /(?:^|\s)id=(\d+) addr=(\S+) laddr=(\S+)/.exec(text);
  return m ? `${m[1]} ${m[2]} ${m[3]}` : undefined;
}

/**
 * `CLIENT INFO`, EVALSHA (or EVAL after NOSCRIPT), WAIT/WAITAOF, `CLIENT INFO` in one
 * pipeline: one round trip. `WAIT` only counts the writes of its own connection, and a
 * client that reconnects in the middle re-sends what was not answered on the new
 * connection, where `WAIT` covers nothing and answers at once: the two `CLIENT INFO` replies
 * must describe the same connection, or the acknowledgement proves nothing (fail closed).
 */
async function durableCas(d: Durable, rkey: string, args: string[]): Promise<CasReply> {
  const info = ['client', 'info'];
  const send = async (script: unknown[]) => {
    let replies: Awaited<ReturnType<RedisPipelineLike['exec']>>;
    try {
      replies = await d.pipeline([info, script, d.wait, info]).exec();
    } catch (e) {
      throw mapRedisError(e, rkey);
    }
    if (replies?.length !== 4) {
      throw new Error(`phoneproof: unexpected pipeline reply for ${rkey}`);
    }
    return replies;
  };
  let replies = await send(['evalsha', CAS_SHA, '1', ...args]);
  if (replies[1]![0] && message(replies[1]![0]).startsWith('NOSCRIPT')) {
    // The server lost its script cache (restart, failover): send the script once.
    replies = await send(['eval', CAS_SCRIPT, '1', ...args]);
  }
  const [err, reply] = replies[1]!;
  if (err) throw mapRedisError(err, rkey);
  const cas = parseCasReply(reply);
  // A failed compare wrote nothing: its WAIT proves nothing and is not needed.
  if (!cas.ok) return cas;
  const before = connectionOf(replies[0]);
  if (before === undefined || before !== connectionOf(replies[3])) {
    throw new StoreDurabilityError(
      `phoneproof: the write to ${rkey} and its ${String(d.wait[0]).toUpperCase()} did not run on one connection (a reconnection, or CLIENT INFO unavailable: Redis 6.2 or later is needed)`,
    );
  }
  checkAck(d, replies[2], rkey);
  return cas;
}

/**
 * Creates a Store on Redis.
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
 *   within the replication lag before it. With it, the compare-and-set and a
 *   `WAIT replicas timeoutMs` (or `WAITAOF 1 replicas timeoutMs`) go in one pipeline (one
 *   round trip, plus the replicas' acknowledgement); fewer acknowledgements than asked, or an
 *   error, reject with `StoreDurabilityError` (`store_unavailable`). The write may then still
 *   be on the primary: the operation is refused, never approved.
 * - A key holding a non-string Redis value rejects with `CorruptRecordError` (the verifier
 *   answers `store_corrupt`); connection errors reject unchanged (`store_unavailable`).
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('phoneproof: redisStore needs an options object ({ client }).');
  }
  const { client } = options;
  if (
    !client ||
    typeof client.get !== 'function' ||
    typeof client.evalsha !== 'function' ||
    typeof client.eval !== 'function'
  ) {
    throw new TypeError(
      'phoneproof: redisStore `client` must be an ioredis client (get, evalsha, eval).',
    );
  }
  const prefix = options.prefix ?? 'phoneproof:';
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    throw new TypeError('phoneproof: redisStore `prefix` must be a string without `{` or `}`.');
  }
  const maxAttempts = options.maxAttempts ?? 32;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 1000) {
    throw new TypeError('phoneproof: redisStore `maxAttempts` must be an integer from 1 to 1000.');
  }
  const cacheSize = options.cacheSize ?? 10_000;
  if (!Number.isInteger(cacheSize) || cacheSize < 0 || cacheSize > 10_000_000) {
    throw new TypeError(
      'phoneproof: redisStore `cacheSize` must be an integer from 0 (off) to 10000000.',
    );
  }
  const cache = new LastSeen<string>(cacheSize);
  const durable = durabilityOf(options.durability, client);

  const redisKey = (key: string) => `${prefix}{${key}}`;

  const read = async (rkey: string): Promise<string | undefined> => {
    try {
      return (await client.get(rkey)) ?? undefined;
    } catch (e) {
      throw mapRedisError(e, rkey);
    }
  };

  const cas = async (rkey: string, seen: string | undefined, write: StoreWrite) => {
    const args = [
      rkey,
      seen === undefined ? '0' : '1',
      seen ?? '',
      'delete' in write ? '' : write.value,
      'delete' in write ? 'del' : ttlArg(write),
    ];
    if (durable) return durableCas(durable, rkey, args);
    let reply: unknown;
    try {
      reply = await client.evalsha(CAS_SHA, 1, ...args);
    } catch (e) {
      if (!message(e).startsWith('NOSCRIPT')) throw mapRedisError(e, rkey);
      // The server lost its script cache (restart, failover, SCRIPT FLUSH): send it once.
      try {
        reply = await client.eval(CAS_SCRIPT, 1, ...args);
      } catch (e2) {
        throw mapRedisError(e2, rkey);
      }
    }
    return parseCasReply(reply);
  };

  async function updateOnce<T>(key: string, rkey: string, fn: Transition<T>): Promise<T> {
    // A guess first (the cached value, or absence), when the cache is on: see guessStep.
    let seen = cache.capacity > 0 ? cache.peek(key) : undefined;
    let step: StoreTransition<T> | undefined = cache.capacity > 0 ? guessStep(fn, seen) : undefined;
    // A failed guess is not a conflict: nobody raced us, the cache was stale (or the key was
    // new to this instance). It costs the round trip that the read would have, and does not
    // count against `maxAttempts`.
    let guessing = step !== undefined;
    if (!step) {
      seen = await read(rkey);
      cache.set(key, seen);
      step = fn(seen);
    }
    let attempt = 0;
    for (;;) {
      const { result, write } = step;
      if (!write || ('delete' in write && seen === undefined)) return result;
      const reply: CasReply = await cas(rkey, seen, write);
      if (reply.ok) {
        cache.set(key, 'delete' in write ? undefined : write.value);
        return result;
      }
      seen = reply.current;
      cache.set(key, seen);
      if (guessing) {
        guessing = false;
      } else {
        attempt += 1;
        if (attempt >= maxAttempts) {
          throw new StoreConflictError(
            `phoneproof: update of ${rkey} still conflicted after ${maxAttempts} attempts`,
          );
        }
        const wait = backoffMs(attempt);
        if (wait > 0) await sleep(wait);
      }
      step = fn(seen);
    }
  }

  async function apply<T>(key: string, fn: Transition<T>): Promise<T> {
    try {
      return await updateOnce(key, redisKey(key), fn);
    } catch (e) {
      cache.delete(key); // an outage, a conflict or a throwing transition: know nothing
      throw e;
    }
  }

  // Per-key queue: updates of one key from this process run one after another.
  const tails = new Map<string, Promise<unknown>>();
  function update<T>(key: string, fn: Transition<T>): Promise<T> {
    const previous = tails.get(key);
    const run = previous
      ? previous.then(
          () => apply(key, fn),
          () => apply(key, fn),
        )
      : apply(key, fn);
    const tail = run.then(
      () => {},
      () => {},
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  }

  return {
    prefix,
    redisKey,
    update,
    async get(key) {
      const mark = cache.mark();
      const value = await read(redisKey(key));
      cache.refresh(key, value, mark);
      return value;
    },
  };
}
