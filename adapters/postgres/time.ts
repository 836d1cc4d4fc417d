/**
 * The PostgreSQL server's clock for `Store.time`: `clock_timestamp()` (the wall clock at
 * the statement, not the transaction start that `now()` gives).
 * @module
 */
import type { PgPoolLike } from './pool';

const TIME_SQL = 'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms';

/** Epoch milliseconds on the PostgreSQL server. */
export async function postgresTime(pool: PgPoolLike): Promise<number> {
  const result = await pool.query({ text: TIME_SQL });
  const ms = Number((result.rows[0] as { ms?: unknown } | undefined)?.ms);
  if (!Number.isFinite(ms)) {
    throw new Error('phoneproof: PostgreSQL clock_timestamp() answered a non-number.');
  }
  return ms;
}
