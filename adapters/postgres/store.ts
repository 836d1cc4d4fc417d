/**
 * `postgresStore`: the Store port on PostgreSQL, through the application's own `pg` Pool.
 * @module
 */
import {
  type Store,
  StoreConflictError,
  type StoreWrite,
  type Transition,
} from '../../src/ports/store';
import { guessStep, LastSeen, ttlMsOf } from '../last-seen';
import { DEFAULT_TABLE } from './migrate';
import {
  checkPool,
  explain,
  guardPoolErrors,
  type PgPoolLike,
  type PgQuery,
  prepared,
  tableName,
} from './pool';
import { coalescedReads, keyedSerial } from './serial';
import { statements } from './statements';
import { postgresTime } from './time';

export interface PostgresStoreOptions {
  /** The application's pool. Configure timeouts and an `error` listener (docs/stores.md). */
  readonly pool: PgPoolLike;
  /** Table name, `table` or `schema.table` (default `phoneproof_records`); see `migrate`. */
  readonly table?: string;
  /**
   * Optimistic attempts (read, then conditional write) before an update that keeps losing
   * races takes the row lock instead (default 4). The locked path cannot starve.
   */
  readonly optimisticAttempts?: number;
  /** Run a sweep after this many writes by this instance; 0 disables (default 500). */
  readonly sweepEvery?: number;
  /** Most expired rows one sweep deletes (default 1000). */
  readonly sweepLimit?: number;
  /**
   * Use named prepared statements (default true). Set false behind a pooler that cannot
   * keep them (PgBouncer before 1.21 in transaction mode).
   */
  readonly preparedStatements?: boolean;
  /**
   * Keys whose last known value and row version this store keeps in process, so that an
   * update can skip its `SELECT` (default 10 000; 0 disables it: every update reads first).
   * Least recently written or read keys are evicted first. See docs/stores.md for the cost.
   */
  readonly cacheSize?: number;
}

export interface PostgresStore extends Store {
  readonly table: string;
  /**
   * Deletes at most `limit` expired rows (default `sweepLimit`), oldest first, skipping rows
   * other sessions hold locked; resolves with the count. The store runs it by itself every
   * `sweepEvery` writes; call it from a scheduled job if you disable that.
   */
  sweep(limit?: number): Promise<number>;
}

export { StoreConflictError };

interface Row {
  readonly value: Buffer | string;
  readonly version: string;
}

/** A record as this instance last saw it: its value and its row version. */
interface Seen {
  readonly value: string;
  readonly version: string;
}

/** What a cached write's statement answers: it landed, or the row as it is now. */
interface GuessRow {
  readonly ok: boolean;
  readonly version: string;
  readonly value: Buffer | string | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const backoffMs = (n: number) => (n <= 1 ? 0 : Math.random() * Math.min(50, 2 ** (n - 1)));

function positiveInt(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(
      `phoneproof: postgresStore \`${name}\` must be an integer from ${min} to ${max}.`,
    );
  }
  return value;
}

/**
 * Creates a Store on PostgreSQL. Run `migrate(pool)` once before use.
 *
 * - Layout: one row per record: `key text PRIMARY KEY, value bytea, version bigint,
 *   expires_at timestamptz` (server clock: `now() + ttl`). Versions come from a sequence.
 * - `update`: SELECT (expired rows read as absent, 1 round trip), run the transition, then
 *   one conditional statement (1 round trip): `UPDATE ... WHERE key AND version AND not
 *   expired`, `DELETE ... WHERE key AND version`, or for a record read as absent `INSERT ...
 *   ON CONFLICT DO UPDATE ... WHERE the existing row is expired`. No row affected means
 *   another writer won: re-read and retry (2 more round trips), with jittered backoff from
 *   the second retry. After `optimisticAttempts` lost races the update locks the row instead
 *   (BEGIN, SELECT ... FOR UPDATE, write, COMMIT: 4 round trips), so it cannot starve.
 *   A transition without a write (or deleting an absent record) ends at the SELECT.
 *   Updates of one key from this instance run one after another.
 * - Last-value cache (`cacheSize`, default 10 000 keys): the store remembers the value and
 *   row version it last read or wrote for each key and skips the SELECT: the transition runs
 *   on that value and its write is one statement conditional on that version and value
 *   (1 round trip in all when nobody else wrote). With nothing cached, a transition that
 *   creates the record is sent as `INSERT ... ON CONFLICT DO NOTHING` (1 round trip for a new
 *   key). Each of these statements answers, when it did not apply, the live row as it found
 *   it, and the update goes on from that row as after a conflict (2 round trips, as without
 *   the cache). A transition that writes nothing, deletes a record guessed absent, or throws
 *   on the guess is not trusted: the store reads, then runs it again. No result computed on
 *   a guess is returned unless its write landed. Errors and lost races forget the key.
 * - `get`: one SELECT (never answered from the cache; it refreshes it); concurrent `get`s of
 *   one key share a SELECT that started after they were called. Statements are prepared
 *   once per connection.
 * - Expired rows are invisible at once and deleted by bounded sweeps (see `sweep`).
 * - A missing table rejects with an error saying to run `migrate`; connection errors reject
 *   unchanged (the verifier answers `store_unavailable`).
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('phoneproof: postgresStore needs an options object ({ pool }).');
  }
  const { pool } = options;
  checkPool(pool, 'postgresStore');
  const table = tableName(options.table ?? DEFAULT_TABLE, 'table');
  const optimisticAttempts = positiveInt(
    options.optimisticAttempts ?? 4,
    'optimisticAttempts',
    1,
    1000,
  );
  const sweepEvery = positiveInt(options.sweepEvery ?? 500, 'sweepEvery', 0, 1e9);
  const sweepLimit = positiveInt(options.sweepLimit ?? 1000, 'sweepLimit', 1, 1e6);
  const cache = new LastSeen<Seen>(positiveInt(options.cacheSize ?? 10_000, 'cacheSize', 0, 1e7));
  guardPoolErrors(pool);
  const sql = statements(table);
  const named = options.preparedStatements ?? true;

  // Statement names (a hash of the text) computed once per statement, not once per query.
  const names = new Map<string, PgQuery>();
  const query = (text: string, values: unknown[]): PgQuery => {
    let base = names.get(text);
    if (!base) {
      base = prepared(text, [], named);
      names.set(text, base);
    }
    return { ...base, values };
  };
  const run = async (text: string, values: unknown[]) => {
    try {
      return await pool.query(query(text, values));
    } catch (e) {
      throw explain(e, table);
    }
  };

  const read = async (key: string): Promise<Row | undefined> =>
    (await run(sql.read, [key])).rows[0] as Row | undefined;
  const text = (value: Buffer | string) =>
    Buffer.isBuffer(value) ? value.toString('utf8') : value;
  const seenOf = (row: Row | undefined): Seen | undefined =>
    row === undefined ? undefined : { value: text(row.value), version: String(row.version) };
  const versionOf = (rows: unknown[]) => String((rows[0] as { version: unknown }).version);

  /**
   * Applies `write` if the row is still the one read; resolves with what this instance now
   * knows of the record (undefined after a delete), or `false` on conflict.
   */
  const conditional = async (
    key: string,
    seen: Seen | undefined,
    write: StoreWrite,
  ): Promise<{ now: Seen | undefined } | false> => {
    if ('delete' in write) {
      return (await run(sql.remove, [key, seen!.version])).rowCount === 1 && { now: undefined };
    }
    const value = Buffer.from(write.value, 'utf8');
    const ttl = ttlMsOf(write);
    const r = seen
      ? await run(sql.update, [key, value, ttl, seen.version])
      : await run(sql.insert, [key, value, ttl]);
    return r.rowCount === 1 && { now: { value: write.value, version: versionOf(r.rows) } };
  };

  /**
   * Sends a write computed on a guess (`cached`, or absence) as one statement conditional on
   * it: resolves with `landed` and what this instance now knows of the record, which on a
   * miss is the live row as the statement saw it (none: absent or expired).
   */
  const guessed = async (key: string, cached: Seen | undefined, write: StoreWrite) => {
    let rows: unknown[];
    if ('delete' in write) {
      const args = [key, cached!.version, Buffer.from(cached!.value, 'utf8')];
      rows = (await run(sql.guessRemove, args)).rows;
    } else {
      const value = Buffer.from(write.value, 'utf8');
      const ttl = ttlMsOf(write);
      rows = cached
        ? (
            await run(sql.guessUpdate, [
              key,
              value,
              ttl,
              cached.version,
              Buffer.from(cached.value, 'utf8'),
            ])
          ).rows
        : (await run(sql.guessInsert, [key, value, ttl])).rows;
    }
    const row = rows[0] as GuessRow | undefined;
    if (row?.ok) {
      const now =
        'delete' in write ? undefined : { value: write.value, version: String(row.version) };
      return { landed: true, now };
    }
    const now =
      row && row.value !== null
        ? { value: text(row.value), version: String(row.version) }
        : undefined;
    return { landed: false, now };
  };

  let writes = 0;
  let sweeping = false;
  const sweep = async (limit = sweepLimit) => {
    positiveInt(limit, 'sweep(limit)', 1, 1e6);
    return (await run(sql.sweep, [limit])).rowCount ?? 0;
  };
  const maybeSweep = () => {
    if (sweepEvery === 0 || sweeping || ++writes % sweepEvery !== 0) return;
    sweeping = true;
    sweep()
      .catch(() => {}) // best effort: the next trigger tries again
      .finally(() => {
        sweeping = false;
      });
  };

  async function updateOnce<T>(key: string, fn: Transition<T>): Promise<T> {
    // With the cache on, a guess first (the cached record, or absence): see guessStep.
    let known: { seen: Seen | undefined } | undefined;
    if (cache.capacity > 0) {
      const cached = cache.peek(key);
      const step = guessStep(fn, cached?.value);
      if (step) {
        const { landed, now } = await guessed(key, cached, step.write);
        cache.set(key, now);
        if (landed) {
          maybeSweep();
          return step.result;
        }
        known = { seen: now }; // the row as it is: go on from it, without a SELECT
      }
    }
    for (let attempt = 1; attempt <= optimisticAttempts; attempt += 1) {
      let seen: Seen | undefined;
      if (known) {
        seen = known.seen;
        known = undefined;
      } else {
        seen = seenOf(await read(key));
        cache.set(key, seen);
      }
      const { result, write } = fn(seen?.value);
      if (!write || ('delete' in write && seen === undefined)) return result;
      const landed = await conditional(key, seen, write);
      if (landed) {
        cache.set(key, landed.now);
        maybeSweep();
        return result;
      }
      const wait = backoffMs(attempt);
      if (wait > 0) await sleep(wait);
    }
    return applyLocked(key, fn);
  }

  async function apply<T>(key: string, fn: Transition<T>): Promise<T> {
    try {
      return await updateOnce(key, fn);
    } catch (e) {
      cache.delete(key); // an outage, a lost race or a throwing transition: know nothing
      throw e;
    }
  }

  /**
   * The fallback for a key that keeps losing races: one transaction that locks the row
   * (`SELECT ... FOR UPDATE`, waiting in PostgreSQL's queue), so its write cannot conflict.
   * A record absent when read may be created by someone else meanwhile (`INSERT ... ON
   * CONFLICT DO NOTHING` affects no row): then lock that row and decide again.
   */
  async function applyLocked<T>(key: string, fn: Transition<T>): Promise<T> {
    const client = await pool.connect();
    const q = async (text: string, values: unknown[]) => {
      try {
        return await client.query(query(text, values));
      } catch (e) {
        throw explain(e, table);
      }
    };
    let broken: Error | undefined;
    try {
      await client.query({ text: 'BEGIN' });
      for (let round = 0; round < 3; round += 1) {
        const row = (await q(sql.lockRow, [key])).rows[0] as (Row & { live: boolean }) | undefined;
        let now = seenOf(row?.live ? row : undefined);
        const { result, write } = fn(now?.value);
        let done = true;
        if (write && 'delete' in write) {
          if (now) await q(sql.lockedRemove, [key]);
          now = undefined;
        } else if (write) {
          const args = [key, Buffer.from(write.value, 'utf8'), ttlMsOf(write)];
          const r = row ? await q(sql.lockedUpdate, args) : await q(sql.lockedInsert, args);
          done = row !== undefined || r.rowCount === 1;
          now = r.rows.length > 0 ? { value: write.value, version: versionOf(r.rows) } : undefined;
        }
        if (done) {
          await client.query({ text: 'COMMIT' });
          cache.set(key, now);
          if (write) maybeSweep();
          return result;
        }
      }
      throw new StoreConflictError(`phoneproof: could not lock a record in ${table.sql}`);
    } catch (e) {
      // A connection that cannot even roll back is discarded, not returned to the pool.
      await client.query({ text: 'ROLLBACK' }).catch((r: unknown) => {
        broken = r instanceof Error ? r : new Error(String(r));
      });
      throw e;
    } finally {
      client.release(broken);
    }
  }

  // Updates of one key from this instance run one after another.
  const serial = keyedSerial();
  // Concurrent `get`s of one key share reads (never one that began before they asked).
  const sharedRead = coalescedReads(read);
  const update = <T>(key: string, fn: Transition<T>) => serial(key, () => apply(key, fn));

  return {
    table: table.sql,
    update,
    get: async (key) => {
      const mark = cache.mark();
      const seen = seenOf(await sharedRead(key));
      cache.refresh(key, seen, mark);
      return seen?.value;
    },
    time: () => postgresTime(pool),
    sweep,
  };
}
