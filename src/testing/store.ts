/**
 * The Store port's contract suite. A store adapter's test file builds a harness and calls
 * `storeContract(vitest, name, make)`; a new store is done when it passes unchanged. The
 * repository's own stores run this very suite.
 * @module
 */
import type { Store } from '../ports/store';
import type { TestRunner } from './runner';
import { updateManyContract } from './store-many';

/** What the store suite needs from an adapter's test file. */
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

type Harness = () => StoreHarness;

function readsAndWrites({ it, expect }: TestRunner, h: Harness): void {
  it('get returns undefined for an absent key', async () => {
    expect(await h().store.get('absent')).toBeUndefined();
  });

  it('update shows undefined for an absent key and creates the record it writes', async () => {
    const seen: Array<string | undefined> = [];
    const r = await h().store.update('k1', (cur) => {
      seen.push(cur);
      return { result: 'made', write: { value: 'v1', ttlMs: 60_000 } };
    });
    expect(r).toBe('made');
    expect(seen.at(-1)).toBeUndefined();
    expect(await h().store.get('k1')).toBe('v1');
  });

  it('update shows the current value and replaces it', async () => {
    await h().store.update('k2', () => ({ result: 0, write: { value: 'first', ttlMs: 60_000 } }));
    const r = await h().store.update('k2', (cur) => ({
      result: cur,
      write: { value: `${cur}+second`, ttlMs: 60_000 },
    }));
    expect(r).toBe('first');
    expect(await h().store.get('k2')).toBe('first+second');
  });

  it('a transition without a write leaves the record as it was', async () => {
    const { store } = h();
    await store.update('k3', () => ({ result: 0, write: { value: 'keep', ttlMs: 60_000 } }));
    expect(await store.update('k3', (cur) => ({ result: `saw ${cur}` }))).toBe('saw keep');
    expect(await store.get('k3')).toBe('keep');
    expect(await store.update('never', () => ({ result: 1 }))).toBe(1);
    expect(await store.get('never')).toBeUndefined();
  });

  it('delete removes the record', async () => {
    const { store } = h();
    await store.update('k4', () => ({ result: 0, write: { value: 'x', ttlMs: 60_000 } }));
    await store.update('k4', () => ({ result: 0, write: { delete: true } }));
    expect(await store.get('k4')).toBeUndefined();
    expect(await store.update('k4', (cur) => ({ result: cur }))).toBeUndefined();
  });

  it('an error thrown by the transition propagates and nothing is written', async () => {
    const { store } = h();
    await store.update('k5', () => ({ result: 0, write: { value: 'before', ttlMs: 60_000 } }));
    const boom = new Error('transition failed');
    await expect(
      store.update('k5', () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await store.get('k5')).toBe('before');
  });
}

function expiryAndValues({ it, expect }: TestRunner, h: Harness): void {
  it('a record is gone once its TTL has passed, for get and for update', async () => {
    const { store } = h();
    await store.update('ttl', () => ({ result: 0, write: { value: 'short', ttlMs: 300 } }));
    expect(await store.get('ttl')).toBe('short');
    await h().wait(800);
    expect(await store.get('ttl')).toBeUndefined();
    expect(await store.update('ttl', (cur) => ({ result: cur }))).toBeUndefined();
  });

  it('every write replaces the TTL', async () => {
    const { store } = h();
    await store.update('ttl2', () => ({ result: 0, write: { value: 'a', ttlMs: 60_000 } }));
    await store.update('ttl2', () => ({ result: 0, write: { value: 'b', ttlMs: 300 } }));
    await h().wait(800);
    expect(await store.get('ttl2')).toBeUndefined();
    await store.update('ttl2', () => ({ result: 0, write: { value: 'c', ttlMs: 300 } }));
    await store.update('ttl2', () => ({ result: 0, write: { value: 'd', ttlMs: 60_000 } }));
    await h().wait(800);
    expect(await store.get('ttl2')).toBe('d');
  });

  it('keys are independent, including keys with separators and unicode', async () => {
    const { store } = h();
    const keys = ['phone:abc', 'phone:abd', 'sig:a/b:c', 'x{y}z', 'ключ', 'a'.repeat(200)];
    for (const [i, k] of keys.entries()) {
      await store.update(k, () => ({ result: 0, write: { value: `v${i}`, ttlMs: 60_000 } }));
    }
    for (const [i, k] of keys.entries()) expect(await store.get(k)).toBe(`v${i}`);
  });

  it('values round-trip exactly, including large and non-ASCII ones', async () => {
    const { store } = h();
    const big = JSON.stringify({ s: 'é•☎\u0000"\\'.repeat(1000), n: [1, 2, 3] });
    await store.update('big', () => ({ result: 0, write: { value: big, ttlMs: 60_000 } }));
    expect(await store.get('big')).toBe(big);
  });
}

function concurrency({ it, expect }: TestRunner, h: Harness): void {
  it('concurrent updates on one key lose nothing and each sees a distinct value', async () => {
    const { store } = h();
    const n = 200;
    const results = await Promise.all(
      Array.from({ length: n }, () => store.update('counter', increment)),
    );
    expect(await store.get('counter')).toBe(String(n));
    expect(new Set(results).size).toBe(n);
    expect(Math.min(...results)).toBe(0);
    expect(Math.max(...results)).toBe(n - 1);
  });

  it('concurrent guarded updates never exceed the guard (check-and-increment)', async () => {
    const { store } = h();
    const limit = 5;
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, () =>
        store.update('guard', (raw) => {
          const n = raw === undefined ? 0 : Number(raw);
          if (n >= limit) return { result: false };
          return { result: true, write: { value: String(n + 1), ttlMs: 60_000 } };
        }),
      ),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(limit);
    expect(await store.get('guard')).toBe(String(limit));
  });

  it('concurrent updates on different keys do not interfere', async () => {
    const { store } = h();
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => store.update(`multi:${i % 10}`, increment)),
    );
    for (let i = 0; i < 10; i += 1) expect(await store.get(`multi:${i}`)).toBe('10');
  });
}

/**
 * Registers the Store contract: reads and writes, transitions without a write, thrown
 * errors, TTL expiry and replacement, key independence, exact values, atomicity under
 * concurrent updates (no lost update, no guard exceeded), and `updateMany` (./store-many.ts:
 * all or nothing across keys, per-key TTL, atomic across overlapping concurrent batches). `make` is called once; the
 * harness is reset before each test and closed at the end.
 */
export function storeContract(
  runner: TestRunner,
  name: string,
  make: () => Promise<StoreHarness>,
): void {
  runner.describe(`Store contract: ${name}`, () => {
    let harness: StoreHarness | undefined;
    const h = (): StoreHarness => {
      if (!harness) throw new Error('the store harness was not made (beforeAll failed)');
      return harness;
    };
    runner.beforeAll(async () => {
      harness = await make();
    });
    runner.beforeEach(() => h().reset());
    runner.afterAll(() => harness?.close());
    readsAndWrites(runner, h);
    expiryAndValues(runner, h);
    concurrency(runner, h);
    updateManyContract(runner, h);
  });
}
