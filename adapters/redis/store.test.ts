import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { storeContract } from '../../test/contract/store';
import { storeModelTest } from '../../test/load/model';
import {
  clearPrefix,
  redisClient,
  redisHarness,
  runId,
  serviceAvailable,
} from '../../test/load/services';
import { CAS_SHA } from './script';
import { type RedisClientLike, redisStore, StoreConflictError } from './store';

const up = await serviceAvailable('redis');

// Compile-time proof that ioredis clients fit the structural type as they are.
const fits: [
  Redis extends RedisClientLike ? true : never,
  Cluster extends RedisClientLike ? true : never,
] = [true, true];
void fits;
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

describe.skipIf(!up)('redisStore', () => {
  const prefix = `${runId('pp-test')}:`;
  let client: Redis;
  beforeAll(() => {
    client = redisClient();
  });
  beforeEach(() => clearPrefix(client, prefix));
  afterAll(async () => {
    await clearPrefix(client, prefix);
    client.disconnect();
  });

  storeContract('redis', async () =>
    redisHarness('pp-contract', (client, prefix) => redisStore({ client, prefix })),
  );

  storeModelTest(
    'redis',
    () => redisStore({ client, prefix }),
    () => clearPrefix(client, prefix),
  );

  it('accepts an ioredis client as it is (structural type) and refuses misconfiguration', () => {
    expect(redisStore({ client }).prefix).toBe('phoneproof:');
    expect(() => redisStore({ client: {} as RedisClientLike })).toThrow(/ioredis client/);
    expect(() => redisStore({ client, prefix: 'a{b}:' })).toThrow(/prefix/);
    expect(() => redisStore({ client, maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => redisStore(undefined as never)).toThrow(/options/);
  });

  it('stores a record under prefix{key}: one key, one Cluster slot per operation', async () => {
    const store = redisStore({ client, prefix });
    await store.update('phone:abc', () => ({ result: 0, write: { value: 'v', ttlMs: 60_000 } }));
    expect(store.redisKey('phone:abc')).toBe(`${prefix}{phone:abc}`);
    expect(await client.get(`${prefix}{phone:abc}`)).toBe('v');
    const ttl = await client.pttl(`${prefix}{phone:abc}`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    const [, keys] = await client.scan('0', 'MATCH', `${prefix}*`, 'COUNT', 1000);
    expect(keys).toEqual([`${prefix}{phone:abc}`]);
  });

  it('costs 2 round trips for a write, 1 for a read-only update, 1 for get', async () => {
    const { wrapped, calls } = counting(client);
    const store = redisStore({ client: wrapped, prefix });
    await store.update('rt', () => ({ result: 0, write: { value: 'a', ttlMs: 60_000 } }));
    expect(calls.splice(0)).toEqual(['get', 'evalsha']);
    await store.update('rt', () => ({ result: 0 }));
    expect(calls.splice(0)).toEqual(['get']);
    await store.update('absent', () => ({ result: 0, write: { delete: true } }));
    expect(calls.splice(0)).toEqual(['get']);
    await store.get('rt');
    expect(calls.splice(0)).toEqual(['get']);
  });

  it('a verifier check costs 2 round trips on the verification record, a status 1', async () => {
    const { wrapped, calls, on } = counting(client);
    const outbox = outboxSender();
    const v = createVerifier({
      secret,
      store: redisStore({ client: wrapped, prefix }),
      sender: outbox,
    });
    const s = await v.start({ phone: '+12133734253' });
    expect(s.isOk()).toBe(true);
    on(''); // start may touch other records too (abuse budgets)
    const id = s._unsafeUnwrap().id;
    const wrong = outbox.last()!.code === '000000' ? '111111' : '000000';
    expect((await v.check({ id, code: wrong })).isErr()).toBe(true);
    expect(calls).toEqual(['get', 'evalsha']); // a wrong guess: nothing else at all
    on('');
    expect((await v.check({ id, code: outbox.last()!.code })).isOk()).toBe(true);
    expect(on('{phone:')).toEqual(['get', 'evalsha']);
    // Approval bookkeeping (abuse defenses) runs after the answer, in the background: let it
    // finish so that it is not counted as part of the status below.
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
    await store.update('ns', () => ({ result: 0, write: { value: '1', ttlMs: 60_000 } }));
    expect(calls.splice(0)).toEqual(['get', 'evalsha', 'eval']);
    await store.update('ns', () => ({ result: 0, write: { value: '2', ttlMs: 60_000 } }));
    expect(calls.splice(0)).toEqual(['get', 'evalsha']);
    expect(await store.get('ns')).toBe('2');
  });

  it('stays exact when separate processes (separate clients and stores) race on one key', async () => {
    const clients = Array.from({ length: 4 }, () => redisClient());
    const stores = clients.map((c) => redisStore({ client: c, prefix }));
    const inc = (raw: string | undefined) => {
      const n = raw === undefined ? 0 : Number(raw);
      return { result: n, write: { value: String(n + 1), ttlMs: 60_000 } };
    };
    const seen = await Promise.all(
      Array.from({ length: 200 }, (_, i) => stores[i % 4]!.update('race', inc)),
    );
    expect(await stores[0]!.get('race')).toBe('200');
    expect(new Set(seen).size).toBe(200);
    for (const c of clients) c.disconnect();
  });

  it('rejects with StoreConflictError once the retry budget is spent; the verifier says store_unavailable', async () => {
    const rival: RedisClientLike = {
      get: async () => null,
      evalsha: async () => [0], // someone else always got there first
      eval: async () => [0],
    };
    const store = redisStore({ client: rival, prefix, maxAttempts: 3 });
    let calls = 0;
    const attempt = store.update('k', () => {
      calls += 1;
      return { result: 0, write: { value: 'mine', ttlMs: 1_000 } };
    });
    await expect(attempt).rejects.toBeInstanceOf(StoreConflictError);
    expect(calls).toBe(3);
    const v = createVerifier({ secret, store, sender: outboxSender() });
    const r = await v.start({ phone: '+12133734253' });
    expect(r._unsafeUnwrapErr().code).toBe('store_unavailable');
  });

  it('a foreign or corrupted record under the prefix gives store_corrupt, not a crash', async () => {
    const store = redisStore({ client, prefix });
    const outbox = outboxSender();
    const v = createVerifier({ secret, store, sender: outbox });
    const s = (await v.start({ phone: '+12133734253' }))._unsafeUnwrap();
    const [, keys] = await client.scan('0', 'MATCH', `${prefix}*`, 'COUNT', 1000);
    const values = await Promise.all(keys.map((k) => client.get(k)));
    const key = keys[values.findIndex((x) => x?.includes(s.id))]!;
    expect(key).toBeDefined();
    for (const garbage of ['not json', '{"v":2}', '[]', '{"v":1,"sends":"x"}']) {
      await client.set(key, garbage, 'PX', 60_000);
      const c = await v.check({ id: s.id, code: outbox.last()!.code });
      expect(c._unsafeUnwrapErr().code).toBe('store_corrupt');
      expect((await v.status({ id: s.id }))._unsafeUnwrapErr().code).toBe('store_corrupt');
    }
    await client.del(key);
    await client.hset(key, 'field', 'value'); // another Redis type entirely
    expect((await v.check({ id: s.id, code: '123456' }))._unsafeUnwrapErr().code).toBe(
      'store_corrupt',
    );
    expect((await v.status({ id: s.id }))._unsafeUnwrapErr().code).toBe('store_corrupt');
    expect((await v.start({ phone: '+12133734253' }))._unsafeUnwrapErr().code).toBe(
      'store_corrupt',
    );
  });

  it('refuses a non-positive TTL without writing', async () => {
    const store = redisStore({ client, prefix });
    await expect(
      store.update('k', () => ({ result: 0, write: { value: 'x', ttlMs: 0 } })),
    ).rejects.toThrow(RangeError);
    expect(await store.get('k')).toBeUndefined();
  });
});
