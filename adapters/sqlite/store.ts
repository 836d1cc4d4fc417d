/**
 * `sqliteStore`: the Store port on SQLite, through the application's own handle
 * (`node:sqlite`, `better-sqlite3` or `bun:sqlite`; never imported here).
 * @module
 */
import type { MultiTransition, Store } from '../../src/ports/store';
import { type StoredRecord, type StorePrimitives, storeKit, ttlMsOf } from '../store-kit';
import {
  checkDatabase,
  connection,
  decode,
  encode,
  explainer,
  intOption,
  type SqliteDatabaseLike,
  tableName,
} from './database';
import { DEFAULT_TABLE } from './migrate';

export interface SqliteStoreOptions {
  /** The application's open handle. Run `migrate(database)` once before use. */
  readonly database: SqliteDatabaseLike;
  /** Table name (default `phoneproof_records`); see `migrate`. */
  readonly table?: string;
  /**
   * `PRAGMA busy_timeout` for this handle, in ms: how long a write waits for another
   * process's lock (default: 5000 when the handle has none; a handle's own setting is kept).
   */
  readonly busyTimeoutMs?: number;
  /** Run a sweep after this many writes by this instance; 0 disables (default 500). */
  readonly sweepEvery?: number;
  /** Most expired rows one sweep deletes (default 1000). */
  readonly sweepLimit?: number;
  /** The clock records expire by, epoch ms (default `Date.now`; tests only). */
  readonly now?: () => number;
}

export interface SqliteStore extends Store {
  readonly table: string;
  /**
   * Deletes at most `limit` expired rows (default `sweepLimit`), oldest first; resolves with
   * the count. The store runs it by itself every `sweepEvery` writes.
   */
  sweep(limit?: number): Promise<number>;
}

interface Row {
  readonly value: unknown;
  readonly expires_at: number | bigint;
}

/**
 * Creates a Store on SQLite. Run `migrate(database)` once before use. Built by `storeKit`
 * (adapters/store-kit) over an `exclusiveMany` primitive: the transaction below.
 *
 * - Layout: one row per record: `key TEXT PRIMARY KEY, value BLOB (UTF-8), expires_at
 *   INTEGER` (epoch ms on this machine's clock, which every process sharing the file reads).
 * - `update` and `updateMany` (one key, or N): one `BEGIN IMMEDIATE` transaction: it takes
 *   the database's write lock first (other processes wait, up to `busy_timeout`), reads the
 *   rows, runs the transition, writes (`INSERT ... ON CONFLICT DO UPDATE`) or deletes each
 *   key, and commits: all of the writes or none (a throw rolls back). Nothing can write between
 *   the read and the write, in this process (the driver is synchronous) or another, so the
 *   transition runs exactly once and is exact across processes sharing the file.
 * - `get`: one `SELECT` (expired rows read as absent).
 * - Expired rows are invisible at once and deleted by bounded sweeps (see `sweep`).
 * - Errors (a missing table: run `migrate`; SQLITE_BUSY past the timeout; a full disk)
 *   reject, and nothing is written; the verifier answers `store_unavailable`.
 * - The driver is synchronous: each call blocks this process's event loop for its duration
 *   (microseconds, or up to `busy_timeout` while another process holds the write lock).
 */
export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('phoneproof: sqliteStore needs an options object ({ database }).');
  }
  const { database } = options;
  checkDatabase(database, 'sqliteStore');
  const table = tableName(options.table ?? DEFAULT_TABLE, 'table');
  const sweepEvery = intOption(options.sweepEvery ?? 500, 'sweepEvery', 0, 1e9);
  const sweepLimit = intOption(options.sweepLimit ?? 1000, 'sweepLimit', 1, 1e6);
  const now = options.now ?? Date.now;
  const db = connection(database, options.busyTimeoutMs, explainer(table.sql));
  const t = table.sql;
  const sql = {
    read: `SELECT value, expires_at FROM ${t} WHERE key = ?`,
    live: `SELECT value FROM ${t} WHERE key = ? AND expires_at > ?`,
    upsert: `INSERT INTO ${t} (key, value, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    remove: `DELETE FROM ${t} WHERE key = ?`,
    sweep: `DELETE FROM ${t} WHERE key IN
      (SELECT key FROM ${t} WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`,
  };

  const sweepNow = (limit: number) =>
    db.transaction('immediate', () => db.run(sql.sweep, now(), limit));
  let writes = 0;
  const maybeSweep = () => {
    if (sweepEvery === 0 || ++writes % sweepEvery !== 0) return;
    try {
      sweepNow(sweepLimit);
    } catch {
      // best effort: the next trigger tries again
    }
  };

  const primitives: StorePrimitives<StoredRecord> = {
    read(key) {
      const row = db.get<{ value: unknown }>(sql.live, key, now());
      return row === undefined ? undefined : { value: decode(row.value) };
    },
    exclusiveMany<T>(keys: readonly string[], fn: MultiTransition<T>) {
      let wrote = false;
      const result = db.transaction('immediate', () => {
        const rows = keys.map((key) => db.get<Row>(sql.read, key));
        const at = now();
        const { result, writes = [] } = fn(
          rows.map((row) => (row && Number(row.expires_at) > at ? decode(row.value) : undefined)),
        );
        // A throw (a bad TTL included) rolls the transaction back: nothing is written.
        for (const [i, key] of keys.entries()) {
          const write = writes[i];
          if (write && 'delete' in write) {
            if (rows[i]) db.run(sql.remove, key);
          } else if (write) {
            db.run(sql.upsert, key, encode(write.value), at + ttlMsOf(write));
          }
          wrote ||= write !== undefined;
        }
        return result;
      });
      if (wrote) maybeSweep();
      return { result };
    },
    // The clock records expire by: the host's, shared by every process that opens the file,
    // so every instance decides on it whatever its own clock says (docs/clocks.md).
    time: async () => now(),
  };
  return Object.assign(storeKit(primitives), {
    table: t,
    sweep: async (limit = sweepLimit) => sweepNow(intOption(limit, 'sweep(limit)', 1, 1e6)),
  });
}
