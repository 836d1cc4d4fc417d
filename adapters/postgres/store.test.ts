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
    // The guess "absent" (the batched write, a WITH statement) is a free first try: here
    // the rival answers nothing, so the store reads before its first optimistic attempt.
    ['default cache', undefined, ['WITH']],
  ] as const)(
    'an update that keeps losing races takes the row lock and lands (5 statements; %s)',
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
        ...['SELECT', 'WITH', 'SELECT', 'WITH', 'SELECT', 'WITH'],
        ...['locked BEGIN', 'locked INSERT', 'locked SELECT', 'locked UPDATE', 'locked COMMIT'],
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
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 3; i++) {
        const e = (await v.start({ phone: '+12133734253' }))._unsafeUnwrapErr();
        expect(e.code).toBe('store_unavailable');
        // Told apart from an outage: the message (for the logs) names the fix.
        expect(e.message).toMatch(/phoneproof_never_migrated.*migrate\(pool\)/);
      }
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    // Logged once per table, not once per request.
    const notMigrated = warnings.filter((w) => /phoneproof_never_migrated/.test(w.message));
    expect(notMigrated).toHaveLength(1);
  });

  it('an unreachable server is store_unavailable without a word about migrate', async () => {
    const pg = (await import('pg')).default;
    const down = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMillis: 500,
    });
    try {
      const store = postgresStore({ pool: down, table: 'phoneproof_never_migrated' });
      const v = createVerifier({ secret, store, sender: outboxSender() });
      const e = (await v.start({ phone: '+12133734253' }))._unsafeUnwrapErr();
      expect(e.code).toBe('store_unavailable');
      expect(e.message).not.toMatch(/migrate/);
    } finally {
      await down.end();
    }
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
