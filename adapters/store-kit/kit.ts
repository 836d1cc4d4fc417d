/**
 * `storeKit`: the Store port built from a store's primitives (./primitives.ts), with the
 * machinery every store shares written once: the per-key queue, the last-value cache, the
 * compare-and-set loop with its backoff and retry budget, the locked fallback, read
 * coalescing, and forgetting a key on any failure.
 * @module
 */
import type { MultiTransition, Store, Transition } from '../../src/ports/store';
import { batched, distinctKeys, oneKey } from './batched';
import { LastSeen } from './last-seen';
import { updateOptimistic } from './optimistic';
import { intOption } from './options';
import type { KitOptions, StoredRecord, StorePrimitives } from './primitives';
import { coalescedReads, keyedSerial } from './queue';

/** Redis's defaults: 32 conflicting writes per update, 10 000 keys cached. */
const DEFAULTS: KitOptions = { attempts: 32, cacheSize: 10_000 };

/** The Store port over a store with only a locked read-modify-write (memory, SQLite). */
function lockedStore<R extends StoredRecord>(p: StorePrimitives<R>): Store {
  const exclusiveMany = batched(p).exclusiveMany!;
  const updateMany = async <T>(keys: readonly string[], fn: MultiTransition<T>): Promise<T> => {
    distinctKeys(keys);
    const done = exclusiveMany(keys, fn);
    return (done instanceof Promise ? await done : done).result;
  };
  const store: Store = {
    update: <T>(key: string, fn: Transition<T>) => updateMany([key], oneKey(fn)),
    updateMany,
    async get(key) {
      return (await p.read(key))?.value;
    },
  };
  if (p.time) store.time = p.time.bind(p);
  return store;
}

/**
 * Builds the Store port from `primitives` (see `StorePrimitives` for the three shapes).
 * `options` apply to a store with a conditional write (default: 32 attempts, 10 000 keys
 * cached). Throws a TypeError (misconfiguration) when the primitives have neither `write`
 * nor `exclusive`, or an option is out of range.
 *
 * With a conditional `write`:
 * - `update`: updates of one key from this process run one after another (so conflicts come
 *   only from other processes), each through the compare-and-set loop of ./optimistic.ts.
 *   An update that rejects (an outage, the retry budget spent, a transition that throws)
 *   forgets the key's cached record, so the next one starts from what the store holds.
 * - `get`: one read, never answered from the cache; concurrent `get`s of one key share a
 *   read that started after they were called; the answer refreshes the cache unless an
 *   update of this process learnt something newer meanwhile.
 */
export function storeKit<R extends StoredRecord>(
  primitives: StorePrimitives<R>,
  options: KitOptions = DEFAULTS,
): Store {
  const p = primitives;
  if (typeof p.write !== 'function' && typeof p.writeMany !== 'function') {
    if (typeof p.exclusive !== 'function' && typeof p.exclusiveMany !== 'function') {
      throw new TypeError('phoneproof: storeKit needs a `write` or an `exclusive` primitive.');
    }
    return lockedStore(p);
  }
  const write = p.write!.bind(p); // TODO(s17store): writeMany
  intOption(options.attempts, 'attempts', 1, 1000, 'storeKit');
  const cache = new LastSeen<R>(intOption(options.cacheSize, 'cacheSize', 0, 1e7, 'storeKit'));
  const o = {
    primitives: {
      read: (key: string) => p.read(key),
      write,
      ...(p.exclusive ? { exclusive: p.exclusive.bind(p) } : {}),
    },
    cache,
    attempts: options.attempts,
    name: options.name ?? '',
  };
  const apply = async <T>(key: string, fn: Transition<T>): Promise<T> => {
    try {
      return await updateOptimistic(o, key, fn);
    } catch (e) {
      cache.delete(key); // an outage, a conflict or a throwing transition: know nothing
      throw e;
    }
  };
  const serial = keyedSerial();
  const sharedRead = coalescedReads(async (key: string) => p.read(key));
  const store: Store = {
    update: (key, fn) => serial(key, () => apply(key, fn)),
    async updateMany(keys, fn) {
      distinctKeys(keys); // TODO(s17store): the N-key loop; one key for now
      if (keys.length !== 1) throw new TypeError('phoneproof: updateMany of N keys: not yet');
      return store.update(keys[0]!, (cur) => {
        const { result, writes } = fn([cur]);
        return writes?.[0] ? { result, write: writes[0] } : { result };
      });
    },
    async get(key) {
      const mark = cache.mark();
      const record = await sharedRead(key);
      cache.refresh(key, record, mark);
      return record?.value;
    },
  };
  if (p.time) store.time = p.time.bind(p);
  return store;
}
