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
import { type RedisClientLike, redisStore, StoreConflictError } from './store';

const up = await serviceAvailable('redis');

// Compile-time proof that ioredis clients fit the structural type as they are.
const fits: [
  Redis extends RedisClientLike ? true : never,
  Cluster extends RedisClientLike ? true : never,
] = [true, true];
void fits;
const secret = 'redis-test-secret-redis-test-secret!';

/** Every key under `prefix` (all SCAN pages: the shared server holds many other keys). */
async function keysOf(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, page] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...page);
  } while (cursor !== '0');
  return keys;
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
  storeContract('redis (cacheSize 0)', async () =>
    redisHarness('pp-contract', (client, prefix) => redisStore({ client, prefix, cacheSize: 0 })),
  );

  storeModelTest(
    'redis',
    () => redisStore({ client, prefix }),
    () => clearPrefix(client, prefix),
  );
  storeModelTest(
    'redis (cacheSize 0)',
    () => redisStore({ client, prefix, cacheSize: 0 }),
    () => clearPrefix(client, prefix),
  );

  it('accepts an ioredis client as it is (structural type) and refuses misconfiguration', () => {
    expect(redisStore({ client }).prefix).toBe('phoneproof:');
    expect(() => redisStore({ client: {} as RedisClientLike })).toThrow(
      /ioredis or iovalkey client .*node-redis v5/,
    );
    expect(() => redisStore({ client, prefix: 'a{b}:' })).toThrow(/prefix/);
    expect(() => redisStore({ client, maxAttempts: 0 })).toThrow(/maxAttempts/);
    for (const bad of [-1, 1.5, Number.NaN, 1e8, '10' as unknown as number]) {
      expect(() => redisStore({ client, cacheSize: bad })).toThrow(/cacheSize/);
    }
    expect(() => redisStore({ client, cacheSize: 0 })).not.toThrow();
    expect(() => redisStore(undefined as never)).toThrow(/options/);
  });

  it('stores a record under prefix{key} on one server', async () => {
    const store = redisStore({ client, prefix });
    await store.update('phone:abc', () => ({ result: 0, write: { value: 'v', ttlMs: 60_000 } }));
    expect(store.redisKey('phone:abc')).toBe(`${prefix}{phone:abc}`);
    expect(await client.get(`${prefix}{phone:abc}`)).toBe('v');
    const ttl = await client.pttl(`${prefix}{phone:abc}`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    const keys = await keysOf(client, prefix);
    expect(keys).toEqual([`${prefix}{phone:abc}`]);
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
    let calls = 0; // the first run is on the guess "absent": a failed guess is not an attempt
    const attempt = store.update('k', () => {
      calls += 1;
      return { result: 0, write: { value: 'mine', ttlMs: 1_000 } };
    });
    await expect(attempt).rejects.toBeInstanceOf(StoreConflictError);
    expect(calls).toBe(4);
    const v = createVerifier({ secret, store, sender: outboxSender() });
    const r = await v.start({ phone: '+12133734253' });
    expect(r._unsafeUnwrapErr().code).toBe('store_unavailable');
  });

  it('a foreign or corrupted record under the prefix gives store_corrupt, not a crash', async () => {
    const store = redisStore({ client, prefix });
    const outbox = outboxSender();
    const v = createVerifier({ secret, store, sender: outbox });
    const s = (await v.start({ phone: '+12133734253' }))._unsafeUnwrap();
    const keys = await keysOf(client, prefix);
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
