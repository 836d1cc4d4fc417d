/**
 * The Store port: keyed string records with a time to live and an atomic
 * read-modify-write, of one key (`update`) or of several at once (`updateMany`). All policy
 * lives in the transition passed to `update` or `updateMany`, so a store
 * holds none. A store adapter implements only its primitives (a versioned read, a
 * conditional write and/or a locked read-modify-write: `StorePrimitives` in
 * adapters/store-kit/primitives.ts) and `storeKit` builds this port from them, with the queue,
 * cache and retry loop every store shares; it is proven by `test/contract/store.ts`.
 * @module
 */

/** What a transition asks the store to do with the record it was shown. */
export type StoreWrite =
  /** Replace (or create) the record; it expires `ttlMs` milliseconds from now (> 0, <= 2^53 - 1). */
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

/** The outcome of a transition over several records: a result and one write per key. */
export interface MultiStoreTransition<T> {
  readonly result: T;
  /** `writes[i]` applies to `keys[i]`; `undefined` or omitted (or a short array): leave it. */
  readonly writes?: readonly (StoreWrite | undefined)[];
}

/**
 * A transition over several records: `current[i]` is the live value under `keys[i]`
 * (`undefined`: absent or expired). Pure and synchronous, like `Transition`.
 */
export type MultiTransition<T> = (
  current: readonly (string | undefined)[],
) => MultiStoreTransition<T>;

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
   * Atomically applies `fn` to the records under `keys` (distinct; a repeated key rejects
   * with a TypeError): the batched form of `update`, which is its one-key case, with the
   * same machinery in every store.
   *
   * - Atomicity across the keys: no other write to any of them happens between the values
   *   `fn` saw and its writes, and the writes land all together or not at all (a conflict on
   *   one key writes none of them, and `fn` runs again on the current values).
   * - `fn` is pure and synchronous and may run more than once; only the last run's writes
   *   land, and a run that throws writes nothing (the error propagates unchanged).
   * - TTL, durability, expiry and rejection rules are those of `update`, per key: each
   *   write's `ttlMs` applies to its own key; a rejection after a timeout or a lost
   *   connection may leave all of the writes landed or none, never some.
   * - Cost: one round trip when the store's cache knows the records or they are absent (a
   *   key it does not know is guessed absent: the conditional write alone), two otherwise
   *   (the failed compare answers the records, or without a cache a batched read, then the
   *   write); on a Redis Cluster, per hash slot (see docs/stores.md).
   */
  updateMany<T>(keys: readonly string[], fn: MultiTransition<T>): Promise<T>;

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
