/**
 * What a store implements for the store kit: its primitives (`StorePrimitives`): a read
 * that answers a record with whatever its conditional write compares, a conditional write, a
 * locked read-modify-write, or both of the last two. `storeKit` (./kit.ts) builds the Store
 * port from them. Each primitive has a batched form (`readMany`, `writeMany`,
 * `exclusiveMany`: N keys read in one round trip, one all-or-nothing conditional write of N
 * keys, one locked read-modify-write of N keys), which takes arrays of the same requests and
 * answers arrays of the same outcomes; the kit runs `update` and `updateMany` through the
 * batched forms, adapting a one-key primitive as the one-key case.
 * @module
 */
import type { MultiTransition, StoreWrite, Transition } from '../../src/ports/store';

/** A value, or a promise of it (synchronous drivers answer at once). */
export type Awaitable<T> = T | Promise<T>;

/**
 * A live record as a store read it: its value, and whatever its conditional write compares
 * besides (a row version on PostgreSQL; nothing more on Redis, which compares the value).
 */
export interface StoredRecord {
  readonly value: string;
}

/** One conditional write: apply `write` to `key` only if it still holds `expected`. */
export interface ConditionalWrite<R extends StoredRecord> {
  readonly key: string;
  /** The record the transition ran on; `undefined`: it ran on absence. */
  readonly expected: R | undefined;
  /** What to write: a value with a TTL (checked by `ttlMsOf`), or a delete. */
  readonly write: StoreWrite;
  /**
   * `true` when `expected` is a guess (the kit's cached record, or absence assumed for a key
   * this process never saw) rather than a read just made: it may be arbitrarily stale, so
   * the compare must also fail on a version that recurred with other contents (compare the
   * value too), and the store should answer the current record when it does not apply.
   */
  readonly guess: boolean;
}

/**
 * One key of a batched conditional write: like `ConditionalWrite`, but `write` may be
 * `undefined`: compare only (the transition read the key and left it), so the batch applies
 * only if that key, too, still holds `expected`.
 */
export interface ConditionalOp<R extends StoredRecord> extends Omit<ConditionalWrite<R>, 'write'> {
  readonly write: StoreWrite | undefined;
}

/** What a conditional write answers. */
export type WriteOutcome<R extends StoredRecord> =
  /** It landed: `record` is what the key holds now (`undefined` after a delete). */
  | { readonly applied: true; readonly record: R | undefined }
  /** It did not (nothing was written): the record as found (`undefined`: absent, expired). */
  | { readonly applied: false; readonly current: R | undefined }
  /** It did not, and the store does not say what it found: the kit reads the key again. */
  | { readonly applied: false };

/** What a batched conditional write answers: all of its writes landed, or none did. */
export type ManyOutcome<R extends StoredRecord> =
  /**
   * They all landed: `records[i]` is what `ops[i].key` holds now (`undefined`: deleted;
   * for a compare-only op, the kit keeps the record it expected and ignores `records[i]`).
   */
  | { readonly applied: true; readonly records: readonly (R | undefined)[] }
  /** None did: `current[i]` is the record found under `ops[i].key` (`undefined`: absent). */
  | { readonly applied: false; readonly current: readonly (R | undefined)[] }
  /** None did, and the store does not say what it found: the kit reads the keys again. */
  | { readonly applied: false };

/** What a locked read-modify-write answers: the transition's result, and the record after. */
export interface Exclusive<T, R extends StoredRecord> {
  readonly result: T;
  /** What the key holds afterwards (`undefined`: absent), when the store knows it. */
  readonly record?: R | undefined;
}

/** What a locked read-modify-write of N keys answers: the result, and the records after. */
export interface ExclusiveMany<T, R extends StoredRecord> {
  readonly result: T;
  /** What each key holds afterwards (`undefined`: absent), when the store knows it. */
  readonly records?: readonly (R | undefined)[];
}

/**
 * A store's primitives. `read` is required, and at least one of `write` and `exclusive` (or
 * their batched forms `writeMany` and `exclusiveMany`, which serve `updateMany` of any
 * number of keys):
 *
 * - `write` only (Redis): optimistic. The kit reads (or guesses from its cache), runs the
 *   transition, sends the conditional write, and on a conflict runs it again on the current
 *   record, with backoff, within the retry budget (`attempts`), then rejects with
 *   `StoreConflictError`.
 * - `write` and `exclusive` (PostgreSQL): optimistic, and a key that loses `attempts` races
 *   takes `exclusive` instead, which cannot lose, so an update cannot starve.
 * - `exclusive` only (memory, SQLite): the store runs every transition under its own lock or
 *   synchronously; the kit adds no queue, cache or retry.
 */
export interface StorePrimitives<R extends StoredRecord> {
  /**
   * The live record under `key`, or `undefined` when it is absent or its TTL has passed
   * (an expired record is never answered). One round trip. Rejects when unreachable.
   */
  read(key: string): Awaitable<R | undefined>;
  /**
   * Applies `op.write` only if the key still holds `op.expected` (the same record: no write
   * since, including a delete and re-create; `undefined`: still absent or expired), as one
   * atomic step on the backend, and answers whether it did. It must never apply on a record
   * other than the expected one. Resolves only once the write is acknowledged at the store's
   * durability; rejects on an outage (the write may or may not have landed).
   */
  write?(op: ConditionalWrite<R>): Promise<WriteOutcome<R>>;
  /**
   * Runs `fn` on the live record under `key` and applies its write, with no other write to
   * the key in between (a row lock, a write lock, or a synchronous engine), exactly once per
   * call or, if the store must decide again (a record created by someone else meanwhile),
   * on the record as it now is. Errors thrown by `fn` propagate and nothing is written.
   */
  exclusive?<T>(key: string, fn: Transition<T>): Awaitable<Exclusive<T, R>>;
  /**
   * The batched `read`: the live records under `keys`, in order, in one round trip. Absent:
   * the kit reads them one by one, concurrently.
   */
  readMany?(keys: readonly string[]): Awaitable<readonly (R | undefined)[]>;
  /**
   * The batched `write`: applies every `ops[i].write` only if every `ops[i].key` still holds
   * its `ops[i].expected`, as one atomic step: all of them or none (keys are distinct; the
   * kit has checked every TTL, and sends at least one op with a write).
   * Preferred over `write` when present (the kit sends a one-key update as one op); a store
   * with only `write` serves `updateMany` of one key only.
   */
  writeMany?(ops: readonly ConditionalOp<R>[]): Promise<ManyOutcome<R>>;
  /**
   * The batched `exclusive`: runs `fn` on the live records under `keys` and applies its
   * writes with no other write to any of the keys in between (locks taken in sorted key
   * order, or a synchronous engine), all of them or none. Preferred over `exclusive`.
   */
  exclusiveMany?<T>(
    keys: readonly string[],
    fn: MultiTransition<T>,
  ): Awaitable<ExclusiveMany<T, R>>;
  /** The store's clock, epoch ms (see `Store.time`), when it has one. */
  time?(): Promise<number>;
}

/** How the kit runs an optimistic store. */
export interface KitOptions {
  /**
   * Conditional writes that may conflict per update (a failed guess is not one), then
   * `exclusive` if the store has it, else a `StoreConflictError` rejection.
   */
  readonly attempts: number;
  /** Keys whose last known record the kit keeps in process (0: none, every update reads). */
  readonly cacheSize: number;
  /** Names the store in a `StoreConflictError` message (e.g. its table or prefix). */
  readonly name?: string;
}
