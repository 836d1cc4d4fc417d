/**
 * The `pg` surface phoneproof uses, typed structurally so that a `pg.Pool` fits without
 * phoneproof importing `pg`, and table-name validation. @internal
 * @module
 */
import { createHash } from 'node:crypto';
import { schemaError } from '../../src/ports/store-schema';

/** A query as `pg` takes it; `name` makes it a prepared statement on each connection. */
export interface PgQuery {
  readonly text: string;
  readonly values?: unknown[];
  readonly name?: string;
}

export interface PgResult {
  readonly rows: unknown[];
  readonly rowCount: number | null;
}

export interface PgQueryable {
  query(query: PgQuery): Promise<PgResult>;
}

/** A checked-out connection (`pool.connect()`), used for transactions. */
export interface PgClientLike extends PgQueryable {
  release(err?: Error | boolean): void;
}

/** The application's `pg.Pool` (or anything with the same methods). */
export interface PgPoolLike extends PgQueryable {
  connect(): Promise<PgClientLike>;
  /** Used only to attach an `error` listener when the pool has none (see docs/stores.md). */
  on?(event: 'error', listener: (err: Error) => void): unknown;
  listenerCount?(event: 'error'): number;
}

const IDENT = /^[a-z_][a-z0-9_]{0,39}$/;

/** A validated table name: its quoted SQL form and a plain name for derived objects. */
export interface TableName {
  /** `"schema"."table"` or `"table"`. */
  readonly sql: string;
  /** The same, with `suffix` appended to the table part (sequences, functions). */
  derived(suffix: string): string;
  /** `suffix` appended to the table part, unqualified (index and trigger names). */
  local(suffix: string): string;
  /** The bare table part, unquoted. */
  readonly bare: string;
  /** The schema part, unquoted, or undefined. */
  readonly schema: string | undefined;
}

/**
 * Validates `table` or `schema.table` (lower-case letters, digits, `_`, at most 40 characters
 * each) and quotes it. Throws a TypeError on anything else: table names are configuration.
 */
export function tableName(name: unknown, option: string): TableName {
  const parts = typeof name === 'string' ? name.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((p) => IDENT.test(p))) {
    throw new TypeError(
      `phoneproof: \`${option}\` must be a table name like "phoneproof_records" or "schema.table" (lower-case letters, digits, _; got ${JSON.stringify(name)}).`,
    );
  }
  const bare = parts[parts.length - 1]!;
  const schema = parts.length === 2 ? parts[0] : undefined;
  const q = (s: string) => `"${s}"`;
  const withSchema = (t: string) => (schema ? `${q(schema)}.${q(t)}` : q(t));
  return {
    sql: withSchema(bare),
    derived: (suffix) => withSchema(bare + suffix),
    local: (suffix) => q(bare + suffix),
    bare,
    schema,
  };
}

/**
 * A query with a stable prepared-statement name derived from its text (parsed and planned
 * once per connection), or unnamed when `named` is false (poolers without prepared-statement
 * support).
 */
export function prepared(text: string, values: unknown[], named = true): PgQuery {
  if (!named) return { text, values };
  return { name: `pp_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text, values };
}

/** Checks the pool's shape (construction-time misconfiguration). */
export function checkPool(pool: unknown, factory: string): asserts pool is PgPoolLike {
  const p = pool as Partial<PgPoolLike> | null | undefined;
  if (!p || typeof p.query !== 'function' || typeof p.connect !== 'function') {
    throw new TypeError(`phoneproof: ${factory} \`pool\` must be a pg Pool (query, connect).`);
  }
}

/**
 * An idle pooled connection that loses its server makes `pg.Pool` emit `error`; with no
 * listener that event would crash the process. Attach one only when the application has not.
 */
export function guardPoolErrors(pool: PgPoolLike): void {
  if (typeof pool.on === 'function' && pool.listenerCount?.('error') === 0) {
    pool.on('error', () => {
      // The failed connection is discarded by the pool; the next query reports the outage.
    });
  }
}

/** SQLSTATE of a pg error, if any. */
export const sqlState = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code
    : undefined;

/** Adds a hint when a table is missing (SQLSTATE 42P01): the application did not migrate. */
export function explain(e: unknown, table: TableName): unknown {
  if (sqlState(e) === '42P01') {
    return schemaError(
      `phoneproof: table ${table.sql} does not exist; run migrate(pool) from phoneproof/postgres first.`,
      e,
    );
  }
  return e;
}
