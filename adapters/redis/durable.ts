/**
 * Durable writes for `redisStore` (its `durability` option): the compare-and-set resolves
 * only once replicas acknowledged it (`WAIT`, or `WAITAOF`), on the connection that wrote.
 * @internal
 * @module
 */
import {
  clusterWriter,
  type DurableWriter,
  groupCommitWriter,
  type RedisPipelineLike,
  waiter,
} from './wait';

export { type DurableWriter, type RedisPipelineLike, StoreDurabilityError } from './wait';

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

/** The client surface the durable writer needs. */
export interface PipelineClient {
  pipeline?(commands: unknown[][]): RedisPipelineLike;
  /** ioredis `Cluster` instances say so: their commands go to one connection per node. */
  readonly isCluster?: boolean;
}

/** Validates the option; throws (misconfiguration) with what to fix. */
export function durableWriter(
  d: RedisDurability | undefined,
  client: PipelineClient,
  mapError: (e: unknown, rkey: string) => unknown,
): DurableWriter | undefined {
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
  const w = waiter({ replicas, timeoutMs, aof }, client.pipeline.bind(client), mapError);
  // One connection per node (Cluster): each write carries its own WAIT, routed with its key.
  return client.isCluster === true ? clusterWriter(w) : groupCommitWriter(w);
}
