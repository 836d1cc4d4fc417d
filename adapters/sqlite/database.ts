/**
 * The SQLite surface phoneproof uses, typed structurally so that a `node:sqlite`
 * `DatabaseSync`, a `better-sqlite3` `Database` and Bun's `bun:sqlite` `Database` all fit
 * without phoneproof importing any of them; statement caching, transactions, connection
 * settings and table-name validation. @internal
 * @module
 */
import { schemaError } from '../../src/ports/store-schema';
import { intOption } from '../store-kit/options';

export { intOption };

/** A prepared statement: positional `?` parameters, rows as plain objects. */
export interface SqliteStatementLike {
  run(...params: unknown[]): unknown;
  /** The first row, or `undefined` (`null` on Bun) when there is none. */
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** The application's database handle (`node:sqlite`, `better-sqlite3` or `bun:sqlite`). */
export interface SqliteDatabaseLike {
  prepare(sql: string): SqliteStatementLike;
  exec(sql: string): unknown;
}

/** Default `PRAGMA busy_timeout` set on a handle that has none (milliseconds). */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

const IDENT = /^[a-z_][a-z0-9_]{0,39}$/;

/** Validates a bare table name (lower-case letters, digits, `_`) and quotes it. */
export function tableName(name: unknown, option: string): { sql: string; bare: string } {
  if (typeof name !== 'string' || !IDENT.test(name) || name.startsWith('sqlite_')) {
    throw new TypeError(
      `phoneproof: \`${option}\` must be a table name like "phoneproof_records" (lower-case letters, digits, _; at most 40; got ${JSON.stringify(name)}).`,
    );
  }
  return { sql: `"${name}"`, bare: name };
}

/** Throws a TypeError unless `db` looks like a synchronous SQLite handle. */
export function checkDatabase(db: unknown, who: string): asserts db is SqliteDatabaseLike {
  const d = db as Partial<SqliteDatabaseLike> | null | undefined;
  if (typeof d?.prepare !== 'function' || typeof d.exec !== 'function') {
    throw new TypeError(
      `phoneproof: ${who} needs { database }: an open SQLite handle (node:sqlite DatabaseSync, better-sqlite3 Database or bun:sqlite Database).`,
    );
  }
}

/**
 * Sets `PRAGMA busy_timeout` (per handle) to `ms` when given, or to 5 s when the handle has
 * none: node:sqlite and Bun default to 0 (fail at once while another process holds the
 * lock); better-sqlite3 defaults to 5 s.
 */
export function setBusyTimeout(db: SqliteDatabaseLike, ms: number | undefined): void {
  if (ms !== undefined) intOption(ms, 'busyTimeoutMs', 0, 3_600_000);
  const row = db.prepare('PRAGMA busy_timeout').get() as object | null | undefined;
  const current = Number(Object.values(row ?? {})[0] ?? 0);
  const wanted = ms ?? (current > 0 ? undefined : DEFAULT_BUSY_TIMEOUT_MS);
  if (wanted !== undefined) db.exec(`PRAGMA busy_timeout = ${wanted}`);
}

/** Rows changed by a `run` (all three drivers answer `{ changes }`). */
function changesOf(result: unknown): number {
  const n = (result as { changes?: number | bigint } | undefined)?.changes;
  return n === undefined ? 0 : Number(n);
}

/**
 * A handle's statements, prepared once each, and transactions over it. Every call is
 * synchronous: no other JavaScript of this process runs between a transaction's statements,
 * and other processes wait on SQLite's locks (`busy_timeout`).
 */
export interface Connection {
  get<R>(sql: string, ...params: unknown[]): R | undefined;
  all<R>(sql: string, ...params: unknown[]): R[];
  /** Runs a statement; answers the rows it changed. */
  run(sql: string, ...params: unknown[]): number;
  /**
   * Runs `body` inside `BEGIN IMMEDIATE` (the write lock, taken at once: exact across
   * processes) or `BEGIN` (a read snapshot), committing if it returns, rolling back if it
   * throws.
   */
  transaction<T>(mode: 'immediate' | 'deferred', body: () => T): T;
}

/**
 * Wraps the application's handle (see `setBusyTimeout`). `explain` turns driver errors into
 * clearer ones.
 */
export function connection(
  db: SqliteDatabaseLike,
  busyTimeoutMs: number | undefined,
  explain: (e: unknown) => unknown,
): Connection {
  setBusyTimeout(db, busyTimeoutMs);
  const cache = new Map<string, SqliteStatementLike>();
  const statement = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      try {
        s = db.prepare(sql);
      } catch (e) {
        throw explain(e);
      }
      cache.set(sql, s);
    }
    return s;
  };
  const call = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw explain(e);
    }
  };
  return {
    get: (sql, ...params) => call(() => statement(sql).get(...params) ?? undefined) as never,
    all: (sql, ...params) => call(() => statement(sql).all(...params)) as never,
    run: (sql, ...params) => call(() => changesOf(statement(sql).run(...params))),
    transaction(mode, body) {
      call(() => db.exec(mode === 'immediate' ? 'BEGIN IMMEDIATE' : 'BEGIN'));
      let result: ReturnType<typeof body>;
      try {
        result = body();
      } catch (e) {
        try {
          db.exec('ROLLBACK');
        } catch {
          // already rolled back by SQLite (e.g. after SQLITE_FULL): nothing left to undo
        }
        throw e;
      }
      try {
        db.exec('COMMIT');
      } catch (e) {
        try {
          db.exec('ROLLBACK');
        } catch {}
        throw explain(e);
      }
      return result;
    },
  };
}

/** A missing table's error, with the fix; anything else unchanged. */
export function explainer(table: string): (e: unknown) => unknown {
  return (e) => {
    if (e instanceof Error && /no such table/i.test(e.message)) {
      return schemaError(
        `phoneproof: the SQLite table ${table} does not exist; run migrate(database) from 'phoneproof/sqlite' once first (${e.message})`,
        e,
      );
    }
    return e;
  };
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A value as stored: its UTF-8 bytes (a BLOB, so any string, U+0000 included, fits). */
export const encode = (value: string): Uint8Array => encoder.encode(value);

/** A stored value back as a string (drivers return a Buffer or a Uint8Array). */
export const decode = (value: unknown): string =>
  typeof value === 'string' ? value : decoder.decode(value as Uint8Array);
