/**
 * The Store port: keyed string records with a time to live and an atomic
 * read-modify-write. All policy lives in the transition passed to `update`, so a store
 * holds none. A store adapter implements only its primitives (a versioned read, a
 * conditional write and/or a locked read-modify-write: `StorePrimitives` in
 * adapters/store-kit/primitives.ts) and `storeKit` builds this port from them, with the queue,
 * cache and retry loop every store shares; it is proven by `test/contract/store.ts`.
 * @module
 */

/** What a transition asks the store to do with the record it was shown. */
export type StoreWrite =
  /** Replace (or create) the record; it expires `ttlMs` milliseconds from now (> 0). */
  | { readonly value: string; readonly ttlMs: number }
  /** Remove the record. */
  | { readonly delete: true };

/** The outcome of a transition: a result for the caller and an optional write. */
export interface StoreTransition<T> {
  readonly result: T;
  /** Omitted: leave the record as it was (a read-only decision). */
  readonly write?: StoreWrite;
}

/**
 * A transition over one record. It must be pure and synchronous: the store may call it
 * more than once (each call sees the latest value; only the last call's write lands), and
 * its write must depend only on `current`.
 */
export type Transition<T> = (current: string | undefined) => StoreTransition<T>;

export interface Store {
  /**
   * Atomically applies `fn` to the record under `key`.
   *
   * - Atomicity: linearizable per key. When `fn` returns a write, no other write to `key`
   *   happens between the read `fn` saw and that write: a store detects the conflict
   *   (compare-and-set, row version) and calls `fn` again with the new value. When `fn`
   *   returns no write, the result is that of the value read at that moment.
   * - `current` is `undefined` when the record is absent or its TTL has passed; expired
   *   records are never shown.
   * - TTL: `ttlMs` is in milliseconds, relative to the store's clock, and replaces any earlier
   *   TTL on every write.
   * - Resolves with `fn`'s result once its write (if any) is applied and acknowledged at
   *   the durability the store offers, never before. That level is the store's own and each
   *   adapter documents it (docs/stores.md): `memoryStore` in process memory; `redisStore`
   *   applied on the primary in memory (a failover loses the writes within the replication
   *   lag), or, with its `durability` option, also acknowledged by that many replicas;
   *   `postgresStore` committed on the primary (replicas per the server's synchronous
   *   replication settings). Limits are exact across a failover only if every resolved
   *   write survives it.
   * - Rejects (with the driver's error) when the store cannot be reached, the conflict does
   *   not resolve within the store's retry budget, or the write was not acknowledged at the
   *   configured durability. After a conflict nothing is written; after a timeout, a lost
   *   connection or a failed durability wait the write may or may not have landed. Either
   *   way the verifier turns a rejection into `store_unavailable` and approves nothing on
   *   it. Errors thrown by `fn` propagate unchanged and nothing is written.
   */
  update<T>(key: string, fn: Transition<T>): Promise<T>;

  /**
   * Reads the record under `key`: `undefined` when absent or expired. One round trip.
   * Rejects when the store cannot be reached.
   */
  get(key: string): Promise<string | undefined>;

  /**
   * Optional: the store's clock, epoch milliseconds (Redis `TIME`, PostgreSQL
   * `clock_timestamp()`). A store shared by several instances should have it: a verifier
   * without an injected `now` then decides on this clock (see docs/clocks.md), so instances
   * agree whatever their own clocks say. Rejects when the store cannot be reached.
   */
  time?(): Promise<number>;
}

/**
 * Rejection of an `update` whose write conflicts did not resolve within the store's retry
 * budget. Nothing was written; the verifier reports `store_unavailable`.
 */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}
