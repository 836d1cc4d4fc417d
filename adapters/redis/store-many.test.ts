/**
 * `redisStore.updateMany` on a real Redis, counted through test/support/count-commands.ts:
 * what a batched update of several keys costs (commands and round trips) with a cold and a
 * warm cache, and the counter's own round-trip rule.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MultiTransition } from '../../src/ports/store';
import { clearPrefix, redisClient, runId, serviceAvailable } from '../../test/load/services';
import { countRedis } from '../../test/support/count-commands';
import { CAS_SCRIPT } from './script';
import { redisStore } from './store';

const up = await serviceAvailable('redis');

const bump: MultiTransition<number> = (current) => ({
  result: 0,
  writes: current.map((raw) => ({ value: String(Number(raw ?? 0) + 1), ttlMs: 60_000 })),
});

describe.skipIf(!up)('redisStore.updateMany: commands and round trips', () => {
  const prefix = `${runId('pp-many')}:`;
  let client: Redis;
  let admin: Redis;
  beforeAll(async () => {
    client = redisClient();
    admin = redisClient();
    await admin.script('LOAD', CAS_SCRIPT);
  });
  afterAll(async () => {
    await clearPrefix(admin, prefix);
    client.disconnect();
    admin.disconnect();
  });

  it('three keys: 1 command and 1 round trip when cached, 2 and 2 when not', async () => {
    const counter = countRedis(client);
    const store = redisStore({ client, prefix });
    const other = redisStore({ client: admin, prefix });
    const keys = ['phone:a', 'ip:b', 'pfx:c'];
    await client.ping();
    counter.take();
    await store.updateMany(keys, bump); // new keys, guessed absent
    expect(counter.take()).toEqual({ commands: ['evalsha'], roundTrips: 1 });
    await store.updateMany(keys, bump); // cached
    expect(counter.take()).toEqual({ commands: ['evalsha'], roundTrips: 1 });
    await other.updateMany(['ip:b'], bump); // another instance: the cache is stale on one key
    await store.updateMany(keys, bump); // the script answers the current values: no MGET
    expect(counter.take()).toEqual({ commands: ['evalsha', 'evalsha'], roundTrips: 2 });
    const cold = redisStore({ client, prefix, cacheSize: 0 });
    await cold.updateMany(keys, bump);
    expect(counter.take()).toEqual({ commands: ['evalsha', 'evalsha'], roundTrips: 2 });
    expect(await admin.mget(...keys.map((k) => store.redisKey(k)))).toEqual(['4', '5', '4']);
    await cold.updateMany(keys, (cur) => ({ result: cur })); // read only: the MGET
    expect(counter.take()).toEqual({ commands: ['evalsha'], roundTrips: 1 });
    counter.restore();
  });

  it('counts commands in flight together as one round trip', async () => {
    const counter = countRedis(client);
    counter.take();
    await Promise.all([client.get('x'), client.get('y')]);
    await client
      .pipeline([
        ['get', 'x'],
        ['get', 'y'],
      ])
      .exec();
    await client.get('z');
    expect(counter.take()).toEqual({
      commands: ['get', 'get', 'get', 'get', 'get'],
      roundTrips: 3,
    });
    counter.restore();
  });
  it('a key read but not written is compared too: a decision on a stale value does not land', async () => {
    const a = redisStore({ client, prefix });
    const b = redisStore({ client: admin, prefix });
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
  it('all or nothing: a TTL Redis refuses (past its expire range) leaves the other keys unwritten', async () => {
    // A finite TTL > 0 that SET ... PX refuses inside the script, after the SETs before it
    // ran (a Lua script is not rolled back): refused before anything is sent.
    const store = redisStore({ client, prefix });
    const keys = ['range:a', 'range:b'];
    await expect(
      store.updateMany(keys, () => ({
        result: 0,
        writes: [
          { value: 'a', ttlMs: 60_000 },
          { value: 'b', ttlMs: 1e19 },
        ],
      })),
    ).rejects.toThrow();
    expect([await store.get('range:a'), await store.get('range:b')]).toEqual([
      undefined,
      undefined,
    ]);
  });
});
