import { describe, expect, it } from 'vitest';
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

  it('refuses a non-positive TTL', async () => {
    const store = memoryStore();
    await expect(
      store.update('k', () => ({ result: 0, write: { value: 'x', ttlMs: 0 } })),
    ).rejects.toThrow(RangeError);
  });
});
