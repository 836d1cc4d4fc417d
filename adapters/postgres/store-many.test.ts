/**
 * `postgresStore.updateMany` on a real PostgreSQL, counted through
 * test/support/count-commands.ts: what a batched update of several keys costs (statements
 * and round trips) with a cold and a warm cache, and the locked path over several keys.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MultiTransition } from '../../src/ports/store';
import { pgPool, runId, serviceAvailable } from '../../test/load/services';
import { countPg } from '../../test/support/count-commands';
import { migrate, postgresStore } from './index';
import { dropStoreTable } from './testing';

const up = await serviceAvailable('postgres');

const bump: MultiTransition<number> = (current) => ({
  result: 0,
  writes: current.map((raw) => ({ value: String(Number(raw ?? 0) + 1), ttlMs: 60_000 })),
});

describe.skipIf(!up)('postgresStore.updateMany: statements and round trips', () => {
  const table = runId('pp_many').replaceAll('-', '_').toLowerCase();
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = pgPool();
    await migrate(pool, { table });
  });
  afterAll(async () => {
    await dropStoreTable(pool, table);
    await pool.end();
  });

  it('three keys: 1 statement and 1 round trip when cached, 2 and 2 when not', async () => {
    const counted = countPg(pool);
    const store = postgresStore({ pool: counted.pool, table });
    const other = postgresStore({ pool, table });
    const keys = ['phone:a', 'ip:b', 'pfx:c'];
    await store.updateMany(keys, bump); // new keys, guessed absent
    expect(counted.take()).toEqual({ commands: ['WITH'], roundTrips: 1 });
    await store.updateMany(keys, bump); // cached
    expect(counted.take()).toEqual({ commands: ['WITH'], roundTrips: 1 });
    await other.updateMany(['ip:b'], bump); // another instance: the cache is stale on one key
    await store.updateMany(keys, bump); // the statement answers the rows: no SELECT
    expect(counted.take()).toEqual({ commands: ['WITH', 'WITH'], roundTrips: 2 });
    const cold = postgresStore({ pool: counted.pool, table, cacheSize: 0 });
    await cold.updateMany(keys, bump);
    expect(counted.take()).toEqual({ commands: ['SELECT', 'WITH'], roundTrips: 2 });
    expect(await other.updateMany(keys, (cur) => ({ result: cur.join() }))).toBe('4,5,4');
    await cold.updateMany(keys, (cur) => ({ result: cur })); // read only: the SELECT
    expect(counted.take()).toEqual({ commands: ['SELECT'], roundTrips: 1 });
  });

  it('the locked path takes every row in key order, absent keys included, and lands', async () => {
    const counted = countPg(pool);
    const rival = {
      ...counted.pool,
      // Every optimistic batched write "loses"; reads and the locked path are real.
      query: async (q: { text: string }) =>
        q.text.trimStart().startsWith('WITH')
          ? { rows: [], rowCount: 0 }
          : counted.pool.query(q as never),
    };
    const store = postgresStore({ pool: rival, table, optimisticAttempts: 2, cacheSize: 0 });
    const keys = ['lk:z', 'lk:a', 'phone:a'];
    expect(await store.updateMany(keys, bump)).toBe(0);
    expect(counted.take().commands).toEqual([
      'SELECT',
      'SELECT',
      ...['BEGIN', 'INSERT', 'SELECT', 'UPDATE', 'UPDATE', 'UPDATE', 'COMMIT'],
    ]);
    expect(await store.get('lk:z')).toBe('1');
    expect(await store.get('phone:a')).toBe('5');
  });
  it('a key read but not written is compared too: a decision on a stale value does not land', async () => {
    const a = postgresStore({ pool, table });
    const b = postgresStore({ pool, table });
    const grant: MultiTransition<boolean> = ([count, flag]) =>
      flag === 'open'
        ? { result: true, writes: [{ value: String(Number(count ?? 0) + 1), ttlMs: 60_000 }] }
        : { result: false };
    await a.updateMany(['cmp:flag'], () => ({
      result: 0,
      writes: [{ value: 'open', ttlMs: 60_000 }],
    }));
    expect(await a.updateMany(['cmp:count', 'cmp:flag'], grant)).toBe(true); // a caches 'open'
    await b.update('cmp:flag', () => ({ result: 0, write: { value: 'closed', ttlMs: 60_000 } }));
    expect(await a.updateMany(['cmp:count', 'cmp:flag'], grant)).toBe(false);
    expect(await b.get('cmp:count')).toBe('1');
  });
  it('a key seen absent but created meanwhile by another transaction: nothing of the batch lands', async () => {
    const store = postgresStore({ pool, table, cacheSize: 0 });
    const rival = await pool.connect();
    await rival.query('BEGIN');
    await rival.query(
      `INSERT INTO "${table}" (key, value, version, expires_at) VALUES ('ab:x',
        convert_to('theirs', 'UTF8'), nextval('${table}_version_seq'), now() + interval '1 minute')`,
    );
    const claim: MultiTransition<string> = ([x]) =>
      x === undefined
        ? {
            result: 'mine',
            writes: [
              { value: 'mine', ttlMs: 60_000 },
              { value: 'y', ttlMs: 60_000 },
            ],
          }
        : { result: `refused: ${x}` };
    const claimed = store.updateMany(['ab:x', 'ab:y'], claim); // reads x absent, then waits on it
    await new Promise((r) => setTimeout(r, 300));
    await rival.query('COMMIT');
    rival.release();
    expect(await claimed).toBe('refused: theirs');
    expect([await store.get('ab:x'), await store.get('ab:y')]).toEqual(['theirs', undefined]);
  });
  it('a key seen absent and only compared, created meanwhile by a batch that locked our written key: nothing lands', async () => {
    // The rival is what another instance's batched write does for updateMany(['ws:x',
    // 'ws:y']) deciding "y is 'v': create x" (y compare only): it locks y FOR UPDATE (not
    // changing it) and inserts x. Ours decides "x is absent: write y". One of the two must
    // see the other's write (write skew otherwise): ours runs again and sees x.
    const store = postgresStore({ pool, table, cacheSize: 0 });
    await store.update('ws:y', () => ({ result: 0, write: { value: 'v', ttlMs: 60_000 } }));
    const rival = await pool.connect();
    await rival.query('BEGIN');
    await rival.query(`SELECT key FROM "${table}" WHERE key = 'ws:y' FOR UPDATE`);
    await rival.query(
      `INSERT INTO "${table}" (key, value, version, expires_at) VALUES ('ws:x',
        convert_to('theirs', 'UTF8'), nextval('${table}_version_seq'), now() + interval '1 minute')`,
    );
    const onlyIfAbsent: MultiTransition<string> = ([x]) =>
      x === undefined
        ? { result: 'wrote y', writes: [undefined, { value: 'x was absent', ttlMs: 60_000 }] }
        : { result: `saw x: ${x}` };
    const done = store.updateMany(['ws:x', 'ws:y'], onlyIfAbsent); // reads x absent, waits on y
    await new Promise((r) => setTimeout(r, 300));
    await rival.query('COMMIT');
    rival.release();
    expect(await done).toBe('saw x: theirs');
    expect(await store.get('ws:y')).toBe('v');
  });
});
