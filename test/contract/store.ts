/**
 * The Store port's contract suite. Every store adapter's test file calls `storeContract`
 * with a factory; a new adapter is done when it passes unchanged.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/ports/store';

export interface StoreHarness {
  readonly store: Store;
  /** Lets `ms` milliseconds pass on the store's clock (real sleep or a fake clock). */
  wait(ms: number): Promise<void>;
  /** Removes every record the suite wrote (called before each test). */
  reset(): Promise<void>;
  /** Releases connections (called once at the end). */
  close(): Promise<void>;
}

const increment = (raw: string | undefined) => {
  const n = raw === undefined ? 0 : Number(raw);
  return { result: n, write: { value: String(n + 1), ttlMs: 60_000 } };
};

export function storeContract(name: string, make: () => Promise<StoreHarness>): void {
  describe(`Store contract: ${name}`, () => {
    let h: StoreHarness;
    beforeAll(async () => {
      h = await make();
    });
    beforeEach(async () => {
      await h.reset();
    });
    afterAll(async () => {
      await h.close();
    });

    it('get returns undefined for an absent key', async () => {
      expect(await h.store.get('absent')).toBeUndefined();
    });

    it('update shows undefined for an absent key and creates the record it writes', async () => {
      const seen: Array<string | undefined> = [];
      const r = await h.store.update('k1', (cur) => {
        seen.push(cur);
        return { result: 'made', write: { value: 'v1', ttlMs: 60_000 } };
      });
      expect(r).toBe('made');
      expect(seen.at(-1)).toBeUndefined();
      expect(await h.store.get('k1')).toBe('v1');
    });

    it('update shows the current value and replaces it', async () => {
      await h.store.update('k2', () => ({ result: 0, write: { value: 'first', ttlMs: 60_000 } }));
      const r = await h.store.update('k2', (cur) => ({
        result: cur,
        write: { value: `${cur}+second`, ttlMs: 60_000 },
      }));
      expect(r).toBe('first');
      expect(await h.store.get('k2')).toBe('first+second');
    });

    it('a transition without a write leaves the record as it was', async () => {
      await h.store.update('k3', () => ({ result: 0, write: { value: 'keep', ttlMs: 60_000 } }));
      expect(await h.store.update('k3', (cur) => ({ result: `saw ${cur}` }))).toBe('saw keep');
      expect(await h.store.get('k3')).toBe('keep');
      expect(await h.store.update('never', () => ({ result: 1 }))).toBe(1);
      expect(await h.store.get('never')).toBeUndefined();
    });

    it('delete removes the record', async () => {
      await h.store.update('k4', () => ({ result: 0, write: { value: 'x', ttlMs: 60_000 } }));
      await h.store.update('k4', () => ({ result: 0, write: { delete: true } }));
      expect(await h.store.get('k4')).toBeUndefined();
      expect(await h.store.update('k4', (cur) => ({ result: cur }))).toBeUndefined();
    });

    it('a record is gone once its TTL has passed, for get and for update', async () => {
      await h.store.update('ttl', () => ({ result: 0, write: { value: 'short', ttlMs: 300 } }));
      expect(await h.store.get('ttl')).toBe('short');
      await h.wait(800);
      expect(await h.store.get('ttl')).toBeUndefined();
      expect(await h.store.update('ttl', (cur) => ({ result: cur }))).toBeUndefined();
    });

    it('every write replaces the TTL', async () => {
      await h.store.update('ttl2', () => ({ result: 0, write: { value: 'a', ttlMs: 60_000 } }));
      await h.store.update('ttl2', () => ({ result: 0, write: { value: 'b', ttlMs: 300 } }));
      await h.wait(800);
      expect(await h.store.get('ttl2')).toBeUndefined();
      await h.store.update('ttl2', () => ({ result: 0, write: { value: 'c', ttlMs: 300 } }));
      await h.store.update('ttl2', () => ({ result: 0, write: { value: 'd', ttlMs: 60_000 } }));
      await h.wait(800);
      expect(await h.store.get('ttl2')).toBe('d');
    });

    it('an error thrown by the transition propagates and nothing is written', async () => {
      await h.store.update('k5', () => ({ result: 0, write: { value: 'before', ttlMs: 60_000 } }));
      const boom = new Error('transition failed');
      await expect(
        h.store.update('k5', () => {
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await h.store.get('k5')).toBe('before');
    });

    it('keys are independent, including keys with separators and unicode', async () => {
      const keys = ['phone:abc', 'phone:abd', 'sig:a/b:c', 'x{y}z', 'ключ', 'a'.repeat(200)];
      for (const [i, k] of keys.entries()) {
        await h.store.update(k, () => ({ result: 0, write: { value: `v${i}`, ttlMs: 60_000 } }));
      }
      for (const [i, k] of keys.entries()) expect(await h.store.get(k)).toBe(`v${i}`);
    });

    it('values round-trip exactly, including large and non-ASCII ones', async () => {
      const big = JSON.stringify({ s: 'é•☎\u0000"\\'.repeat(1000), n: [1, 2, 3] });
      await h.store.update('big', () => ({ result: 0, write: { value: big, ttlMs: 60_000 } }));
      expect(await h.store.get('big')).toBe(big);
    });

    it('concurrent updates on one key lose nothing and each sees a distinct value', async () => {
      const n = 200;
      const results = await Promise.all(
        Array.from({ length: n }, () => h.store.update('counter', increment)),
      );
      expect(await h.store.get('counter')).toBe(String(n));
      expect(new Set(results).size).toBe(n);
      expect(Math.min(...results)).toBe(0);
      expect(Math.max(...results)).toBe(n - 1);
    });

    it('concurrent guarded updates never exceed the guard (check-and-increment)', async () => {
      const limit = 5;
      const outcomes = await Promise.all(
        Array.from({ length: 300 }, () =>
          h.store.update('guard', (raw) => {
            const n = raw === undefined ? 0 : Number(raw);
            if (n >= limit) return { result: false };
            return { result: true, write: { value: String(n + 1), ttlMs: 60_000 } };
          }),
        ),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(limit);
      expect(await h.store.get('guard')).toBe(String(limit));
    });

    it('concurrent updates on different keys do not interfere', async () => {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => h.store.update(`multi:${i % 10}`, increment)),
      );
      for (let i = 0; i < 10; i += 1) expect(await h.store.get(`multi:${i}`)).toBe('10');
    });
  });
}
