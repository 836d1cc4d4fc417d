/**
 * `redisStore` on a real 3-master Redis Cluster (private, on spare ports), through an ioredis
 * `Cluster` client passed as it is: the contract suite, and a verifier whose records all
 * share the store's hash tag (one slot, so an operation's keys are written all or nothing);
 * and through node-redis v5's cluster client (`createCluster`): the contract suite.
 */
import { Cluster } from 'ioredis';
import { createCluster, type RedisClusterType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { storeContract } from '../../test/contract/store';
import { binariesAvailable, type PrivateCluster, startRedisCluster } from '../../test/load/servers';
import { runId } from '../../test/load/services';
import { redisStore } from './store';

const available = binariesAvailable('redis');
let cluster: PrivateCluster | undefined;

const connect = () => {
  const c = new Cluster(cluster!.nodes.slice(0, 1), {
    redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 5_000 },
  });
  c.on('error', () => {});
  return c;
};

/** Deletes every key with `prefix` on every master. */
async function clear(c: Cluster, prefix: string): Promise<number[]> {
  const perNode: number[] = [];
  for (const node of c.nodes('master')) {
    let n = 0;
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      n += keys.length;
      for (const k of keys) await node.del(k);
    } while (cursor !== '0');
    perNode.push(n);
  }
  return perNode;
}

describe.skipIf(!available)('redisStore on Redis Cluster', () => {
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(() => cluster?.dispose());

  storeContract('redis cluster', async () => {
    const c = connect();
    const prefix = `${runId('pp-cluster')}:`;
    return {
      store: redisStore({ client: c, prefix }),
      wait: (ms) => new Promise((r) => setTimeout(r, ms)),
      reset: async () => {
        await clear(c, prefix);
      },
      close: async () => {
        await clear(c, prefix);
        c.disconnect();
      },
    };
  });

  storeContract('redis cluster (node-redis createCluster)', async () => {
    const admin = connect();
    const c: RedisClusterType = createCluster({
      rootNodes: cluster!.nodes.slice(0, 1).map((n) => ({ url: `redis://${n.host}:${n.port}` })),
      defaults: { socket: { connectTimeout: 2_000 } },
    });
    c.on('error', () => {});
    await c.connect();
    const prefix = `${runId('pp-cluster-nr')}:`;
    return {
      store: redisStore({ client: c, prefix }),
      wait: (ms) => new Promise((r) => setTimeout(r, ms)),
      reset: async () => {
        await clear(admin, prefix);
      },
      close: async () => {
        await clear(admin, prefix);
        admin.disconnect();
        c.destroy();
      },
    };
  });

  it('node-redis createCluster: every record of the store lands in its one slot', async () => {
    const admin = connect();
    const c: RedisClusterType = createCluster({
      rootNodes: cluster!.nodes.slice(0, 1).map((n) => ({ url: `redis://${n.host}:${n.port}` })),
    });
    c.on('error', () => {});
    await c.connect();
    const prefix = `${runId('pp-cluster-nr')}:`;
    const store = redisStore({ client: c, prefix });
    for (let i = 0; i < 30; i += 1) {
      await store.update(`k${i}`, () => ({ result: 0, write: { value: `v${i}`, ttlMs: 60_000 } }));
      await store.update(`k${i}`, (v) => ({ result: 0, write: { value: `${v}+`, ttlMs: 60_000 } }));
    }
    for (let i = 0; i < 30; i += 1) expect(await admin.get(store.redisKey(`k${i}`))).toBe(`v${i}+`);
    expect(store.redisKey('k1')).toBe(`${prefix}{${prefix}}k1`);
    // Keys of different slots in one update: written together, all or nothing.
    const keys = ['phone:1', 'ip:2', 'pfx:3'];
    expect(
      await store.updateMany(keys, (cur) => ({
        result: cur,
        writes: keys.map((k) => ({ value: k, ttlMs: 60_000 })),
      })),
    ).toEqual([undefined, undefined, undefined]);
    expect(await admin.mget(...keys.map((k) => store.redisKey(k)))).toEqual(keys);
    expect(typeof (await store.time!())).toBe('number');
    const perNode = await clear(admin, prefix);
    expect(perNode.reduce((a, n) => a + n, 0)).toBe(33);
    expect(perNode.filter((n) => n > 0)).toHaveLength(1); // one slot: one node
    admin.disconnect();
    c.destroy();
  });

  it('durability: each write waits on the node that wrote it (no replicas here: refused)', async () => {
    const c = connect();
    const store = redisStore({
      client: c,
      prefix: `${runId('pp-cluster')}:`,
      durability: { replicas: 1, timeoutMs: 20 },
    });
    // Had WAIT gone to another node than the write, the connection check would refuse it as
    // such; here it ran beside the write and found no replica to count.
    const res = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        store.update(`k${i}`, () => ({ result: 0, write: { value: 'v', ttlMs: 60_000 } })),
      ),
    );
    expect(res.map((r) => r.status === 'rejected' && String(r.reason))).toEqual(
      Array(12).fill(expect.stringMatching(/reached 0 of 1 replicas/)),
    );
    c.disconnect();
  });

  it('serves a verifier, its records all in the slot of the store', async () => {
    const c = connect();
    const prefix = `${runId('pp-cluster')}:`;
    const outbox = outboxSender();
    const v = createVerifier({
      secret: 'cluster-secret-cluster-secret-cluster!',
      store: redisStore({ client: c, prefix }),
      sender: outbox,
      ...({ abuse: false } as object),
    });
    for (let i = 0; i < 30; i += 1) {
      const phone = `+1213373${String(4200 + i)}`;
      const s = (await v.start({ phone }))._unsafeUnwrap();
      expect(
        (
          await v.check({ id: s.id, code: '000000' === outbox.last()!.code ? '111111' : '000000' })
        )._unsafeUnwrapErr().code,
      ).toBe('code_mismatch');
      expect((await v.check({ id: s.id, code: outbox.last()!.code }))._unsafeUnwrap().phone).toBe(
        phone,
      );
    }
    const perNode = await clear(c, prefix);
    expect(perNode.reduce((a, n) => a + n, 0)).toBe(30);
    expect(perNode.filter((n) => n > 0)).toHaveLength(1);
    c.disconnect();
  });
});
