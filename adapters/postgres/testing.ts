/**
 * Helpers for the PostgreSQL adapter's tests: counting wrapper and table cleanup.
 * @internal test helper, not part of the package entry
 */
import type pg from 'pg';
import type { PgPoolLike, PgQuery } from './pool';

/**
 * Wraps a pool to record each query's verb and first argument (the key), for the tests that
 * filter by key (`on`). The store's batched write is `WITH`. Round trips and the statements
 * of lent connections: test/support/count-commands.ts (`countPg`).
 */
export function countingPool(pool: pg.Pool) {
  const calls: string[] = [];
  const keys: string[] = [];
  const wrapped: PgPoolLike = {
    query: (q: PgQuery) => {
      const verb = q.text.trim().split(/\s+/)[0]!;
      calls.push(verb.toUpperCase());
      keys.push(String(q.values?.[0] ?? ''));
      return pool.query(q as pg.QueryConfig);
    },
    connect: () => pool.connect(),
  };
  /** The calls made since the last look, on keys containing `part` only. */
  const on = (part: string) => {
    const seen = calls.filter((_, i) => keys[i]!.includes(part));
    calls.length = 0;
    keys.length = 0;
    return seen;
  };
  return { wrapped, calls, on };
}

/** Drops a store table made by `migrate` and forgets its migration records. */
export async function dropStoreTable(pool: pg.Pool, table: string): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS "${table}"`);
  await pool.query(`DROP SEQUENCE IF EXISTS "${table}_version_seq"`);
  await pool.query('DELETE FROM phoneproof_migrations WHERE id LIKE $1', [`store:${table}:%`]);
}
