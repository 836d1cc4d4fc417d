/**
 * redisStore's round trips and its last-value cache: commands per operation with and without
 * the cache, verifier checks on the starting and on another instance, NOSCRIPT recovery, and a
 * cache that is only ever a guess (stale values, expiry, eviction, errors, several instances,
 * the retry budget).
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { clearPrefix, redisClient, runId, serviceAvailable } from '../../test/load/services';
import { CAS_SCRIPT, CAS_SHA } from './script';
import { type RedisClientLike, redisStore } from './store';

const up = await serviceAvailable('redis');
const secret = 'redis-test-secret-redis-test-secret!';

/** Wraps a client to count the commands (round trips) the store sends. */
function counting(client: Redis) {
  const calls: string[] = [];
  const keys: string[] = [];
  const wrapped: RedisClientLike = {
    get: (k) => {
      calls.push('get');
      keys.push(k);
      return client.get(k);
    },
    evalsha: (...a) => {
      calls.push('evalsha');
      keys.push(String(a[2]));
      return client.evalsha(...a);
    },
    eval: (...a) => {
      calls.push('eval');
      keys.push(String(a[2]));
      return client.eval(...a);
    },
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

describe.skipIf(!up)('redisStore: round trips and the last-value cache', () => {
  const prefix = `${runId('pp-cache')}:`;
  let client: Redis;
  beforeAll(async () => {
    client = redisClient();
    await client.script('LOAD', CAS_SCRIPT); // a server that never ran it answers NOSCRIPT once
  });
  beforeEach(() => clearPrefix(client, prefix));
  afterAll(async () => {
    await clearPrefix(client, prefix);
    client.disconnect();
  });

  const write =
    (value: string, ttlMs = 60_000) =>
    () => ({
      result: 0,
      write: { value, ttlMs },
    });

  it('without the cache (cacheSize 0): 2 round trips for a write, 1 for a read-only update, 1 for get', async () => {
    const { wrapped, calls } = counting(client);
    const store = redisStore({ client: wrapped, prefix, cacheSize: 0 });
    await store.update('rt', write('a'));
    expect(calls.splice(0)).toEqual(['get', 'evalsha']);
    await store.update('rt', write('b'));
    expect(calls.splice(0)).toEqual(['get', 'evalsha']);
    await store.update('rt', () => ({ result: 0 }));
    expect(calls.splice(0)).toEqual(['get']);
    await store.update('rt', () => ({ result: 0, write: { delete: true } }));
    expect(calls.splice(0)).toEqual(['get', 'evalsha']);
    await store.update('rt', () => ({ result: 0, write: { delete: true } }));
    expect(calls.splice(0)).toEqual(['get']);
    await store.get('rt');
    expect(calls.splice(0)).toEqual(['get']);
  });

  it('with the cache: 1 round trip for a write to a new or cached key, 2 when the guess is stale', async () => {
    const { wrapped, calls } = counting(client);
    const store = redisStore({ client: wrapped, prefix });
    await store.update('rt', write('a')); // new key: sent expecting it absent, no GET
    expect(calls.splice(0)).toEqual(['evalsha']);
    expect(
      await store.update('rt', (cur) => ({ result: cur, write: { value: 'b', ttlMs: 60_000 } })),
    ).toBe('a'); // the value this instance wrote, confirmed by the compare-and-set
    expect(calls.splice(0)).toEqual(['evalsha']);
    // A transition without a write is never answered from the cache: it reads.
    expect(await store.update('rt', (cur) => ({ result: cur }))).toBe('b');
    expect(calls.splice(0)).toEqual(['get']);
    await store.update('rt', () => ({ result: 0, write: { delete: true } }));
    expect(calls.splice(0)).toEqual(['evalsha']);
    await store.update('rt', () => ({ result: 0, write: { delete: true } })); // absent now
    expect(calls.splice(0)).toEqual(['get']);
    await store.get('rt');
    expect(calls.splice(0)).toEqual(['get']);

    // Another instance wrote: the script answers the current value, no GET.
    await store.update('rt', write('mine'));
    calls.length = 0;
    await redisStore({ client, prefix }).update('rt', write('theirs'));
    expect(
      await store.update('rt', (cur) => ({ result: cur, write: { value: 'next', ttlMs: 60_000 } })),
    ).toBe('theirs');
    expect(calls.splice(0)).toEqual(['evalsha', 'evalsha']);
    // A key this instance never saw, that exists: the "absent" guess fails, 2 round trips.
    await client.set(`${prefix}{other}`, 'there', 'PX', 60_000);
    expect(
      await store.update('other', (cur) => ({ result: cur, write: { value: 'x', ttlMs: 60_000 } })),
    ).toBe('there');
    expect(calls.splice(0)).toEqual(['evalsha', 'evalsha']);
  });

  it('a verifier check costs 1 round trip on the instance that started it, 2 on another; a status 1', async () => {
    const { wrapped, calls, on } = counting(client);
    // As twilioSender with a status callback URL: reports carry the send's ref, so an
    // accepted message is not written again (see docs/delivery.md).
    const outbox = { ...outboxSender(), reportsCarryRef: true };
    const v = createVerifier({
      secret,
      store: redisStore({ client: wrapped, prefix }),
      sender: outbox,
    });
    // A second server: its own store (and cache) on the same Redis and prefix.
    const other = createVerifier({
      secret,
      store: redisStore({ client: wrapped, prefix }),
      sender: outbox,
    });
    const s = await v.start({ phone: '+12133734253' });
    expect(s.isOk()).toBe(true);
    // start: one compare-and-set (new phone: sent expecting absence) holding the decision
    // and the send's attempt; other calls are the abuse budgets' records.
    expect(on('{phone:')).toEqual(['evalsha']);
    const id = s._unsafeUnwrap().id;
    const wrong = outbox.last()!.code === '000000' ? '111111' : '000000';
    expect((await v.check({ id, code: wrong })).isErr()).toBe(true);
    expect(calls).toEqual(['evalsha']); // a wrong guess on the same instance: nothing else
    on('');
    expect((await other.check({ id, code: wrong })).isErr()).toBe(true);
    // Nothing cached there: read, then write; first use of that instance also samples the
    // store's clock (TIME, once per 30 s, docs/clocks.md).
    expect(on('')).toEqual(['eval', 'get', 'evalsha']);
    // Back on the first instance, whose cached record is now stale: the compare-and-set
    // fails and answers the current record, on which the check runs again.
    const checked = await v.check({ id, code: wrong });
    expect(checked._unsafeUnwrapErr().attemptsLeft).toBe(2);
    expect(on('')).toEqual(['evalsha', 'evalsha']);
    expect((await v.check({ id, code: outbox.last()!.code })).isOk()).toBe(true);
    expect(on('{phone:')).toEqual(['evalsha']);
    // Approval bookkeeping (abuse defenses) runs after the answer, in the background: let it
    // finish so that it is not counted as part of the status below.
    await new Promise((resolve) => setTimeout(resolve, 300));
    on('');
    expect((await v.status({ id })).isOk()).toBe(true);
    expect(on('')).toEqual(['get']);
  });

  it('without the cache a verifier check costs 2 round trips, a status 1', async () => {
    const { wrapped, calls, on } = counting(client);
    // As twilioSender with a status callback URL: reports carry the send's ref, so an
    // accepted message is not written again (see docs/delivery.md).
    const outbox = { ...outboxSender(), reportsCarryRef: true };
    const v = createVerifier({
      secret,
      store: redisStore({ client: wrapped, prefix, cacheSize: 0 }),
      sender: outbox,
    });
    const s = await v.start({ phone: '+12133734253' });
    // The operation's records read in one command (the compare-and-set script with nothing to
    // write), then written in one: 2 round trips without the cache.
    expect(on('{phone:')).toEqual(['evalsha', 'evalsha']);
    const id = s._unsafeUnwrap().id;
    const wrong = outbox.last()!.code === '000000' ? '111111' : '000000';
    expect((await v.check({ id, code: wrong })).isErr()).toBe(true);
    expect(calls).toEqual(['evalsha', 'evalsha']);
    on('');
    expect((await v.check({ id, code: outbox.last()!.code })).isOk()).toBe(true);
    expect(on('{phone:')).toEqual(['evalsha', 'evalsha']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    on('');
    expect((await v.status({ id })).isOk()).toBe(true);
    expect(on('')).toEqual(['get']);
  });

  it('reloads the script once when the server lost it (NOSCRIPT), then uses EVALSHA again', async () => {
    const { wrapped, calls } = counting(client);
    const store = redisStore({ client: wrapped, prefix });
    await client.script('FLUSH');
    expect(await client.script('EXISTS', CAS_SHA)).toEqual([0]);
    await store.update('ns', write('1'));
    expect(calls.splice(0)).toEqual(['evalsha', 'eval']);
    await store.update('ns', write('2'));
    expect(calls.splice(0)).toEqual(['evalsha']);
    expect(await store.get('ns')).toBe('2');
  });

  it("two instances with warm caches on one key: each sees the other's writes, none is lost", async () => {
    const [ca, cb] = [redisClient(), redisClient()];
    const [a, b] = [redisStore({ client: ca, prefix }), redisStore({ client: cb, prefix })];
    const inc = (raw: string | undefined) => {
      const n = raw === undefined ? 0 : Number(raw);
      return { result: n, write: { value: String(n + 1), ttlMs: 60_000 } };
    };
    // Ping-pong: each update on an instance whose cached value the other replaced.
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
    ca.disconnect();
    cb.disconnect();
  });

  it('never answers from a stale cached value: read-only and throwing transitions read again', async () => {
    const a = redisStore({ client, prefix });
    const b = redisStore({ client, prefix });
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

  it('a cached record that expired on the server reads as absent', async () => {
    const store = redisStore({ client, prefix });
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
  });

  it('keeps at most cacheSize keys, least recently used out first', async () => {
    const { wrapped, calls } = counting(client);
    const store = redisStore({ client: wrapped, prefix, cacheSize: 2 });
    for (const k of ['a', 'b', 'c']) await store.update(k, write(k)); // 'a' evicted
    calls.length = 0;
    await store.update('c', write('c2'));
    expect(calls.splice(0)).toEqual(['evalsha']);
    await store.update('a', write('a2')); // guessed absent: the script answers its value
    expect(calls.splice(0)).toEqual(['evalsha', 'evalsha']);
    await store.update('b', write('b2')); // evicted by 'a' in turn
    expect(calls.splice(0)).toEqual(['evalsha', 'evalsha']);
    await store.update('a', write('a3'));
    expect(calls.splice(0)).toEqual(['evalsha']);
  });

  it('get refreshes the cache: an update after it costs 1 round trip', async () => {
    const { wrapped, calls } = counting(client);
    const a = redisStore({ client: wrapped, prefix });
    await a.update('g', write('mine'));
    await redisStore({ client, prefix }).update('g', write('theirs'));
    expect(await a.get('g')).toBe('theirs');
    calls.length = 0;
    expect(
      await a.update('g', (cur) => ({ result: cur, write: { value: 'x', ttlMs: 60_000 } })),
    ).toBe('theirs');
    expect(calls).toEqual(['evalsha']);
  });

  it('forgets a key after an error: a write that landed before its reply was lost is seen', async () => {
    let fail = false;
    const flaky: RedisClientLike = {
      get: (k) => client.get(k),
      evalsha: async (...a) => {
        const reply = await client.evalsha(...a);
        if (fail) throw new Error('Connection is closed.');
        return reply;
      },
      eval: (...a) => client.eval(...a),
    };
    const store = redisStore({ client: flaky, prefix });
    await store.update('lost', write('1'));
    fail = true;
    await expect(store.update('lost', write('2'))).rejects.toThrow('Connection is closed.');
    fail = false;
    expect(
      await store.update('lost', (cur) => ({ result: cur, write: { value: '3', ttlMs: 60_000 } })),
    ).toBe('2');
    expect(await store.get('lost')).toBe('3');
  });

  it('a stale guess does not spend the retry budget: maxAttempts 1 still updates a key another instance wrote', async () => {
    const a = redisStore({ client, prefix });
    const b = redisStore({ client, prefix, maxAttempts: 1 });
    const bump = (cur: string | undefined) => ({
      result: Number(cur ?? 0) + 1,
      write: { value: String(Number(cur ?? 0) + 1), ttlMs: 60_000 },
    });
    expect(await a.update('guessed', bump)).toBe(1);
    // b has nothing cached: it guesses "absent", learns the value, and writes on its one attempt.
    expect(await b.update('guessed', bump)).toBe(2);
    expect(await a.update('guessed', bump)).toBe(3); // a's cache is stale now: same story
    expect(await b.update('guessed', bump)).toBe(4);
    expect(await client.get(b.redisKey('guessed'))).toBe('4');
  });
});
