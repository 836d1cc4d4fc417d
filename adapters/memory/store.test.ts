import { describe, expect, it, vi } from 'vitest';
import { storeContract } from '../../test/contract/store';
import { memoryStore } from './store';

let clock = 0;
storeContract('memory', async () => {
  const store = memoryStore({ now: () => clock });
  return {
    store,
    wait: async (ms) => {
      clock += ms;
    },
    reset: async () => store.clear(),
    close: async () => {},
  };
});

describe('memoryStore reclamation', () => {
  it('stays bounded under a stream of abandoned records', async () => {
    let t = 0;
    const store = memoryStore({ now: () => t });
    for (let i = 0; i < 50_000; i += 1) {
      t += 10;
      await store.update(`abandoned:${i}`, () => ({
        result: 0,
        write: { value: 'x', ttlMs: 1_000 },
      }));
    }
    // Only the records of the last second are alive: 1000 ms / 10 ms each.
    expect(store.size()).toBeLessThanOrEqual(100);
  });

  it('reclaims deleted records within a minute, whatever their lifetime was', async () => {
    let t = 0;
    const store = memoryStore({ now: () => t });
    for (let i = 0; i < 20_000; i += 1) {
      await store.update(`d${i}`, () => ({ result: 0, write: { value: 'x', ttlMs: 3_600_000 } }));
      await store.update(`d${i}`, () => ({ result: 0, write: { delete: true } }));
    }
    expect(store.size()).toBe(0);
    t = 120_000;
    await store.get('unrelated');
    expect(store.held()).toBe(0);
  });

  it('reclaims expired records without being asked for them', async () => {
    let t = 0;
    const store = memoryStore({ now: () => t });
    for (let i = 0; i < 100; i += 1) {
      await store.update(`k${i}`, () => ({ result: 0, write: { value: 'x', ttlMs: 100 } }));
    }
    t = 1_000;
    await store.get('unrelated');
    expect(store.entries()).toHaveLength(0);
  });

  it('reclaims rewritten records at their last expiry, extended or shortened', async () => {
    let t = 0;
    const store = memoryStore({ now: () => t });
    const write = (key: string, ttlMs: number) =>
      store.update(key, () => ({ result: 0, write: { value: `v${t}`, ttlMs } }));
    // Extended many times: queued once, requeued when its first expiry passes.
    for (let i = 0; i < 50; i += 1) {
      t += 10;
      await write('extended', 100);
    }
    // Shortened: from 10 s down to 50 ms.
    await write('shortened', 10_000);
    await write('shortened', 50);
    t += 60; // 'shortened' expired, 'extended' (until t + 40) still live
    await store.get('unrelated');
    expect(store.entries().map(([k]) => k)).toEqual(['extended']);
    expect(await store.get('extended')).toBe('v500');
    t += 50;
    await store.get('unrelated');
    expect(store.size()).toBe(0);
  });

  it('refuses a non-positive TTL', async () => {
    const store = memoryStore();
    await expect(
      store.update('k', () => ({ result: 0, write: { value: 'x', ttlMs: 0 } })),
    ).rejects.toThrow(RangeError);
  });
});

describe('memoryStore deletes', () => {
  it('does not remove a Map entry on each delete of a key written again and again', async () => {
    // V8 keeps a removed Map entry in its key's hash chain until the table is rebuilt: a key
    // deleted and rewritten in a loop would make each lookup of it walk every earlier removal.
    let t = 0;
    const store = memoryStore({ now: () => t });
    const removals = vi.spyOn(Map.prototype, 'delete');
    try {
      for (let i = 0; i < 1_000; i += 1) {
        t += 1;
        await store.update('hot', () => ({ result: 0, write: { value: `v${i}`, ttlMs: 60_000 } }));
        await store.update('hot', () => ({ result: 0, write: { delete: true } }));
      }
      expect(removals.mock.calls.length).toBeLessThan(10);
    } finally {
      removals.mockRestore();
    }
  });

  it('hides a deleted record at once and reclaims it by its old expiry', async () => {
    let t = 0;
    const store = memoryStore({ now: () => t });
    await store.update('a', () => ({ result: 0, write: { value: 'x', ttlMs: 1_000 } }));
    await store.update('b', () => ({ result: 0, write: { value: 'y', ttlMs: 1_000 } }));
    await store.update('a', () => ({ result: 0, write: { delete: true } }));
    expect(await store.get('a')).toBeUndefined();
    expect(await store.update('a', (cur) => ({ result: cur }))).toBeUndefined();
    expect(store.size()).toBe(1);
    expect(store.entries()).toEqual([['b', 'y']]);
    // Written again: live again, counted once.
    await store.update('a', () => ({ result: 0, write: { value: 'z', ttlMs: 5_000 } }));
    expect(store.size()).toBe(2);
    await store.update('a', () => ({ result: 0, write: { delete: true } }));
    await store.update('a', () => ({ result: 0, write: { delete: true } }));
    expect(store.size()).toBe(1);
    t = 6_000;
    await store.get('unrelated');
    expect(store.size()).toBe(0);
    expect(store.entries()).toEqual([]);
  });
});
