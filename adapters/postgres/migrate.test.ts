import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, pgPool, runId, serviceAvailable } from '../../test/load/services';
import { MIGRATE_LOCK_ID, migrate } from './migrate';
import { postgresStore } from './store';
import { dropStoreTable } from './testing';

const up = await serviceAvailable('postgres');

describe.skipIf(!up)('migrate', () => {
  let pool: pg.Pool;
  const made: string[] = [];
  const fresh = () => {
    const t = runId('pp_mig');
    made.push(t);
    return t;
  };
  beforeAll(() => {
    pool = pgPool();
  });
  afterAll(async () => {
    for (const t of made) await dropStoreTable(pool, t);
    await pool.end();
  });

  const exists = async (table: string) =>
    (await pool.query('SELECT to_regclass($1) AS t', [table])).rows[0].t !== null;

  it('creates the table once; a second run applies nothing and keeps the data', async () => {
    const table = fresh();
    const first = await migrate(pool, { table });
    expect(first.applied).toContain(`store:${table}:1`);
    expect(await exists(table)).toBe(true);
    const store = postgresStore({ pool, table });
    await store.update('k', () => ({ result: 0, write: { value: 'kept', ttlMs: 60_000 } }));
    const second = await migrate(pool, { table });
    expect(second.applied).toEqual([]);
    expect(await store.get('k')).toBe('kept');
  });

  it('is safe when several instances run it at once (separate connections)', async () => {
    const table = fresh();
    const pools = Array.from({ length: 6 }, () => pgPool(undefined, { max: 1 }));
    const reports = await Promise.all(pools.map((p) => migrate(p, { table })));
    const applied = reports.flatMap((r) => r.applied).filter((id) => id.includes(table));
    expect(applied).toEqual([`store:${table}:1`]);
    expect(await exists(table)).toBe(true);
    await Promise.all(pools.map((p) => p.end()));
  });

  it('waits for the advisory lock another migration holds, then proceeds', async () => {
    const table = fresh();
    const holder = new pg.Client({ connectionString: DATABASE_URL });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK_ID]);
    let finished = false;
    const running = migrate(pool, { table }).then((r) => {
      finished = true;
      return r;
    });
    // The migration shows up as a session waiting on our advisory lock.
    const waiting = async () =>
      Number(
        (
          await pool.query(
            `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
          )
        ).rows[0].n,
      );
    await expect.poll(waiting).toBeGreaterThan(0);
    expect(finished).toBe(false);
    expect(await exists(table)).toBe(false);
    await holder.query('COMMIT');
    await holder.end();
    expect((await running).applied).toContain(`store:${table}:1`);
  });

  it('refuses a malformed table name before touching the database', async () => {
    await expect(migrate(pool, { table: 'x; DROP TABLE y' })).rejects.toThrow(/table name/);
    await expect(migrate(pool, { ledgerTable: 'Bad' })).rejects.toThrow(/ledgerTable/);
  });

  it('rolls back everything when a step fails (a foreign table already holds the name)', async () => {
    const table = fresh();
    await pool.query(`CREATE TABLE "${table}" (x int)`);
    await expect(migrate(pool, { table })).rejects.toThrow(/expires_at/);
    expect(await exists(`${table}_version_seq`)).toBe(false);
    await pool.query(`DROP TABLE "${table}"`);
    expect((await migrate(pool, { table })).applied).toContain(`store:${table}:1`);
    expect(await exists(`${table}_version_seq`)).toBe(true);
  });
});
