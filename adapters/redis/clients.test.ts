/**
 * `redisStore` through each supported client against the real Redis: node-redis v5
 * (`createClient`, wrapped by ./client.ts) and iovalkey (an ioredis fork, used as it is) pass
 * the store contract and the verifier's exactness check, as ioredis does in store.test.ts.
 * node-redis's cluster client runs in cluster.test.ts; node-redis durability on a private
 * primary and replica here.
 */
import { Redis as Valkey } from 'iovalkey';
import {
  createClient,
  createClientPool,
  createCluster,
  createSentinel,
  type RedisClientPoolType,
  type RedisClientType,
  type RedisClusterType,
} from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../src/core/state';
import { storeContract } from '../../test/contract/store';
import { verifierContract } from '../../test/contract/verifier';
import { type ReplicatedRedis, startReplicated } from '../../test/load/replicas';
import { binariesAvailable } from '../../test/load/servers';
import {
  clearPrefix,
  REDIS_URL,
  redisClient,
  runId,
  serviceAvailable,
} from '../../test/load/services';
import {
  type NodeRedisClientLike,
  type RedisClientLike,
  type RedisStoreClient,
  redisStore,
  StoreDurabilityError,
} from './store';

const up = await serviceAvailable('redis');
const replicasAvailable = binariesAvailable('redis');

// Compile-time proof that the clients fit the option's type as they are.
const fits: [
  RedisClientType extends NodeRedisClientLike ? true : never,
  RedisClusterType extends NodeRedisClientLike ? true : never,
  RedisClientPoolType extends RedisStoreClient ? true : never,
  Valkey extends RedisClientLike ? true : never,
] = [true, true, true, true];
void fits;

const opened: Array<{ close(): unknown }> = [];
/** A connected node-redis v5 client, failing fast like the ioredis clients of the tests. */
async function nodeRedis(url = REDIS_URL): Promise<RedisClientType> {
  const c: RedisClientType = createClient({
    url,
    socket: { connectTimeout: 2_000, reconnectStrategy: (n) => Math.min(n * 50, 500) },
  });
  c.on('error', () => {});
  await c.connect();
  opened.push({ close: () => c.destroy() });
  return c;
}

function valkey(): Valkey {
  const c = new Valkey(REDIS_URL, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
  c.on('error', () => {});
  opened.push({ close: () => c.disconnect() });
  return c;
}

/** A contract harness: the store on `client`, cleaned up through an ioredis client. */
function harness(label: string, client: RedisStoreClient, cacheSize?: number) {
  const admin = redisClient();
  const prefix = `${runId(label)}:`;
  return {
    store: redisStore({ client, prefix, ...(cacheSize === undefined ? {} : { cacheSize }) }),
    wait: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
    reset: () => clearPrefix(admin, prefix),
    close: async () => {
      await clearPrefix(admin, prefix);
      admin.disconnect();
    },
  };
}

afterAll(async () => {
  for (const c of opened.splice(0)) await c.close();
});

describe.skipIf(!up)('redisStore with node-redis v5 (createClient)', () => {
  storeContract('node-redis', async () => harness('pp-noderedis', await nodeRedis()));
  storeContract('node-redis (cacheSize 0)', async () =>
    harness('pp-noderedis', await nodeRedis(), 0),
  );
  verifierContract(
    'node-redis',
    async () => redisStore({ client: await nodeRedis(), prefix: `${runId('pp-nr-v')}:` }),
    200,
  );

  it('reloads the script after the real NOSCRIPT error of node-redis', async () => {
    const c = await nodeRedis();
    // The error node-redis really throws for an unknown script (an ErrorReply).
    const noscript = await c.evalSha('0'.repeat(40), { keys: [], arguments: [] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(noscript)).toMatch(/^\w*Error: NOSCRIPT/);
    let evalShas = 0;
    let evals = 0;
    // Every method the store calls stays node-redis's own: only evalSha fails, with that error.
    const forgetful = Object.assign(Object.create(c) as RedisClientType, {
      evalSha: () => {
        evalShas += 1;
        return Promise.reject(noscript);
      },
      eval: (...a: Parameters<RedisClientType['eval']>) => {
        evals += 1;
        return c.eval(...a);
      },
    });
    const store = redisStore({ client: forgetful, prefix: `${runId('pp-nr-noscript')}:` });
    await store.update('k', () => ({ result: 0, write: { value: 'v', ttlMs: 60_000 } }));
    expect(await c.get(store.redisKey('k'))).toBe('v');
    expect([evalShas, evals]).toEqual([1, 1]);
  });

  it('a key of another Redis type gives CorruptRecordError; time() is the server clock', async () => {
    const c = await nodeRedis();
    const store = redisStore({ client: c, prefix: `${runId('pp-nr')}:` });
    await c.hSet(store.redisKey('h'), 'field', 'value');
    await expect(
      store.update('h', () => ({ result: 0, write: { value: 'v', ttlMs: 1_000 } })),
    ).rejects.toBeInstanceOf(CorruptRecordError);
    await c.del(store.redisKey('h'));
    const [s, us] = await c.sendCommand<[string, string]>(['TIME']);
    const server = Number(s) * 1000 + Number(us) / 1000;
    const t = await store.time!();
    expect(t).toBeGreaterThanOrEqual(server);
    expect(t - server).toBeLessThan(1_000);
  });

  it('refuses durability on a node-redis pool, cluster or Sentinel at construction, with why', async () => {
    const pool = createClientPool({ url: REDIS_URL });
    const cluster = createCluster({ rootNodes: [{ url: REDIS_URL }] });
    const sentinel = createSentinel({
      name: 'mymaster',
      sentinelRootNodes: [{ host: '127.0.0.1', port: 1 }],
    });
    for (const client of [pool, cluster, sentinel]) {
      expect(() => redisStore({ client })).not.toThrow();
      expect(() => redisStore({ client, durability: { replicas: 1, timeoutMs: 100 } })).toThrow(
        /durability.*createClient\(\)/,
      );
    }
  });
});

describe.skipIf(!up)('redisStore with iovalkey', () => {
  storeContract('iovalkey', async () => harness('pp-iovalkey', valkey()));
  verifierContract(
    'iovalkey',
    () => redisStore({ client: valkey(), prefix: `${runId('pp-iovalkey-v')}:` }),
    200,
  );
});

describe('redisStore client detection', () => {
  it('names the three supported clients when given something else', () => {
    for (const bad of [{}, { get: async () => null, eval: async () => null }, null, 'redis://']) {
      expect(() => redisStore({ client: bad as never })).toThrow(
        /ioredis or iovalkey client .*node-redis v5 client/,
      );
    }
  });
});

describe.skipIf(!replicasAvailable)('redisStore durability through node-redis', () => {
  let r: ReplicatedRedis;
  beforeAll(async () => {
    r = await startReplicated({ replicas: 1, delayMs: 150, sentinel: false });
  }, 30_000);
  afterAll(() => r?.dispose());

  it('resolves a write once the replica holds it; refuses it when no replica acknowledges', async () => {
    const primary = await nodeRedis(`redis://127.0.0.1:${r.primaryPort}`);
    const replica = await nodeRedis(`redis://127.0.0.1:${r.replicaPorts[0]}`);
    const prefix = `${runId('pp-nr-durable')}:`;
    const durable = redisStore({
      client: primary,
      prefix,
      durability: { replicas: 1, timeoutMs: 2_000 },
    });
    const plain = redisStore({ client: primary, prefix });
    await plain.update('a', () => ({ result: 0, write: { value: 'fast', ttlMs: 60_000 } }));
    expect(await replica.get(plain.redisKey('a'))).toBeNull(); // acknowledged, not replicated
    // Several at once: the first carries its WAIT, the others share the next one.
    await Promise.all(
      ['b', 'c', 'd'].map((k) =>
        durable.update(k, () => ({ result: 0, write: { value: k, ttlMs: 60_000 } })),
      ),
    );
    for (const k of ['b', 'c', 'd']) expect(await replica.get(durable.redisKey(k))).toBe(k);
    const hasty = redisStore({
      client: primary,
      prefix,
      durability: { replicas: 1, timeoutMs: 20 },
    });
    await expect(
      hasty.update('e', () => ({ result: 0, write: { value: 'e', ttlMs: 60_000 } })),
    ).rejects.toThrow(StoreDurabilityError);
    const greedy = redisStore({
      client: primary,
      prefix,
      durability: { replicas: 2, timeoutMs: 400 },
    });
    await expect(
      greedy.update('f', () => ({ result: 0, write: { value: 'f', ttlMs: 60_000 } })),
    ).rejects.toThrow(/reached 1 of 2 replicas/);
  });
});
