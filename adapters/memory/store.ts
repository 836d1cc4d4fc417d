/**
 * `memoryStore`: the Store port in process memory. One process only; for tests, demos and
 * single-instance apps.
 * @module
 */
import type { MultiTransition, Store } from '../../src/ports/store';
import { type StoredRecord, type StorePrimitives, storeKit, ttlMsOf } from '../store-kit';
import { MemoryRecords } from './records';

export interface MemoryStoreOptions {
  /** Clock, epoch ms (default `Date.now`); pass the verifier's clock in tests. */
  readonly now?: () => number;
}

/** A Store port in memory, with live-record introspection for tests and at-rest scans. */
export interface MemoryStore extends Store {
  /** Records held right now, including expired ones not yet reclaimed (not deleted ones). */
  size(): number;
  /**
   * Entries the store's Map holds, deleted records awaiting reclamation included (at most
   * a minute after their delete): what bounds its memory.
   */
  held(): number;
  /** Every record held (key and value), for at-rest scans in tests. */
  entries(): Array<[string, string]>;
  clear(): void;
}

/**
 * Creates an in-memory store: the store kit (adapters/store-kit) over an `exclusive` primitive
 * that runs the transition synchronously between one read and the writes of its keys, so it is atomic
 * within the process without locks or retries. Expired and deleted records are reclaimed as
 * ./records.ts describes.
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const now = options.now ?? Date.now;
  const records = new MemoryRecords();
  const primitives: StorePrimitives<StoredRecord> = {
    read(key) {
      const t = now();
      records.sweep(t);
      const value = records.live(key, t);
      return value === undefined ? undefined : { value };
    },
    exclusiveMany<T>(keys: readonly string[], fn: MultiTransition<T>) {
      const t = now();
      records.sweep(t);
      const current: (string | undefined)[] = [];
      for (let i = 0; i < keys.length; i += 1) current.push(records.live(keys[i]!, t));
      const { result, writes } = fn(current);
      if (writes === undefined) return { result };
      const ttls: number[] = []; // every TTL checked before any write: all or none
      for (let i = 0; i < keys.length; i += 1) {
        const w = writes[i];
        ttls.push(w && !('delete' in w) ? ttlMsOf(w) : 0);
      }
      for (let i = 0; i < keys.length; i += 1) {
        const write = writes[i];
        if (write && 'delete' in write) records.remove(keys[i]!, t);
        else if (write) records.set(keys[i]!, write.value, t + ttls[i]!);
      }
      return { result };
    },
  };
  return Object.assign(storeKit(primitives), {
    size: () => records.map.size - records.dead,
    held: () => records.map.size,
    entries: () => records.entries(),
    clear: () => records.clear(),
  });
}
