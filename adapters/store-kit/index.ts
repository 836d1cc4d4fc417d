/**
 * The store kit: what a store adapter is built from, in this repository and outside it.
 * A store implements its primitives (`StorePrimitives`: a versioned read, a conditional
 * write, a locked read-modify-write) and `storeKit` turns them into the Store port with the
 * shared machinery (per-key queue, last-value cache, compare-and-set loop with backoff and
 * retry budget, read coalescing). See docs/stores.md, "Writing a store".
 * @module
 */

export { storeKit } from './kit';
export { ttlMsOf } from './last-seen';
export { backoffMs } from './optimistic';
export { intOption } from './options';
export type {
  Awaitable,
  ConditionalOp,
  ConditionalWrite,
  Exclusive,
  ExclusiveMany,
  KitOptions,
  ManyOutcome,
  StoredRecord,
  StorePrimitives,
  WriteOutcome,
} from './primitives';
export { coalescedReads, keyedSerial } from './queue';
