/**
 * Durable writes for `redisStore` (its `durability` option): the compare-and-set resolves
 * only once replicas acknowledged it (`WAIT`, or `WAITAOF`), on the connection that wrote.
 * @internal
 * @module
 */
import { CAS_SCRIPT, CAS_SHA, type CasReply, parseCasReply } from './script';

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

/**
 * Rejection of an update whose write landed on the primary but was not acknowledged by the
 * configured replicas in time (or the server cannot wait for them). The write may or may not
 * survive a failover; the verifier answers `store_unavailable`, so nothing is approved on it.
 */
export class StoreDurabilityError extends Error {
  override readonly name = 'StoreDurabilityError';
}

/** The client surface the durable writer needs. */
export interface PipelineClient {
  pipeline?(commands: unknown[][]): RedisPipelineLike;
  /** ioredis `Cluster` instances say so: their commands go to one connection per node. */
  readonly isCluster?: boolean;
}

type Reply = readonly [Error | null, unknown];

/** Writes a compare-and-set and waits for its acknowledgement. */
export interface DurableWriter {
  cas(rkey: string, args: string[]): Promise<CasReply>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const INFO = ['client', 'info'];

/** The connection a `CLIENT INFO` reply describes: its id and both addresses. */
function connectionOf(reply: Reply | undefined): string | undefined {
  if (!reply || reply[0]) return undefined;
  const text = Buffer.isBuffer(reply[1]) ? reply[1].toString('utf8') : reply[1];
  if (typeof text !== 'string') return undefined;
  const m = /(?:^|\s)id=(\d+) addr=(\S+) laddr=(\S+)/.exec(text);
  return m ? `${m[1]} ${m[2]} ${m[3]}` : undefined;
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
  const pipeline = client.pipeline.bind(client);
  const wait = aof
    ? ['waitaof', '1', String(replicas), String(timeoutMs)]
    : ['wait', String(replicas), String(timeoutMs)];
  const waitName = wait[0]!.toUpperCase();

  const exec = async (commands: unknown[][], rkey: string): Promise<Reply[]> => {
    let replies: ReadonlyArray<Reply> | null;
    try {
      replies = await pipeline(commands).exec();
    } catch (e) {
      throw mapError(e, rkey);
    }
    if (replies?.length !== commands.length) {
      throw new Error(`phoneproof: unexpected pipeline reply for ${rkey}`);
    }
    return [...replies];
  };

  /** Throws unless `ack` is WAIT's (or WAITAOF's) reply with enough acknowledgements. */
  const checkAck = (ack: Reply, rkey: string) => {
    const [err, reply] = ack;
    if (err) {
      const hint =
        aof && /unknown command|appendonly/i.test(message(err))
          ? ' (WAITAOF needs Redis 7.2 or later with appendonly yes; use `aof: false` for WAIT)'
          : '';
      throw new StoreDurabilityError(
        `phoneproof: ${waitName} failed for ${rkey}: ${message(err)}${hint}`,
      );
    }
    const local = aof ? (Array.isArray(reply) ? Number(reply[0]) : 0) : 1;
    const acked = aof ? (Array.isArray(reply) ? Number(reply[1]) : 0) : Number(reply);
    if (!(local >= 1 && acked >= replicas)) {
      throw new StoreDurabilityError(
        `phoneproof: write to ${rkey} reached ${acked} of ${replicas} replicas${aof ? ` (local fsync ${local})` : ''} within ${timeoutMs} ms`,
      );
    }
  };

  /** Both `CLIENT INFO` replies must describe one connection: WAIT counts only its writes. */
  const sameConnection = (before: Reply | undefined, after: Reply | undefined, rkey: string) => {
    const a = connectionOf(before);
    if (a === undefined || a !== connectionOf(after)) {
      throw new StoreDurabilityError(
        `phoneproof: the write to ${rkey} and its ${waitName} did not run on one connection (a reconnection, or CLIENT INFO unavailable: Redis 6.2 or later is needed)`,
      );
    }
  };

  /** Sends the script; after NOSCRIPT, the script itself once. `tail` follows it. */
  const write = async (rkey: string, args: string[], tail: unknown[][]) => {
    let replies = await exec([INFO, ['evalsha', CAS_SHA, '1', ...args], ...tail], rkey);
    if (replies[1]![0] && message(replies[1]![0]).startsWith('NOSCRIPT')) {
      replies = await exec([INFO, ['eval', CAS_SCRIPT, '1', ...args], ...tail], rkey);
    }
    const [err, reply] = replies[1]!;
    if (err) throw mapError(err, rkey);
    return { cas: parseCasReply(reply), replies };
  };

  // One connection per node (Cluster): each write carries its own WAIT, routed with its key.
  // WAIT blocks its connection, so these writes are serialized per node.
  if (client.isCluster === true) {
    return {
      async cas(rkey, args) {
        const { cas, replies } = await write(rkey, args, [wait, INFO]);
        if (!cas.ok) return cas; // a failed compare wrote nothing: nothing to wait for
        sameConnection(replies[0], replies[3], rkey);
        checkAck(replies[2]!, rkey);
        return cas;
      },
    };
  }

  // One connection (Redis, Sentinel): group commit. WAIT blocks the connection until the
  // replicas answer, and covers every earlier write of the connection. A write sent while no
  // WAIT is in flight carries its own (one round trip); writes landing while one is in flight
  // share the next WAIT, sent as soon as that one returns.
  interface Member {
    readonly rkey: string;
    readonly conn: Reply;
    readonly resolve: () => void;
    readonly reject: (e: unknown) => void;
  }
  let inFlight = false;
  let batch: Member[] = [];
  let scheduled = false;
  // Replies read together resolve their writes together: gather them all into one WAIT.
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      flush();
    });
  };
  const flush = () => {
    if (inFlight || batch.length === 0) return;
    const members = batch;
    batch = [];
    inFlight = true;
    exec([wait, INFO], members[0]!.rkey).then(
      ([ack, after]) => {
        inFlight = false;
        flush();
        for (const m of members) {
          try {
            sameConnection(m.conn, after, m.rkey);
            checkAck(ack!, m.rkey);
            m.resolve();
          } catch (e) {
            m.reject(e);
          }
        }
      },
      (e) => {
        inFlight = false;
        flush();
        for (const m of members) m.reject(e);
      },
    );
  };
  return {
    async cas(rkey, args) {
      if (!inFlight && batch.length === 0 && !scheduled) {
        inFlight = true;
        let result: Awaited<ReturnType<typeof write>>;
        try {
          result = await write(rkey, args, [wait, INFO]);
        } finally {
          inFlight = false;
          flush();
        }
        const { cas, replies } = result;
        if (!cas.ok) return cas;
        sameConnection(replies[0], replies[3], rkey);
        checkAck(replies[2]!, rkey);
        return cas;
      }
      const { cas, replies } = await write(rkey, args, []);
      if (!cas.ok) return cas;
      await new Promise<void>((resolve, reject) => {
        batch.push({ rkey, conn: replies[0]!, resolve, reject });
        schedule();
      });
      return cas;
    },
  };
}
