/**
 * postgresStore's round trips and its last-value cache: counts per operation with and without
 * the cache, verifier checks on the starting and on another instance, and a cache that is only
 * ever a guess (stale values, expiry, eviction, errors, several instances).
 */
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { pgPool, runId, serviceAvailable } from '../../test/load/services';
import { migrate } from './migrate';
import type { PgPoolLike } from './pool';
import { postgresStore } from './store';
import { countingPool, dropStoreTable } from './testing';

const up = await serviceAvailable('postgres');
const secret = 'pg-test-secret-pg-test-secret-pg-test!';

describe.skipIf(!up)('postgresStore: round trips and the last-value cache', () => {
  const table = runId('pp_cache');
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
    expect(calls.splice(0)).toEqual(['SELECT', 'WITH']);
    await store.update('rt', write('b'));
    expect(calls.splice(0)).toEqual(['SELECT', 'WITH']);
    await store.update('rt', () => ({ result: 0 }));
    expect(calls.splice(0)).toEqual(['SELECT']);
    await store.update('rt', () => ({ result: 0, write: { delete: true } }));
    expect(calls.splice(0)).toEqual(['SELECT', 'WITH']);
    await store.update('rt', () => ({ result: 0, write: { delete: true } }));
    expect(calls.splice(0)).toEqual(['SELECT']);
    await store.get('rt');
    expect(calls.splice(0)).toEqual(['SELECT']);
  });

  it('with the cache: 1 round trip for a write to a new or cached key, 2 when the guess is stale', async () => {
    const { wrapped, calls } = countingPool(pool);
    const store = postgresStore({ pool: wrapped, table });
    await store.update('rt', write('a')); // new key: INSERT ... ON CONFLICT DO NOTHING, no SELECT
    expect(calls.splice(0)).toEqual(['WITH']);
    expect(
      await store.update('rt', (cur) => ({ result: cur, write: { value: 'b', ttlMs: 60_000 } })),
    ).toBe('a'); // the value this instance wrote, confirmed by the conditional UPDATE
    expect(calls.splice(0)).toEqual(['WITH']);
    // A transition without a write is never answered from the cache: it reads.
    expect(await store.update('rt', (cur) => ({ result: cur }))).toBe('b');
    expect(calls.splice(0)).toEqual(['SELECT']);
    await store.update('rt', () => ({ result: 0, write: { delete: true } }));
    expect(calls.splice(0)).toEqual(['WITH']);
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
    expect(calls.splice(0)).toEqual(['WITH', 'WITH']);
    // A key this instance never saw, that exists: the INSERT answers the row, 2 round trips.
    await postgresStore({ pool, table }).update('other', write('there'));
    expect(
      await store.update('other', (cur) => ({ result: cur, write: { value: 'x', ttlMs: 60_000 } })),
    ).toBe('there');
    expect(calls.splice(0)).toEqual(['WITH', 'WITH']);
    // A deleted record re-created by another instance: the cached DELETE answers the new row.
    await postgresStore({ pool, table }).update('other', write('again'));
    expect(
      await store.update('other', (cur) => ({
        result: cur,
        write: cur === 'again' ? { value: 'kept', ttlMs: 60_000 } : { delete: true },
      })),
    ).toBe('again');
    expect(calls.splice(0)).toEqual(['WITH', 'WITH']);
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
    // As twilioSender with a status callback URL: reports carry the send's ref, so an
    // accepted message is not written again (see docs/delivery.md).
    const outbox = { ...outboxSender(), reportsCarryRef: true };
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
    // start: one INSERT (new phone) holding the decision and the send's attempt; other calls
    // are the abuse budgets' records.
    expect(on('phone:')).toEqual(['WITH']);
    const wrong = outbox.last()!.code === '000000' ? '111111' : '000000';
    expect((await v.check({ id: s.id, code: wrong })).isErr()).toBe(true);
    expect(calls).toEqual(['WITH']); // a wrong guess on the same instance: nothing else
    on('');
    expect((await other.check({ id: s.id, code: wrong })).isErr()).toBe(true);
    // Nothing cached there: read, then write; first use of that instance also samples the
    // store's clock (clock_timestamp(), once per 30 s, docs/clocks.md).
    expect(on('')).toEqual(['SELECT', 'SELECT', 'WITH']);
    // Back on the first instance, whose cached version is now stale: the UPDATE does not
    // apply and answers the current row, on which the check runs again.
    const checked = await v.check({ id: s.id, code: wrong });
    expect(checked._unsafeUnwrapErr().attemptsLeft).toBe(2);
    expect(on('')).toEqual(['WITH', 'WITH']);
    expect((await v.check({ id: s.id, code: outbox.last()!.code })).isOk()).toBe(true);
    expect(on('phone:')).toEqual(['WITH']);
    // Approval bookkeeping (abuse defenses) runs after the answer, in the background: let it
    // finish so that it is not counted as part of the status below.
    await new Promise((resolve) => setTimeout(resolve, 300));
    on('');
    expect((await v.status({ id: s.id })).isOk()).toBe(true);
    expect(on('')).toEqual(['SELECT']);
  });

  it('without the cache a verifier check costs 2 round trips, a status 1', async () => {
    const { wrapped, calls, on } = countingPool(pool);
    // As twilioSender with a status callback URL: reports carry the send's ref, so an
    // accepted message is not written again (see docs/delivery.md).
    const outbox = { ...outboxSender(), reportsCarryRef: true };
    const store = postgresStore({ pool: wrapped, table, cacheSize: 0 });
    const v = createVerifier({ secret, store, sender: outbox });
    const s = (await v.start({ phone: '+12133734253' }))._unsafeUnwrap();
    expect(on('phone:')).toEqual(['SELECT', 'WITH']);
    const wrong = outbox.last()!.code === '000000' ? '111111' : '000000';
    expect((await v.check({ id: s.id, code: wrong })).isErr()).toBe(true);
    expect(calls).toEqual(['SELECT', 'WITH']);
    on('');
    expect((await v.check({ id: s.id, code: outbox.last()!.code })).isOk()).toBe(true);
    expect(on('phone:')).toEqual(['SELECT', 'WITH']);
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
    expect(calls.splice(0)).toEqual(['WITH']);
    await store.update('a', write('a2')); // guessed absent: the INSERT answers its row
    expect(calls.splice(0)).toEqual(['WITH', 'WITH']);
    await store.update('b', write('b2')); // evicted by 'a' in turn
    expect(calls.splice(0)).toEqual(['WITH', 'WITH']);
    await store.update('a', write('a3'));
    expect(calls.splice(0)).toEqual(['WITH']);
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
    expect(calls).toEqual(['WITH']);
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
});
