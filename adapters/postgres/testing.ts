/**
 * Helpers for the PostgreSQL adapter's tests: counting wrapper and table cleanup.
 * @internal test helper, not part of the package entry
 */
import type pg from 'pg';
import type { PgPoolLike, PgQuery } from './pool';

/** Wraps a pool to record every query's first words (one entry per round trip). */
export function countingPool(pool: pg.Pool) {
  const calls: string[] = [];
  const wrapped: PgPoolLike = {
    query: (q: PgQuery) => {
      calls.push(q.text.trim().split(/\s+/)[0]!.toUpperCase());
      return pool.query(q as pg.QueryConfig);
    },
    connect: () => pool.connect(),
  };
  return { wrapped, calls };
}

/** Drops a store table made by `migrate` and forgets its migration records. */
export async function dropStoreTable(pool: pg.Pool, table: string): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS "${table}"`);
  await pool.query(`DROP SEQUENCE IF EXISTS "${table}_version_seq"`);
  await pool.query('DELETE FROM phoneproof_migrations WHERE id LIKE $1', [`store:${table}:%`]);
}
