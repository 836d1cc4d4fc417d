import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { storeContract } from '../../test/contract/store';
import { storeModelTest } from '../../test/load/model';
import { pgPool, runId, serviceAvailable } from '../../test/load/services';
import { migrate } from './migrate';
import type { PgPoolLike } from './pool';
import { postgresStore, StoreConflictError } from './store';
import { dropStoreTable } from './testing';

const up = await serviceAvailable('postgres');

/**
 * Wraps a pool to record each query's verb (one entry per round trip). A write sent on a
 * guess (`WITH w AS (<write>) SELECT ...`: it also answers the current row when it does
 * not apply) is named by its write's verb: `UPDATE`, `INSERT` or `DELETE`.
 */
function countingPool(pool: pg.Pool) {
  const calls: string[] = [];
  const keys: string[] = [];
  const wrapped: PgPoolLike = {
    query: (q) => {
      const verb = /^\s*WITH w AS \(\s*(\w+)/.exec(q.text)?.[1] ?? q.text.trim().split(/\s+/)[0]!;
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
const secret = 'pg-test-secret-pg-test-secret-pg-test!';

describe.skipIf(!up)('postgresStore', () => {
  const table = runId('pp_test');
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = pgPool();
    await migrate(pool, { table });
  });
  beforeEach(async () => {
    await pool.query(`DELETE FROM "${table}"`);
  });
  afterAll(async () => {
    await dropStoreTable(pool, table);
    await pool.end();
  });

  storeContract('postgres', async () => {
    const p = pgPool();
    const t = runId('pp_contract');
    await migrate(p, { table: t });
    return {
      store: postgresStore({ pool: p, table: t }),
      wait: (ms) => new Promise((r) => setTimeout(r, ms)),
      reset: async () => {
        await p.query(`DELETE FROM "${t}"`);
      },
      close: async () => {
        await dropStoreTable(p, t);
        await p.end();
      },
    };
  });

  storeContract('postgres (cacheSize 0)', async () => {
    const p = pgPool();
    const t = runId('pp_contract');
    await migrate(p, { table: t });
    return {
      store: postgresStore({ pool: p, table: t, cacheSize: 0 }),
      wait: (ms) => new Promise((r) => setTimeout(r, ms)),
      reset: async () => {
        await p.query(`DELETE FROM "${t}"`);
      },
      close: async () => {
        await dropStoreTable(p, t);
        await p.end();
      },
    };
  });

  storeModelTest(
    'postgres',
    () => postgresStore({ pool, table }),
    async () => {
      await pool.query(`DELETE FROM "${table}"`);
    },
  );
  storeModelTest(
    'postgres (cacheSize 0)',
    () => postgresStore({ pool, table, cacheSize: 0 }),
    async () => {
      await pool.query(`DELETE FROM "${table}"`);
    },
  );

  it('accepts a pg Pool as it is (structural type) and refuses misconfiguration', () => {
    expect(postgresStore({ pool }).table).toBe('"phoneproof_records"');
    expect(postgresStore({ pool, table: 'app.otp' }).table).toBe('"app"."otp"');
    for (const bad of ['Records', 'a;drop table x', 'x"y', '', 'a.b.c', 'a'.repeat(41), 42]) {
      expect(() => postgresStore({ pool, table: bad as string })).toThrow(/table name/);
    }
    expect(() => postgresStore({ pool: {} as PgPoolLike })).toThrow(/pg Pool/);
    expect(() => postgresStore({ pool, optimisticAttempts: 0 })).toThrow(/optimisticAttempts/);
    expect(() => postgresStore({ pool, sweepLimit: 0 })).toThrow(/sweepLimit/);
    for (const bad of [-1, 1.5, Number.NaN, 1e8, '10' as unknown as number]) {
      expect(() => postgresStore({ pool, cacheSize: bad })).toThrow(/cacheSize/);
    }
    expect(() => postgresStore({ pool, cacheSize: 0 })).not.toThrow();
  });

  const write =
    (value: string, ttlMs = 60_000) =>
    () => ({
      result: 0,
      write: { value, ttlMs },
    });

  it('without the cache (cacheSize 0): 2 round trips for a write, 1 for a read-only update, 1 for get', async () => {
    const { wrapped, calls } = countingPool(pool);
    const store = postgresStore({ pool: wrapped, table, cacheSize: 0 });
    await store.update('rt', write('a'));
    expect(calls.splice(0)).toEqual(['SELECT', 'INSERT']);
    await store.update('rt', write('b'));
    expect(calls.splice(0)).toEqual(['SELECT', 'UPDATE']);
    await store.update('rt', () => ({ result: 0 }));
    expect(calls.splice(0)).toEqual(['SELECT']);
    await store.update('rt', () => ({ result: 0, write: { delete: true } }));
    expect(calls.splice(0)).toEqual(['SELECT', 'DELETE']);
    await store.update('rt', () => ({ result: 0, write: { delete: true } }));
    expect(calls.splice(0)).toEqual(['SELECT']);
    await store.get('rt');
    expect(calls.splice(0)).toEqual(['SELECT']);
  });

  it('with the cache: 1 round trip for a write to a new or cached key, 2 when the guess is stale', async () => {
    const { wrapped, calls } = countingPool(pool);
    const store = postgresStore({ pool: wrapped, table });
    await store.update('rt', write('a')); // new key: INSERT ... ON CONFLICT DO NOTHING, no SELECT
    expect(calls.splice(0)).toEqual(['INSERT']);
    expect(
      await store.update('rt', (cur) => ({ result: cur, write: { value: 'b', ttlMs: 60_000 } })),
    ).toBe('a'); // the value this instance wrote, confirmed by the conditional UPDATE
    expect(calls.splice(0)).toEqual(['UPDATE']);
    // A transition without a write is never answered from the cache: it reads.
    expect(await store.update('rt', (cur) => ({ result: cur }))).toBe('b');
    expect(calls.splice(0)).toEqual(['SELECT']);
    await store.update('rt', () => ({ result: 0, write: { delete: true } }));
    expect(calls.splice(0)).toEqual(['DELETE']);
    await store.update('rt', () => ({ result: 0, write: { delete: true } })); // absent now
    expect(calls.splice(0)).toEqual(['SELECT']);
    await store.get('rt');
    expect(calls.splice(0)).toEqual(['SELECT']);

    // Another instance wrote: the UPDATE answers the current row, no SELECT.
    await store.update('rt', write('mine'));
    calls.length = 0;
    await postgresStore({ pool, table }).update('rt', write('theirs'));
    expect(
      await store.update('rt', (cur) => ({ result: cur, write: { value: 'next', ttlMs: 60_000 } })),
    ).toBe('theirs');
    expect(calls.splice(0)).toEqual(['UPDATE', 'UPDATE']);
    // A key this instance never saw, that exists: the INSERT answers the row, 2 round trips.
    await postgresStore({ pool, table }).update('other', write('there'));
    expect(
      await store.update('other', (cur) => ({ result: cur, write: { value: 'x', ttlMs: 60_000 } })),
    ).toBe('there');
    expect(calls.splice(0)).toEqual(['INSERT', 'UPDATE']);
    // A deleted record re-created by another instance: the cached DELETE answers the new row.
    await postgresStore({ pool, table }).update('other', write('again'));
    expect(
      await store.update('other', (cur) => ({
        result: cur,
        write: cur === 'again' ? { value: 'kept', ttlMs: 60_000 } : { delete: true },
      })),
    ).toBe('again');
    expect(calls.splice(0)).toEqual(['DELETE', 'UPDATE']);
  });

  it('200 concurrent gets of one record cost a few queries, and each sees the latest write', async () => {
    const { wrapped, calls } = countingPool(pool);
    const store = postgresStore({ pool: wrapped, table });
    await store.update('hot', () => ({ result: 0, write: { value: 'v1', ttlMs: 60_000 } }));
    calls.length = 0;
    const values = await Promise.all(Array.from({ length: 200 }, () => store.get('hot')));
    expect(new Set(values)).toEqual(new Set(['v1']));
    expect(calls.length).toBeLessThanOrEqual(3);
    const pending = Array.from({ length: 50 }, () => store.get('hot'));
    await store.update('hot', () => ({ result: 0, write: { value: 'v2', ttlMs: 60_000 } }));
    await Promise.all(pending);
    expect(await store.get('hot')).toBe('v2'); // called after the write resolved
  });

  it('a verifier check costs 1 round trip on the instance that started it, 2 on another; a status 1', async () => {
    const { wrapped, calls, on } = countingPool(pool);
    const outbox = outboxSender();
    const v = createVerifier({
      secret,
      store: postgresStore({ pool: wrapped, table }),
      sender: outbox,
    });
    // A second server: its own store (and cache) on the same table.
    const other = createVerifier({
      secret,
      store: postgresStore({ pool: wrapped, table }),
      sender: outbox,
    });
    const s = (await v.start({ phone: '+12133734253' }))._unsafeUnwrap();
    // start: the decision (new phone: INSERT), then the delivery attempt (UPDATE on the cached
    // version); other calls are the abuse budgets' records.
    expect(on('phone:')).toEqual(['INSERT', 'UPDATE']);
    const wrong = outbox.last()!.code === '000000' ? '111111' : '000000';
    expect((await v.check({ id: s.id, code: wrong })).isErr()).toBe(true);
    expect(calls).toEqual(['UPDATE']); // a wrong guess on the same instance: nothing else
    on('');
    expect((await other.check({ id: s.id, code: wrong })).isErr()).toBe(true);
    expect(on('')).toEqual(['SELECT', 'UPDATE']); // nothing cached there: read, then write
    // Back on the first instance, whose cached version is now stale: the UPDATE does not
    // apply and answers the current row, on which the check runs again.
    const checked = await v.check({ id: s.id, code: wrong });
    expect(checked._unsafeUnwrapErr().attemptsLeft).toBe(2);
    expect(on('')).toEqual(['UPDATE', 'UPDATE']);
    expect((await v.check({ id: s.id, code: outbox.last()!.code })).isOk()).toBe(true);
    expect(on('phone:')).toEqual(['UPDATE']);
    // Approval bookkeeping (abuse defenses) runs after the answer, in the background: let it
    // finish so that it is not counted as part of the status below.
    await new Promise((resolve) => setTimeout(resolve, 300));
    on('');
    expect((await v.status({ id: s.id })).isOk()).toBe(true);
    expect(on('')).toEqual(['SELECT']);
  });

  it('without the cache a verifier check costs 2 round trips, a status 1', async () => {
    const { wrapped, calls, on } = countingPool(pool);
    const outbox = outboxSender();
    const store = postgresStore({ pool: wrapped, table, cacheSize: 0 });
    const v = createVerifier({ secret, store, sender: outbox });
    const s = (await v.start({ phone: '+12133734253' }))._unsafeUnwrap();
    expect(on('phone:')).toEqual(['SELECT', 'INSERT', 'SELECT', 'UPDATE']);
    const wrong = outbox.last()!.code === '000000' ? '111111' : '000000';
    expect((await v.check({ id: s.id, code: wrong })).isErr()).toBe(true);
    expect(calls).toEqual(['SELECT', 'UPDATE']);
    on('');
    expect((await v.check({ id: s.id, code: outbox.last()!.code })).isOk()).toBe(true);
    expect(on('phone:')).toEqual(['SELECT', 'UPDATE']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    on('');
    expect((await v.status({ id: s.id })).isOk()).toBe(true);
    expect(on('')).toEqual(['SELECT']);
  });

  it("two instances with warm caches on one key: each sees the other's writes, none is lost", async () => {
    const [pa, pb] = [pgPool(undefined, { max: 5 }), pgPool(undefined, { max: 5 })];
    const [a, b] = [postgresStore({ pool: pa, table }), postgresStore({ pool: pb, table })];
    const inc = (raw: string | undefined) => {
      const n = raw === undefined ? 0 : Number(raw);
      return { result: n, write: { value: String(n + 1), ttlMs: 60_000 } };
    };
    // Ping-pong: each update on an instance whose cached version the other replaced.
    for (let i = 0; i < 10; i += 1) {
      expect(await (i % 2 === 0 ? a : b).update('pp', inc)).toBe(i);
    }
    // Both caches warm, then 2 x 150 concurrent increments.
    const seen = await Promise.all(
      Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? a : b).update('pp', inc)),
    );
    expect(await a.get('pp')).toBe('310');
    expect(new Set(seen).size).toBe(300);
    expect(Math.min(...seen)).toBe(10);
    await Promise.all([pa.end(), pb.end()]);
  });

  it('never answers from a stale cached value: read-only and throwing transitions read again', async () => {
    const a = postgresStore({ pool, table });
    const b = postgresStore({ pool, table });
    await a.update('stale', write('old'));
    await b.update('stale', write('new'));
    // Read-only on the cached 'old' would answer 'old' without any write to confirm it.
    expect(await a.update('stale', (cur) => ({ result: cur }))).toBe('new');
    await b.update('stale', write('newer'));
    // A transition that throws on the stale value: the guess is dropped, not the update.
    const r = await a.update('stale', (cur) => {
      if (cur !== 'newer') throw new Error(`ran on ${cur}`);
      return { result: cur, write: { value: 'last', ttlMs: 60_000 } };
    });
    expect(r).toBe('newer');
    expect(await b.get('stale')).toBe('last');
    // One that throws on the real value too: the error propagates, nothing is written.
    await expect(
      a.update('stale', () => {
        throw new Error('always');
      }),
    ).rejects.toThrow('always');
    expect(await b.get('stale')).toBe('last');
  });

  it('a cached write applies only if the row still holds the cached version and value', async () => {
    // A restore from backup (or a reset sequence) can bring a version number back with
    // another value: the version alone must not let a write computed on the cache land.
    const store = postgresStore({ pool, table });
    await store.update('restored', write('cached'));
    await pool.query(`UPDATE "${table}" SET value = $1 WHERE key = 'restored'`, [
      Buffer.from('restored'),
    ]);
    expect(
      await store.update('restored', (cur) => ({
        result: cur,
        write: { value: `${cur}+1`, ttlMs: 60_000 },
      })),
    ).toBe('restored');
    expect(await store.get('restored')).toBe('restored+1');
  });

  it('a cached record that expired in the table reads as absent', async () => {
    const store = postgresStore({ pool, table });
    await store.update('exp', write('short', 300));
    await new Promise((r) => setTimeout(r, 800));
    const shown: Array<string | undefined> = [];
    const r = await store.update('exp', (cur) => {
      shown.push(cur);
      return { result: cur ?? 'absent', write: { value: 'again', ttlMs: 60_000 } };
    });
    expect(r).toBe('absent');
    expect(shown.at(-1)).toBeUndefined();
    expect(await store.update('exp', (cur) => ({ result: cur }))).toBe('again');
    await store.update('exp2', write('short', 300));
    await new Promise((r) => setTimeout(r, 800));
    expect(await store.update('exp2', (cur) => ({ result: cur ?? 'absent' }))).toBe('absent');
    // An expired row left in the table (not swept yet) is replaced by a new record.
    await store.update('exp3', write('short', 300));
    await new Promise((r) => setTimeout(r, 800));
    const fresh = postgresStore({ pool, table }); // nothing cached: guesses the key absent
    expect(
      await fresh.update('exp3', (cur) => ({
        result: cur ?? 'absent',
        write: { value: 'new', ttlMs: 60_000 },
      })),
    ).toBe('absent');
    expect(await store.get('exp3')).toBe('new');
  });

  it('keeps at most cacheSize keys, least recently used out first', async () => {
    const { wrapped, calls } = countingPool(pool);
    const store = postgresStore({ pool: wrapped, table, cacheSize: 2 });
    for (const k of ['a', 'b', 'c']) await store.update(k, write(k)); // 'a' evicted
    calls.length = 0;
    await store.update('c', write('c2'));
    expect(calls.splice(0)).toEqual(['UPDATE']);
    await store.update('a', write('a2')); // guessed absent: the INSERT answers its row
    expect(calls.splice(0)).toEqual(['INSERT', 'UPDATE']);
    await store.update('b', write('b2')); // evicted by 'a' in turn
    expect(calls.splice(0)).toEqual(['INSERT', 'UPDATE']);
    await store.update('a', write('a3'));
    expect(calls.splice(0)).toEqual(['UPDATE']);
  });

  it('get refreshes the cache: an update after it costs 1 round trip', async () => {
    const { wrapped, calls } = countingPool(pool);
    const a = postgresStore({ pool: wrapped, table });
    await a.update('g', write('mine'));
    await postgresStore({ pool, table }).update('g', write('theirs'));
    expect(await a.get('g')).toBe('theirs');
    calls.length = 0;
    expect(
      await a.update('g', (cur) => ({ result: cur, write: { value: 'x', ttlMs: 60_000 } })),
    ).toBe('theirs');
    expect(calls).toEqual(['UPDATE']);
  });

  it('forgets a key after an error: a write that landed before its reply was lost is seen', async () => {
    let fail = false;
    const flaky: PgPoolLike = {
      query: async (q) => {
        const r = await pool.query(q as pg.QueryConfig);
        if (fail) throw new Error('Connection terminated unexpectedly');
        return r;
      },
      connect: () => pool.connect(),
    };
    const store = postgresStore({ pool: flaky, table });
    await store.update('lost', write('1'));
    fail = true;
    await expect(store.update('lost', write('2'))).rejects.toThrow('terminated');
    fail = false;
    expect(
      await store.update('lost', (cur) => ({ result: cur, write: { value: '3', ttlMs: 60_000 } })),
    ).toBe('2');
    expect(await store.get('lost')).toBe('3');
  });

  it('stays exact when separate instances (separate pools and stores) race on one key', async () => {
    const pools = Array.from({ length: 4 }, () => pgPool(undefined, { max: 5 }));
    const stores = pools.map((p) => postgresStore({ pool: p, table }));
    const inc = (raw: string | undefined) => {
      const n = raw === undefined ? 0 : Number(raw);
      return { result: n, write: { value: String(n + 1), ttlMs: 60_000 } };
    };
    const seen = await Promise.all(
      Array.from({ length: 200 }, (_, i) => stores[i % 4]!.update('race', inc)),
    );
    expect(await stores[0]!.get('race')).toBe('200');
    expect(new Set(seen).size).toBe(200);
    await Promise.all(pools.map((p) => p.end()));
  });

  it('works without named prepared statements (poolers that cannot keep them)', async () => {
    const seen: Array<string | undefined> = [];
    const spy: PgPoolLike = {
      query: (q) => {
        seen.push(q.name);
        return pool.query(q as pg.QueryConfig);
      },
      connect: () => pool.connect(),
    };
    const store = postgresStore({ pool: spy, table, preparedStatements: false });
    await store.update('np', () => ({ result: 0, write: { value: 'v', ttlMs: 60_000 } }));
    expect(await store.get('np')).toBe('v');
    await store.update('np', () => ({ result: 0, write: { value: 'w', ttlMs: 60_000 } }));
    expect(seen).toEqual([undefined, undefined, undefined]);
    await postgresStore({ pool: spy, table }).get('np');
    expect(seen.at(-1)).toMatch(/^pp_[0-9a-f]{20}$/);
  });

  it('a deleted and re-created record never matches an old version (no ABA)', async () => {
    const store = postgresStore({ pool, table });
    await store.update('aba', () => ({ result: 0, write: { value: 'first', ttlMs: 60_000 } }));
    const old = await pool.query(`SELECT version FROM "${table}" WHERE key = 'aba'`);
    await store.update('aba', () => ({ result: 0, write: { delete: true } }));
    await store.update('aba', () => ({ result: 0, write: { value: 'second', ttlMs: 60_000 } }));
    const now = await pool.query(`SELECT version FROM "${table}" WHERE key = 'aba'`);
    expect(now.rows[0].version).not.toBe(old.rows[0].version);
  });

  it.each([
    ['cacheSize 0', 0, []],
    // The guess "absent" (INSERT ... ON CONFLICT DO NOTHING in a WITH) is a free first try:
    // here it finds no live row, so the first optimistic attempt needs no SELECT.
    ['default cache', undefined, ['WITH']],
  ] as const)(
    'an update that keeps losing races takes the row lock and lands (4 round trips; %s)',
    async (_, cacheSize, guess) => {
      const log: string[] = [];
      const rival: PgPoolLike = {
        // Every optimistic conditional write finds that someone else changed the row.
        query: async (q) => {
          log.push(q.text.trim().split(/\s+/)[0]!);
          return q.text.trimStart().startsWith('SELECT')
            ? pool.query(q as pg.QueryConfig)
            : { rows: [], rowCount: 0 };
        },
        connect: async () => {
          const c = await pool.connect();
          return {
            query: (q) => {
              log.push(`locked ${q.text.trim().split(/\s+/)[0]!}`);
              return c.query(q as pg.QueryConfig);
            },
            release: (e) => c.release(e),
          };
        },
      };
      const store = postgresStore({
        pool: rival,
        table,
        optimisticAttempts: 3,
        ...(cacheSize === undefined ? {} : { cacheSize }),
      });
      let calls = 0;
      const r = await store.update('k', (cur) => {
        calls += 1;
        return { result: cur ?? 'none', write: { value: 'mine', ttlMs: 60_000 } };
      });
      expect(r).toBe('none');
      expect(calls).toBe(4 + guess.length);
      expect(log).toEqual([
        ...guess,
        ...[...(guess.length ? [] : ['SELECT']), 'INSERT', 'SELECT', 'INSERT', 'SELECT', 'INSERT'],
        ...['locked BEGIN', 'locked SELECT', 'locked INSERT', 'locked COMMIT'],
      ]);
      expect(await postgresStore({ pool, table }).get('k')).toBe('mine');
    },
  );

  it('locked updates and optimistic updates racing on one key lose nothing', async () => {
    // Store A always loses its optimistic write, so every update of A takes the row lock.
    const forced: PgPoolLike = {
      query: async (q) =>
        q.text.trimStart().startsWith('SELECT')
          ? pool.query(q as pg.QueryConfig)
          : { rows: [], rowCount: 0 },
      connect: () => pool.connect(),
    };
    const a = postgresStore({ pool: forced, table, optimisticAttempts: 1 });
    const other = pgPool(undefined, { max: 4 });
    const b = postgresStore({ pool: other, table });
    const inc = (raw: string | undefined) => {
      const n = raw === undefined ? 0 : Number(raw);
      return { result: n, write: { value: String(n + 1), ttlMs: 60_000 } };
    };
    const seen = await Promise.all([
      ...Array.from({ length: 40 }, () => a.update('mixed', inc)),
      ...Array.from({ length: 120 }, () => b.update('mixed', inc)),
    ]);
    expect(await b.get('mixed')).toBe('160');
    expect(new Set(seen).size).toBe(160);
    await other.end();
  });

  it('rejects (store_unavailable) if even the locked path cannot take the row', async () => {
    const never: PgPoolLike = {
      query: async (q) =>
        q.text.trimStart().startsWith('SELECT')
          ? { rows: [], rowCount: 0 }
          : { rows: [], rowCount: 0 },
      connect: async () => ({
        // The row never exists when locked, and someone else always inserts it first.
        query: async () => ({ rows: [], rowCount: 0 }),
        release: () => {},
      }),
    };
    const store = postgresStore({ pool: never, table, optimisticAttempts: 2 });
    await expect(
      store.update('k', () => ({ result: 0, write: { value: 'mine', ttlMs: 1_000 } })),
    ).rejects.toBeInstanceOf(StoreConflictError);
    const v = createVerifier({ secret, store, sender: outboxSender() });
    expect((await v.start({ phone: '+12133734253' }))._unsafeUnwrapErr().code).toBe(
      'store_unavailable',
    );
  });

  it('a corrupted or foreign row gives store_corrupt, not a crash', async () => {
    const outbox = outboxSender();
    const v = createVerifier({ secret, store: postgresStore({ pool, table }), sender: outbox });
    const s = (await v.start({ phone: '+12133734253' }))._unsafeUnwrap();
    const garbage = [Buffer.from('not json'), Buffer.from('{"v":2}'), Buffer.from([0xff, 0xfe, 0])];
    for (const value of garbage) {
      await pool.query(
        `UPDATE "${table}" SET value = $1 WHERE convert_from(value, 'UTF8') LIKE $2`,
        [value, `%${s.id}%`],
      );
      expect((await v.check({ id: s.id, code: outbox.last()!.code }))._unsafeUnwrapErr().code).toBe(
        'store_corrupt',
      );
      expect((await v.status({ id: s.id }))._unsafeUnwrapErr().code).toBe('store_corrupt');
    }
  });

  it('a missing table rejects with a hint to migrate (store_unavailable from the verifier)', async () => {
    const store = postgresStore({ pool, table: 'phoneproof_never_migrated' });
    await expect(store.get('k')).rejects.toThrow(/run migrate\(pool\)/);
    const v = createVerifier({ secret, store, sender: outboxSender() });
    expect((await v.start({ phone: '+12133734253' }))._unsafeUnwrapErr().code).toBe(
      'store_unavailable',
    );
  });

  it('sweep deletes at most `limit` expired rows and never a live one', async () => {
    const store = postgresStore({ pool, table, sweepEvery: 0 });
    await pool.query(
      `INSERT INTO "${table}" (key, value, version, expires_at)
       SELECT 'old' || i, 'x', i, now() - interval '1 minute' FROM generate_series(1, 10) i`,
    );
    await store.update('live', () => ({ result: 0, write: { value: 'v', ttlMs: 60_000 } }));
    expect(await store.sweep(3)).toBe(3);
    expect(await store.sweep(100)).toBe(7);
    expect(await store.sweep(100)).toBe(0);
    expect(await store.get('live')).toBe('v');
  });

  it('sweeps by itself every `sweepEvery` writes', async () => {
    const store = postgresStore({ pool, table, sweepEvery: 5, sweepLimit: 4 });
    await pool.query(
      `INSERT INTO "${table}" (key, value, version, expires_at)
       SELECT 'old' || i, 'x', i, now() - interval '1 minute' FROM generate_series(1, 10) i`,
    );
    const expired = async () =>
      Number(
        (await pool.query(`SELECT count(*) FROM "${table}" WHERE expires_at <= now()`)).rows[0]
          .count,
      );
    for (let i = 0; i < 4; i += 1) {
      await store.update(`w${i}`, () => ({ result: 0, write: { value: 'v', ttlMs: 60_000 } }));
    }
    expect(await expired()).toBe(10);
    await store.update('w4', () => ({ result: 0, write: { value: 'v', ttlMs: 60_000 } }));
    await expect.poll(expired).toBe(6);
  });

  it('attaches an error listener to a pool that has none, so an idle-connection error cannot crash', () => {
    const p = pgPool();
    p.removeAllListeners('error');
    expect(p.listenerCount('error')).toBe(0);
    postgresStore({ pool: p, table });
    expect(p.listenerCount('error')).toBe(1);
    expect(() => p.emit('error', new Error('terminating connection'))).not.toThrow();
    postgresStore({ pool: p, table });
    expect(p.listenerCount('error')).toBe(1);
    return p.end();
  });
});
