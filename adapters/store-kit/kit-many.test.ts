/**
 * storeKit's N-key loop over a fake batched store (a versioned map with `readMany` and an
 * all-or-nothing `writeMany`): the command count warm and cold, all-or-nothing on a conflict,
 * a key read but not written still guards the decision, the retry budget and the locked
 * fallback over N keys, forgetting the keys after a throw, and no deadlock in the queue.
 */
import { describe, expect, it } from 'vitest';
import { type MultiTransition, StoreConflictError } from '../../src/ports/store';
import { storeKit } from './kit';
import type { ManyOutcome, StorePrimitives } from './primitives';

interface Row {
  readonly value: string;
  readonly version: number;
}

/** `interfere()` runs before each batched write (another writer). */
function fake(interfere?: () => void) {
  const rows = new Map<string, Row>();
  let version = 0;
  const calls: string[] = [];
  /** What each batched write expected, per key ('-': absent). */
  const expected: string[] = [];
  const put = (key: string, value: string) => {
    version += 1;
    rows.set(key, { value, version });
  };
  const primitives: StorePrimitives<Row> = {
    read: (key) => rows.get(key),
    async readMany(keys) {
      calls.push('readMany');
      return keys.map((k) => rows.get(k));
    },
    async writeMany(ops): Promise<ManyOutcome<Row>> {
      calls.push('writeMany');
      expected.push(ops.map((op) => op.expected?.value ?? '-').join(','));
      interfere?.();
      await Promise.resolve();
      const current = ops.map((op) => rows.get(op.key));
      if (ops.some((op, i) => current[i]?.version !== op.expected?.version)) {
        return { applied: false, current };
      }
      for (const { key, write } of ops) {
        if (write && 'delete' in write) rows.delete(key);
        else if (write) put(key, write.value);
      }
      return { applied: true, records: ops.map((op) => rows.get(op.key)) };
    },
  };
  return { rows, calls, expected, put, primitives };
}

/** Adds 1 to every key's counter. */
const bumpAll: MultiTransition<number[]> = (current) => {
  const next = current.map((raw) => Number(raw ?? 0) + 1);
  return { result: next, writes: next.map((n) => ({ value: String(n), ttlMs: 60_000 })) };
};

describe('storeKit, updateMany', () => {
  it('a cold key costs one batched read and one batched write; a warm one the write only', async () => {
    const f = fake();
    f.put('b', '4');
    const store = storeKit(f.primitives, { attempts: 4, cacheSize: 100 });
    expect(await store.updateMany(['a', 'b', 'c'], bumpAll)).toEqual([1, 5, 1]);
    // Guessed absent; the failed compare answered b's record (not a conflict): no read.
    expect(f.calls.splice(0)).toEqual(['writeMany', 'writeMany']);
    expect(await store.updateMany(['a', 'b', 'c'], bumpAll)).toEqual([2, 6, 2]);
    expect(f.calls.splice(0)).toEqual(['writeMany']);
    const uncached = storeKit(f.primitives, { attempts: 4, cacheSize: 0 });
    expect(await uncached.updateMany(['a', 'b'], bumpAll)).toEqual([3, 7]);
    expect(f.calls).toEqual(['readMany', 'writeMany']);
  });

  it('a conflict on one key writes none of them, and the transition runs again', async () => {
    let once = true;
    const f = fake(() => {
      if (once) f.put('b', '10');
      once = false;
    });
    const store = storeKit(f.primitives, { attempts: 4, cacheSize: 0 });
    expect(await store.updateMany(['a', 'b'], bumpAll)).toEqual([1, 11]);
    expect([f.rows.get('a')?.value, f.rows.get('b')?.value]).toEqual(['1', '11']);
    expect(f.calls).toEqual(['readMany', 'writeMany', 'writeMany']);
  });

  it('a key the transition read but left still guards its decision', async () => {
    let interfere = true;
    const f = fake(() => {
      if (interfere) f.put('budget', 'spent');
      interfere = false;
    });
    const store = storeKit(f.primitives, { attempts: 4, cacheSize: 0 });
    f.put('budget', 'open');
    const spendIfOpen: MultiTransition<string> = ([, budget]) =>
      budget === 'open'
        ? { result: 'sent', writes: [{ value: 'x', ttlMs: 1000 }] }
        : { result: 'refused' };
    expect(await store.updateMany(['phone', 'budget'], spendIfOpen)).toBe('refused');
    expect(f.rows.has('phone')).toBe(false);
  });

  it('rejects after `attempts` conflicts with nothing written, or takes exclusiveMany', async () => {
    const f = fake(() => f.put('b', '10'));
    const store = storeKit(f.primitives, { attempts: 3, cacheSize: 0 });
    await expect(store.updateMany(['a', 'b'], bumpAll)).rejects.toBeInstanceOf(StoreConflictError);
    expect(f.rows.has('a')).toBe(false);
    const locked: string[][] = [];
    const withLock = storeKit(
      {
        ...f.primitives,
        exclusiveMany<T>(keys: readonly string[], fn: MultiTransition<T>) {
          locked.push([...keys]);
          const { result, writes } = fn(keys.map((k) => f.rows.get(k)?.value));
          for (const [i, w] of (writes ?? []).entries())
            if (w && 'value' in w) f.put(keys[i]!, w.value);
          return { result };
        },
      },
      { attempts: 2, cacheSize: 0 },
    );
    expect(await withLock.updateMany(['a', 'b'], bumpAll)).toEqual([1, 11]);
    expect(locked).toEqual([['a', 'b']]);
  });

  it('a transition that throws writes nothing and forgets the keys it cached', async () => {
    const f = fake();
    const store = storeKit(f.primitives, { attempts: 4, cacheSize: 100 });
    await store.updateMany(['a', 'b'], bumpAll);
    f.calls.length = 0;
    const boom = new Error('boom');
    await expect(
      store.updateMany(['a', 'b'], () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect([f.rows.get('a')?.value, f.rows.get('b')?.value]).toEqual(['1', '1']);
    f.expected.length = 0;
    expect(await store.updateMany(['a', 'b'], bumpAll)).toEqual([2, 2]);
    expect(f.expected).toEqual(['-,-', '1,1']); // forgotten: guessed absent, then corrected
  });

  it('concurrent updates over overlapping keys, in any order, from two instances: exact', async () => {
    const f = fake();
    const [x, y] = [1, 2].map(() => storeKit(f.primitives, { attempts: 1000, cacheSize: 100 }));
    const sets = [['a', 'b'], ['b', 'a'], ['b', 'c'], ['c', 'a', 'b'], ['a']];
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? x! : y!).updateMany(sets[i % 5]!, bumpAll)),
    );
    const expected = { a: 32, b: 32, c: 16 };
    for (const [k, n] of Object.entries(expected)) expect(f.rows.get(k)?.value).toBe(String(n));
  });

  it('refuses repeated or no keys, and a one-key-only store refuses more than one', async () => {
    const f = fake();
    const store = storeKit(f.primitives);
    await expect(store.updateMany(['a', 'a'], bumpAll)).rejects.toThrow(TypeError);
    await expect(store.updateMany([], bumpAll)).rejects.toThrow(TypeError);
    const one = storeKit({ read: () => undefined, exclusive: (_k, fn) => fn(undefined) });
    await expect(one.updateMany(['a', 'b'], bumpAll)).rejects.toThrow(/exclusiveMany/);
    expect(await one.updateMany(['a'], bumpAll)).toEqual([1]);
  });
});
