/**
 * The client-shape adapter in front of `redisStore`: the store speaks the ioredis shape
 * (`evalsha(sha, numkeys, ...keysAndArgs)`); an ioredis or iovalkey client is used as it is,
 * a node-redis v5 client (`createClient`, `createCluster`, `createClientPool`,
 * `createSentinel`) is wrapped. Detected by duck typing; phoneproof imports no client.
 * @internal
 * @module
 */
import type { RedisPipelineLike } from './durable';

/**
 * The few client methods the store calls. An ioredis (or iovalkey) `Redis` or `Cluster`
 * instance fits as it is; phoneproof never imports a client itself. Promises must reject on
 * server errors.
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
  /** Set by an ioredis `Cluster` (one connection per node: durable writes are not batched). */
  readonly isCluster?: boolean;
}

/** Keys and arguments of a node-redis v5 `eval` / `evalSha`. */
export interface NodeRedisScriptOptions {
  keys: string[];
  arguments: string[];
}

/**
 * The node-redis v5 (`redis` package) methods the store calls: a `createClient()`,
 * `createCluster()`, `createClientPool()` or `createSentinel()` instance fits as it is
 * (connected by the application). Only a `createClient()` client supports `durability`.
 */
export interface NodeRedisClientLike {
  get(key: string): Promise<unknown>;
  evalSha(sha1: string, options: NodeRedisScriptOptions): Promise<unknown>;
  eval(script: string, options: NodeRedisScriptOptions): Promise<unknown>;
  sendCommand(...args: never[]): Promise<unknown>;
}

/** Any client `redisStore` accepts. */
export type RedisStoreClient = RedisClientLike | NodeRedisClientLike;

/** The client in the ioredis shape, and what it can do. */
export interface AdaptedClient {
  readonly client: RedisClientLike;
  readonly kind: 'ioredis' | 'node-redis';
  /** A Cluster client (ioredis `isCluster`, node-redis `createCluster`): keys have slots. */
  readonly cluster: boolean;
  /** Why `durability` cannot be offered on this client, if it cannot. */
  readonly noDurability?: string;
}

const UNKNOWN =
  'phoneproof: redisStore `client` must be an ioredis or iovalkey client (get, evalsha, eval) or a node-redis v5 client (get, evalSha, eval, sendCommand).';

type Loose = Record<string, unknown>;
const fn = (c: Loose, name: string) => typeof c[name] === 'function';

const text = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  throw new Error(`phoneproof: Redis GET answered something else than a string: ${String(v)}`);
};

const split = (numkeys: number, args: string[]): NodeRedisScriptOptions => ({
  keys: args.slice(0, numkeys),
  arguments: args.slice(numkeys),
});

/**
 * A plain node-redis client (`createClient`): one connection, commands answered in the order
 * sent. Not a Cluster (`getSlotMaster`), pool (`execute`) or Sentinel (`getSentinelNode`):
 * those send consecutive commands over different connections.
 */
const isPlainNodeRedis = (c: Loose) =>
  typeof c.socketEpoch === 'number' &&
  fn(c, 'duplicate') &&
  !fn(c, 'getSlotMaster') &&
  !fn(c, 'execute') &&
  !fn(c, 'getSentinelNode');

/** Wraps a node-redis v5 client into the ioredis shape. */
function fromNodeRedis(c: NodeRedisClientLike): AdaptedClient {
  const loose = c as unknown as Loose;
  const plain = isPlainNodeRedis(loose);
  const send = c.sendCommand.bind(c) as unknown as (args: string[]) => Promise<unknown>;
  const client: RedisClientLike = {
    get: async (key) => text(await c.get(key)),
    evalsha: (sha, numkeys, ...args) => c.evalSha(sha, split(numkeys, args)),
    eval: (script, numkeys, ...args) => c.eval(script, split(numkeys, args)),
  };
  if (!plain) {
    return {
      client,
      kind: 'node-redis',
      cluster: fn(loose, 'getSlotMaster'),
      noDurability:
        'phoneproof: redisStore `durability` with node-redis needs a plain `createClient()` client (one connection): a node-redis Cluster, pool or Sentinel client sends a write and its WAIT over different connections. Use an ioredis Cluster for durable writes on Redis Cluster.',
    };
  }
  // Commands sent in one tick go out on the client's one connection, in order, and are
  // answered in order: a pipeline. Each answer is kept (an error does not hide the others).
  const pipeline = (commands: unknown[][]): RedisPipelineLike => ({
    async exec() {
      const sent = commands.map((cmd) => send(cmd.map(String)));
      const settled = await Promise.allSettled(sent);
      return settled.map((s) =>
        s.status === 'fulfilled'
          ? ([null, s.value] as const)
          : ([s.reason instanceof Error ? s.reason : new Error(String(s.reason)), null] as const),
      );
    },
  });
  return {
    client: { ...client, pipeline, isCluster: false },
    kind: 'node-redis',
    cluster: false,
  };
}

/** Detects the client's shape; throws (misconfiguration) naming the supported clients. */
export function adaptClient(c: unknown): AdaptedClient {
  if (!c || (typeof c !== 'object' && typeof c !== 'function')) throw new TypeError(UNKNOWN);
  const loose = c as Loose;
  if (!fn(loose, 'get') || !fn(loose, 'eval')) throw new TypeError(UNKNOWN);
  // ioredis and iovalkey: evalsha(sha, numkeys, ...keysAndArgs).
  if (fn(loose, 'evalsha')) {
    return { client: c as RedisClientLike, kind: 'ioredis', cluster: loose.isCluster === true };
  }
  // node-redis v5: evalSha(sha, { keys, arguments }).
  if (fn(loose, 'evalSha') && fn(loose, 'sendCommand')) {
    return fromNodeRedis(c as NodeRedisClientLike);
  }
  throw new TypeError(UNKNOWN);
}
