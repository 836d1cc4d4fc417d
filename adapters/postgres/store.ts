/**
 * `postgresStore`: the Store port on PostgreSQL, through the application's own `pg` Pool.
 * @module
 */
import { type Store, StoreConflictError } from '../../src/ports/store';
import { intOption, storeKit } from '../store-kit';
import { checkPool, guardPoolErrors, type PgPoolLike, tableName } from './pool';
import { postgresPrimitives } from './primitives';
import { type PgContext, runner } from './rows';
import { DEFAULT_TABLE } from './schema';
import { statements } from './statements';

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
   * Keys cached longest ago are evicted first. See docs/stores.md for the cost.
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

/**
 * Creates a Store on PostgreSQL. Run `migrate(pool)` once before use.
 * Built by `storeKit` (adapters/store-kit) from the primitives in ./primitives.ts: the queue,
 * cache and retry loop described below are the kit's; the statements are this store's.
 *
 * - Layout: one row per record: `key text PRIMARY KEY, value bytea, version bigint,
 *   expires_at timestamptz` (server clock: `now() + ttl`). Versions come from a sequence.
 * - `update` and `updateMany` (the kit's loop over N keys; `update` is one key): one
 *   SELECT of the N live rows (expired rows read as absent), the transition, then one
 *   statement (./batch.ts) that locks the existing rows in key order, checks every key
 *   still has the version read (or is still absent), and only then upserts and deletes:
 *   all of the writes or none. On a mismatch it answers the rows as found, and the update
 *   goes on from them (1 more round trip), with jittered backoff from the second retry.
 *   After `optimisticAttempts` lost races the update locks the rows instead (BEGIN, an
 *   expired placeholder row for each absent key, SELECT ... FOR UPDATE in key order, the
 *   writes, COMMIT), so it cannot starve. A transition without a write ends at the SELECT.
 *   Updates touching a key from this instance run one after another.
 * - Last-value cache (`cacheSize`, default 10 000 keys): the store remembers the value and
 *   row version it last read or wrote for each key and skips the SELECT: the transition runs
 *   on those values and the batched statement is conditional on those versions and values
 *   (1 round trip in all when nobody else wrote); a key with nothing cached is guessed
 *   absent. A stale guess costs the round trip the SELECT would have (the statement answers
 *   the rows). A transition that writes nothing, or throws on the guesses, is not trusted:
 *   the store reads, then runs it again. No result computed on a guess is returned unless
 *   its write landed. Errors and lost races forget the keys.
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
  const int = (value: number, name: string, min: number, max: number) =>
    intOption(value, name, min, max, 'postgresStore');
  const attempts = int(options.optimisticAttempts ?? 4, 'optimisticAttempts', 1, 1000);
  const sweepEvery = int(options.sweepEvery ?? 500, 'sweepEvery', 0, 1e9);
  const sweepLimit = int(options.sweepLimit ?? 1000, 'sweepLimit', 1, 1e6);
  const cacheSize = int(options.cacheSize ?? 10_000, 'cacheSize', 0, 1e7);
  guardPoolErrors(pool);
  const sql = statements(table);
  const on = runner(table, options.preparedStatements ?? true);

  const sweep = async (limit = sweepLimit) => {
    int(limit, 'sweep(limit)', 1, 1e6);
    return (await on(pool)(sql.sweep, [limit])).rowCount ?? 0;
  };
  // Every `sweepEvery` writes, one sweep in the background (never two at once).
  let writes = 0;
  let sweeping = false;
  const wrote = () => {
    if (sweepEvery === 0 || sweeping || ++writes % sweepEvery !== 0) return;
    sweeping = true;
    sweep()
      .catch(() => {}) // best effort: the next trigger tries again
      .finally(() => {
        sweeping = false;
      });
  };
  const context: PgContext = { pool, table, sql, on, wrote };
  const store = storeKit(postgresPrimitives(context), {
    attempts,
    cacheSize,
    name: table.sql,
  });
  return Object.assign(store, { table: table.sql, sweep });
}
