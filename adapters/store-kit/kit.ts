/**
 * `storeKit`: the Store port built from a store's primitives (./primitives.ts), with the
 * machinery every store shares written once: the per-key queue, the last-value cache, the
 * compare-and-set loop over N keys with its backoff and retry budget, the locked fallback,
 * read coalescing, and forgetting the keys on any failure. `update` is `updateMany` of one key.
 * @module
 */
import type { MultiTransition, Store, Transition } from '../../src/ports/store';
import { type Batched, batched, distinctKeys, oneKey } from './batched';
import { groupCommit } from './group';
import { LastSeen } from './last-seen';
import { updateOptimistic } from './optimistic';
import { intOption } from './options';
import type { KitOptions, StoredRecord, StorePrimitives } from './primitives';
import { coalescedReads } from './queue';

/** Redis's defaults: 32 conflicting writes per update, 10 000 keys cached. */
const DEFAULTS: KitOptions = { attempts: 32, cacheSize: 10_000 };

type UpdateMany = Store['updateMany'];

/** The port's two updates, over `updateMany` (which checks its keys first). */
function updates(many: UpdateMany): Pick<Store, 'update' | 'updateMany'> {
  const updateMany: UpdateMany = (keys, fn) => {
    try {
      distinctKeys(keys);
    } catch (e) {
      return Promise.reject(e);
    }
    return many(keys, fn);
  };
  return {
    update: <T>(key: string, fn: Transition<T>) => many([key], oneKey(fn)), // one key: distinct
    updateMany,
  };
}

/** Updates over a store with only a locked read-modify-write (memory, SQLite). */
function locked<R extends StoredRecord>(b: Batched<R>): UpdateMany {
  const exclusiveMany = b.exclusiveMany!;
  return async <T>(keys: readonly string[], fn: MultiTransition<T>): Promise<T> => {
    const done = exclusiveMany(keys, fn);
    return (done instanceof Promise ? await done : done).result;
  };
}

/**
 * Updates over a store with a conditional write: queued per key and committed in groups
 * (./group.ts), cached, optimistic.
 */
function optimistic<R extends StoredRecord>(
  b: Batched<R>,
  cache: LastSeen<R>,
  options: KitOptions,
): UpdateMany {
  const o = {
    primitives: { ...b, writeMany: b.writeMany! },
    cache,
    attempts: options.attempts,
    name: options.name ?? '',
  };
  return groupCommit(async (keys, fn) => {
    try {
      return await updateOptimistic(o, keys, fn);
    } catch (e) {
      for (const key of keys) cache.delete(key); // an outage, a conflict, a throw: know nothing
      throw e;
    }
  });
}

/**
 * Builds the Store port from `primitives` (see `StorePrimitives` for the three shapes).
 * `options` apply to a store with a conditional write (default: 32 attempts, 10 000 keys
 * cached). Throws a TypeError (misconfiguration) when the primitives have neither a
 * conditional write nor an exclusive path, or an option is out of range.
 *
 * With a conditional write (`writeMany`, or `write` for one key):
 * - `update` / `updateMany`: updates touching a key from this process run one after another
 *   (so conflicts come only from other processes), each through the compare-and-set loop
 *   of ./optimistic.ts; those that queued behind a busy key run, when it frees, together as
 *   one update of the union of their keys (group commit, ./group.ts: one conditional write
 *   for up to 64 callers, each answered with its own result). An update that rejects (an
 *   outage, the retry budget spent, a transition that throws) forgets its keys' cached
 *   records, so the next one starts from what the store holds.
 * - `get`: one read, never answered from the cache; concurrent `get`s of one key share a
 *   read that started after they were called; the answer refreshes the cache unless an
 *   update of this process learnt something newer meanwhile.
 */
export function storeKit<R extends StoredRecord>(
  primitives: StorePrimitives<R>,
  options: KitOptions = DEFAULTS,
): Store {
  const p = primitives;
  const b = batched(p);
  if (!b.writeMany && !b.exclusiveMany) {
    throw new TypeError('phoneproof: storeKit needs a `write` or an `exclusive` primitive.');
  }
  let store: Store;
  if (b.writeMany) {
    intOption(options.attempts, 'attempts', 1, 1000, 'storeKit');
    const cache = new LastSeen<R>(intOption(options.cacheSize, 'cacheSize', 0, 1e7, 'storeKit'));
    const sharedRead = coalescedReads(async (key: string) => p.read(key));
    store = {
      ...updates(optimistic(b, cache, options)),
      async get(key) {
        const mark = cache.mark();
        const record = await sharedRead(key);
        cache.refresh(key, record, mark);
        return record?.value;
      },
    };
  } else {
    store = { ...updates(locked(b)), get: async (key) => (await p.read(key))?.value };
  }
  if (p.time) store.time = p.time.bind(p);
  return store;
}
