/**
 * `postgresStore`: the Store port on PostgreSQL, through the application's own `pg` Pool.
 * @module
 */
import type { Store, StoreWrite, Transition } from '../../src/ports/store';
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
import { keyedSerial } from './serial';

export interface PostgresStoreOptions {
  /** The application's pool. Configure timeouts and an `error` listener (docs/stores.md). */
  readonly pool: PgPoolLike;
  /** Table name, `table` or `schema.table` (default `phoneproof_records`); see `migrate`. */
  readonly table?: string;
  /** Conditional-update attempts per update before it rejects (default 32). */
  readonly maxAttempts?: number;
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

/** Thrown (as a rejection) when an update keeps conflicting past the retry budget. */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}

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
 *   the second retry, at most `maxAttempts` times, then reject with `StoreConflictError`.
 *   A transition without a write (or deleting an absent record) ends at the SELECT.
 *   Updates of one key from this instance run one after another.
 * - `get`: one SELECT. Statements are prepared once per connection.
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
  const maxAttempts = positiveInt(options.maxAttempts ?? 32, 'maxAttempts', 1, 1000);
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
    for (let attempt = 1; ; attempt += 1) {
      const row = await read(key);
      const { result, write } = fn(text(row));
      if (!write || ('delete' in write && row === undefined)) return result;
      if (await conditional(key, row, write)) {
        maybeSweep();
        return result;
      }
      if (attempt >= maxAttempts) {
        throw new StoreConflictError(
          `phoneproof: update of a record in ${table.sql} still conflicted after ${maxAttempts} attempts`,
        );
      }
      const wait = backoffMs(attempt);
      if (wait > 0) await sleep(wait);
    }
  }

  // Updates of one key from this instance run one after another.
  const serial = keyedSerial();
  const update = <T>(key: string, fn: Transition<T>) => serial(key, () => apply(key, fn));

  return {
    table: table.sql,
    update,
    async get(key) {
      return text(await read(key));
    },
    sweep,
  };
}
