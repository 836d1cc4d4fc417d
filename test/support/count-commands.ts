/**
 * Counting what the library sends to a store, for the per-operation cost tests (issue 17):
 * every command on an ioredis client (pipelined ones included, through the client's
 * `sendCommand`, which each of them passes) and every statement on a `pg` pool (its own
 * queries and those of the connections it lends), and the round trips they cost: a command
 * sent while another is in flight rides the same round trip, so a round trip is counted when
 * a command starts with nothing in flight.
 *
 *   const redis = countRedis(client);           // patches `client` in place
 *   const store = redisStore({ client, prefix });
 *   redis.take();                               // forget setup traffic
 *   await verifier.start(...);
 *   expect(redis.take()).toEqual({ commands: ['evalsha'], roundTrips: 1 });
 *
 *   const pg = countPg(pool);                    // a counting view; `pool` is left alone
 *   const store = postgresStore({ pool: pg.pool, table });
 *
 * Redis command names are lower case (`get`, `mget`, `evalsha`, `wait`, `client`); SQL
 * statements are named by their first word (`SELECT`, `WITH`, `BEGIN`, ...). Count only
 * what goes through the wrapped client: assert on the store with another client.
 * @internal test helper
 */
import type { PgClientLike, PgPoolLike, PgQuery } from '../../adapters/postgres/pool';

/** What was sent since the last `take`. */
export interface Counted {
  readonly commands: string[];
  readonly roundTrips: number;
}

/** The log of one wrapped client. */
export interface CommandCounter {
  /** What was sent since the last `take` (or since wrapping), and starts afresh. */
  take(): Counted;
  /** The same, without starting afresh. */
  peek(): Counted;
}

/** Records commands and the round trips they share (see the module comment). */
export class Tally implements CommandCounter {
  #commands: string[] = [];
  #roundTrips = 0;
  #inFlight = 0;

  /** Records a command sent now; call `done` when its reply (or error) arrived. */
  sent(name: string): () => void {
    this.#commands.push(name);
    if (this.#inFlight === 0) this.#roundTrips += 1;
    this.#inFlight += 1;
    let settled = false;
    return () => {
      if (settled) return;
      settled = true;
      this.#inFlight -= 1;
    };
  }

  /** Records `name` for the duration of `reply`. */
  track<T>(name: string, reply: Promise<T>): Promise<T> {
    const done = this.sent(name);
    reply.then(done, done);
    return reply;
  }

  peek(): Counted {
    return { commands: [...this.#commands], roundTrips: this.#roundTrips };
  }

  take(): Counted {
    const counted = this.peek();
    this.#commands = [];
    this.#roundTrips = 0;
    return counted;
  }
}

/** The part of an ioredis `Redis` (or `Cluster` node) the counter patches. */
interface SendsCommands {
  sendCommand(command: { name: string; promise: Promise<unknown> }, ...rest: unknown[]): unknown;
}

/**
 * Counts every command `client` sends from now on (an ioredis or iovalkey `Redis`; for a
 * `Cluster`, pass each node, or the `Cluster` itself to count what it routes). Patches the
 * instance's `sendCommand` in place; `restore()` undoes it.
 */
export function countRedis(client: object): CommandCounter & { restore(): void } {
  const target = client as SendsCommands;
  const tally = new Tally();
  const own = Object.hasOwn(target, 'sendCommand');
  const original = target.sendCommand;
  target.sendCommand = function (this: unknown, command, ...rest) {
    tally.track(String(command.name).toLowerCase(), command.promise).catch(() => {});
    return original.call(this, command, ...rest);
  };
  return Object.assign(tally, {
    restore() {
      if (own) target.sendCommand = original;
      else delete (target as Partial<SendsCommands>).sendCommand;
    },
  });
}

const statementName = (q: PgQuery | string) =>
  (typeof q === 'string' ? q : q.text).trim().split(/\s+/)[0]!.toUpperCase();

/**
 * A counting view of `pool` (a `pg.Pool`): every statement through it, or through a
 * connection it lends (`BEGIN`, `COMMIT`... included), is counted; `pool` itself is unchanged.
 */
export function countPg(pool: PgPoolLike): CommandCounter & { readonly pool: PgPoolLike } {
  const tally = new Tally();
  const query = (db: { query(q: PgQuery): Promise<unknown> }, q: PgQuery) =>
    tally.track(statementName(q), db.query(q));
  const counted: PgPoolLike = {
    query: (q) => query(pool, q) as ReturnType<PgPoolLike['query']>,
    async connect(): Promise<PgClientLike> {
      const client = await pool.connect();
      return {
        query: (q) => query(client, q) as ReturnType<PgClientLike['query']>,
        release: (err) => client.release(err),
      };
    },
    on: (event, listener) => pool.on?.(event, listener),
    listenerCount: (event) => pool.listenerCount?.(event) ?? 0,
  };
  return Object.assign(tally, { pool: counted });
}
