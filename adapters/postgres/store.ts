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
import { DEFAULT_TABLE } from './migrate';
import {
  checkPool,
  explain,
  guardPoolErrors,
  type PgPoolLike,
  prepared,
  type TableName,
  tableName,
} from './pool';
import { coalescedReads, keyedSerial } from './serial';

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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const backoffMs = (n: number) => (n <= 1 ? 0 : Math.random() * Math.min(50, 2 ** (n - 1)));

function ttlOf(write: Exclude<StoreWrite, { delete: true }>): number {
  if (!(write.ttlMs > 0) || !Number.isFinite(write.ttlMs)) {
    throw new RangeError(`ttlMs must be a finite number > 0 (got ${write.ttlMs})`);
  }
  return Math.ceil(write.ttlMs);
}

function positiveInt(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(
      `phoneproof: postgresStore \`${name}\` must be an integer from ${min} to ${max}.`,
    );
  }
  return value;
}

function statements(t: TableName) {
  const T = t.sql;
  const seq = t.derived('_version_seq').replaceAll('"', '');
  const expiry = `now() + $3::double precision * interval '1 millisecond'`;
  return {
    read: `SELECT value, version FROM ${T} WHERE key = $1 AND expires_at > now()`,
    // Absent or expired when read: create, or replace a row that is still expired.
    insert: `INSERT INTO ${T} AS t (key, value, version, expires_at)
      VALUES ($1, $2, nextval('${seq}'), ${expiry})
      ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version,
        expires_at = EXCLUDED.expires_at
      WHERE t.expires_at <= now()`,
    update: `UPDATE ${T} SET value = $2, version = nextval('${seq}'), expires_at = ${expiry}
      WHERE key = $1 AND version = $4 AND expires_at > now()`,
    remove: `DELETE FROM ${T} WHERE key = $1 AND version = $2 AND expires_at > now()`,
    // The locked path: the row (live or expired) is ours until COMMIT.
    lockRow: `SELECT value, version, expires_at > now() AS live FROM ${T} WHERE key = $1 FOR UPDATE`,
    lockedUpdate: `UPDATE ${T} SET value = $2, version = nextval('${seq}'), expires_at = ${expiry}
      WHERE key = $1`,
    lockedInsert: `INSERT INTO ${T} (key, value, version, expires_at)
      VALUES ($1, $2, nextval('${seq}'), ${expiry}) ON CONFLICT (key) DO NOTHING`,
    lockedRemove: `DELETE FROM ${T} WHERE key = $1`,
    sweep: `DELETE FROM ${T} WHERE key IN (
        SELECT key FROM ${T} WHERE expires_at <= now()
        ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
      ) AND expires_at <= now()`,
  };
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
 * - `get`: one SELECT; concurrent `get`s of one key share a SELECT that started after they
 *   were called. Statements are prepared once per connection.
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
  guardPoolErrors(pool);
  const sql = statements(table);
  const named = options.preparedStatements ?? true;

  const run = async (text: string, values: unknown[]) => {
    try {
      return await pool.query(prepared(text, values, named));
    } catch (e) {
      throw explain(e, table);
    }
  };

  const read = async (key: string): Promise<Row | undefined> =>
    (await run(sql.read, [key])).rows[0] as Row | undefined;
  const text = (row: Row | undefined) =>
    row === undefined
      ? undefined
      : Buffer.isBuffer(row.value)
        ? row.value.toString('utf8')
        : row.value;

  /** Applies `write` if the row is still the one read; false on conflict. */
  const conditional = async (key: string, row: Row | undefined, write: StoreWrite) => {
    if ('delete' in write) return (await run(sql.remove, [key, row!.version])).rowCount === 1;
    const value = Buffer.from(write.value, 'utf8');
    const ttl = ttlOf(write);
    const r = row
      ? await run(sql.update, [key, value, ttl, row.version])
      : await run(sql.insert, [key, value, ttl]);
    return r.rowCount === 1;
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

  async function apply<T>(key: string, fn: Transition<T>): Promise<T> {
    for (let attempt = 1; attempt <= optimisticAttempts; attempt += 1) {
      const row = await read(key);
      const { result, write } = fn(text(row));
      if (!write || ('delete' in write && row === undefined)) return result;
      if (await conditional(key, row, write)) {
        maybeSweep();
        return result;
      }
      const wait = backoffMs(attempt);
      if (wait > 0) await sleep(wait);
    }
    return applyLocked(key, fn);
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
        return await client.query(prepared(text, values, named));
      } catch (e) {
        throw explain(e, table);
      }
    };
    let broken: Error | undefined;
    try {
      await client.query({ text: 'BEGIN' });
      for (let round = 0; round < 3; round += 1) {
        const row = (await q(sql.lockRow, [key])).rows[0] as (Row & { live: boolean }) | undefined;
        const seen = row?.live ? row : undefined;
        const { result, write } = fn(text(seen));
        let done = true;
        if (write && 'delete' in write) {
          if (seen) await q(sql.lockedRemove, [key]);
        } else if (write) {
          const args = [key, Buffer.from(write.value, 'utf8'), ttlOf(write)];
          if (row) await q(sql.lockedUpdate, args);
          else done = (await q(sql.lockedInsert, args)).rowCount === 1;
        }
        if (done) {
          await client.query({ text: 'COMMIT' });
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
    get: async (key) => text(await sharedRead(key)),
    sweep,
  };
}
