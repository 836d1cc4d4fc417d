/**
 * storeKit over fake primitives: the retry budget and the locked fallback, a failed guess
 * that does not spend the budget, a conflict that does not say what it found, forgetting a
 * key after an error, and the exclusive-only shape. The real stores run the contract suites.
 */
import { describe, expect, it } from 'vitest';
import { StoreConflictError, type Transition } from '../../src/ports/store';
import { storeKit } from './kit';
import type { StorePrimitives, WriteOutcome } from './primitives';

interface Row {
  readonly value: string;
  readonly version: number;
}

/** A versioned map; `interfere(key)` runs before each conditional write (another writer). */
function fake(options: { answerCurrent?: boolean; interfere?: (key: string) => void } = {}) {
  const rows = new Map<string, Row>();
  let version = 0;
  const calls: string[] = [];
  const put = (key: string, value: string) => {
    version += 1;
    const row = { value, version };
    rows.set(key, row);
    return row;
  };
  const primitives: StorePrimitives<Row> = {
    async read(key) {
      calls.push('read');
      return rows.get(key);
    },
    async write({ key, expected, write }): Promise<WriteOutcome<Row>> {
      calls.push('write');
      options.interfere?.(key);
      const now = rows.get(key);
      if (now?.version !== expected?.version) {
        return options.answerCurrent === false
          ? { applied: false }
          : { applied: false, current: now };
      }
      if ('delete' in write) {
        rows.delete(key);
        return { applied: true, record: undefined };
      }
      return { applied: true, record: put(key, write.value) };
    },
  };
  return { rows, calls, put, primitives };
}

const bump: Transition<number> = (raw) => {
  const n = Number(raw ?? 0) + 1;
  return { result: n, write: { value: String(n), ttlMs: 60_000 } };
};

describe('storeKit', () => {
  it('refuses primitives with neither a conditional write nor an exclusive path', () => {
    expect(() => storeKit({ read: () => undefined })).toThrow(/write.*exclusive/);
  });

  it('rejects with StoreConflictError after `attempts` conflicts, having written nothing of its own', async () => {
    const f = fake({ interfere: (key) => f.put(key, 'theirs') });
    const store = storeKit(f.primitives, { attempts: 3, cacheSize: 0 });
    await expect(store.update('k', bump)).rejects.toBeInstanceOf(StoreConflictError);
    expect(f.calls.filter((c) => c === 'write')).toHaveLength(3);
    expect(f.rows.get('k')?.value).toBe('theirs');
  });

  it('takes the exclusive path after `attempts` conflicts when the store has one', async () => {
    const f = fake({ interfere: (key) => f.put(key, '10') });
    const store = storeKit(
      {
        ...f.primitives,
        exclusive: async <T>(key: string, fn: Transition<T>) => {
          const { result, write } = fn(f.rows.get(key)?.value);
          const record = write && !('delete' in write) ? f.put(key, write.value) : undefined;
          return { result, record };
        },
      },
      { attempts: 2, cacheSize: 0 },
    );
    expect(await store.update('k', bump)).toBe(11);
    expect(f.rows.get('k')?.value).toBe('11');
  });

  it('a failed guess does not spend the budget: attempts 1 still updates a key written elsewhere', async () => {
    const f = fake();
    const store = storeKit(f.primitives, { attempts: 1, cacheSize: 100 });
    expect(await store.update('k', bump)).toBe(1); // guessed absent: 1 write, no read
    expect(f.calls.splice(0)).toEqual(['write']);
    f.put('k', '5'); // another instance wrote: the cached '1' is stale
    expect(await store.update('k', bump)).toBe(6);
    expect(f.calls.splice(0)).toEqual(['write', 'write']);
  });

  it('reads again after a conflict that does not say what it found', async () => {
    const f = fake({ answerCurrent: false });
    const store = storeKit(f.primitives, { attempts: 4, cacheSize: 100 });
    f.put('k', '7');
    expect(await store.update('k', bump)).toBe(8);
    expect(f.calls).toEqual(['write', 'read', 'write']);
  });

  it('forgets a key after an error, so the next update reads what the store holds', async () => {
    const f = fake();
    let fail = false;
    const write = f.primitives.write!;
    const store = storeKit(
      {
        ...f.primitives,
        async write(op) {
          const outcome = await write(op);
          if (fail) throw new Error('reply lost');
          return outcome;
        },
      },
      { attempts: 4, cacheSize: 100 },
    );
    await store.update('k', bump);
    fail = true;
    await expect(store.update('k', bump)).rejects.toThrow('reply lost'); // landed: '2'
    fail = false;
    f.calls.length = 0;
    expect(await store.update('k', (cur) => ({ result: cur }))).toBe('2');
    expect(f.calls).toEqual(['read']);
  });

  it('an exclusive-only store runs each update once through exclusive and reads for get', async () => {
    let value: string | undefined;
    let runs = 0;
    const store = storeKit({
      read: () => (value === undefined ? undefined : { value }),
      exclusive<T>(_key: string, fn: Transition<T>) {
        runs += 1;
        const { result, write } = fn(value);
        if (write) value = 'delete' in write ? undefined : write.value;
        return { result };
      },
    });
    expect(await store.update('k', bump)).toBe(1);
    expect(await store.update('k', bump)).toBe(2);
    expect(await store.get('k')).toBe('2');
    expect(runs).toBe(2);
  });
});
