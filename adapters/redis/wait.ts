/**
 * The durable writers behind `redisStore`'s `durability` option: the compare-and-set sent in
 * a pipeline with `WAIT` (or `WAITAOF`) on the connection that wrote, checked by `CLIENT
 * INFO` on both sides; one wait per write on a Cluster, group commit on one connection.
 * @internal
 * @module
 */
import { CAS_SCRIPT, CAS_SHA, type CasReply, parseCasReply } from './script';

/** What `pipeline(commands).exec()` answers in ioredis: `[error, reply]` per command. */
export interface RedisPipelineLike {
  exec(): Promise<ReadonlyArray<readonly [Error | null, unknown]> | null>;
}

/**
 * Rejection of an update whose write landed on the primary but was not acknowledged by the
 * configured replicas in time (or the server cannot wait for them). The write may or may not
 * survive a failover; the verifier answers `store_unavailable`, so nothing is approved on it.
 */
export class StoreDurabilityError extends Error {
  override readonly name = 'StoreDurabilityError';
}

/**
 * Writes a compare-and-set and waits for its acknowledgement, once per batch. `rkey` names
 * the write in messages (its first key); `call` is the script's numkeys, keys and arguments.
 */
export interface DurableWriter {
  cas(rkey: string, call: string[]): Promise<CasReply>;
}

type Reply = readonly [Error | null, unknown];

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

/** The validated `durability` option. */
interface Wait {
  readonly replicas: number;
  readonly timeoutMs: number;
  readonly aof: boolean;
}

/** Pipelines, checks and the wait command for one store. */
export interface Waiter {
  /** `WAIT replicas timeoutMs`, or `WAITAOF 1 replicas timeoutMs`. */
  readonly wait: string[];
  exec(commands: unknown[][], rkey: string): Promise<Reply[]>;
  /**
   * Sends the script (`args`: numkeys, keys, arguments); after NOSCRIPT, the script itself
   * once. `tail` follows it.
   */
  write(
    rkey: string,
    args: string[],
    tail: unknown[][],
  ): Promise<{ cas: CasReply; replies: Reply[] }>;
  /** Throws unless `ack` is the wait's reply with enough acknowledgements. */
  checkAck(ack: Reply, rkey: string): void;
  /** Both `CLIENT INFO` replies must describe one connection: WAIT counts only its writes. */
  sameConnection(before: Reply | undefined, after: Reply | undefined, rkey: string): void;
}

/** The waiter for a validated option and the client's `pipeline`. */
export function waiter(
  { replicas, timeoutMs, aof }: Wait,
  pipeline: (commands: unknown[][]) => RedisPipelineLike,
  mapError: (e: unknown, rkey: string) => unknown,
): Waiter {
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
  return {
    wait,
    exec,
    async write(rkey, args, tail) {
      let replies = await exec([INFO, ['evalsha', CAS_SHA, ...args], ...tail], rkey);
      if (replies[1]![0] && message(replies[1]![0]).startsWith('NOSCRIPT')) {
        replies = await exec([INFO, ['eval', CAS_SCRIPT, ...args], ...tail], rkey);
      }
      const [err, reply] = replies[1]!;
      if (err) throw mapError(err, rkey);
      return { cas: parseCasReply(reply, Number(args[0])), replies };
    },
    checkAck([err, reply], rkey) {
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
    },
    sameConnection(before, after, rkey) {
      const a = connectionOf(before);
      if (a === undefined || a !== connectionOf(after)) {
        throw new StoreDurabilityError(
          `phoneproof: the write to ${rkey} and its ${waitName} did not run on one connection (a reconnection, or CLIENT INFO unavailable: Redis 6.2 or later is needed)`,
        );
      }
    },
  };
}

/** A write with its own wait in one pipeline: `CLIENT INFO`, the script, the wait, `CLIENT INFO`. */
async function writeAndWait(w: Waiter, rkey: string, args: string[]): Promise<CasReply> {
  const { cas, replies } = await w.write(rkey, args, [w.wait, INFO]);
  if (!cas.ok) return cas; // a failed compare wrote nothing: nothing to wait for
  w.sameConnection(replies[0], replies[3], rkey);
  w.checkAck(replies[2]!, rkey);
  return cas;
}

/**
 * One connection per node (Cluster): each write carries its own WAIT, routed with its key.
 * WAIT blocks its connection, so these writes are serialized per node.
 */
export function clusterWriter(w: Waiter): DurableWriter {
  return { cas: (rkey, args) => writeAndWait(w, rkey, args) };
}

interface Member {
  readonly rkey: string;
  readonly conn: Reply;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/**
 * One connection (Redis, Sentinel): group commit. WAIT blocks the connection until the
 * replicas answer, and covers every earlier write of the connection. A write sent while no
 * WAIT is in flight carries its own (one round trip); writes landing while one is in flight
 * share the next WAIT, sent as soon as that one returns.
 */
export function groupCommitWriter(w: Waiter): DurableWriter {
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
  const settle = (members: Member[], ack: Reply, after: Reply | undefined) => {
    for (const m of members) {
      try {
        w.sameConnection(m.conn, after, m.rkey);
        w.checkAck(ack, m.rkey);
        m.resolve();
      } catch (e) {
        m.reject(e);
      }
    }
  };
  const flush = () => {
    if (inFlight || batch.length === 0) return;
    const members = batch;
    batch = [];
    inFlight = true;
    w.exec([w.wait, INFO], members[0]!.rkey).then(
      ([ack, after]) => {
        inFlight = false;
        flush();
        settle(members, ack!, after);
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
        try {
          return await writeAndWait(w, rkey, args);
        } finally {
          inFlight = false;
          flush();
        }
      }
      const { cas, replies } = await w.write(rkey, args, []);
      if (!cas.ok) return cas;
      await new Promise<void>((resolve, reject) => {
        batch.push({ rkey, conn: replies[0]!, resolve, reject });
        schedule();
      });
      return cas;
    },
  };
}
