/**
 * The store kit's last-value cache (`LastSeen`), and `ttlMsOf`, the one TTL check every
 * store applies to a write.
 * @module
 */
import type { StoreWrite } from '../../src/ports/store';
import { Recent } from '../../src/recent';

/** A write's time to live in whole ms; throws `RangeError` unless > 0 and <= 2^53 - 1. */
export function ttlMsOf(write: Exclude<StoreWrite, { delete: true }>): number {
  // At most 2^53 - 1: every store takes it (Redis fails SET ... PX past its expire range
  // inside the compare-and-set script, after the SETs before it: checked here, before sending).
  if (!(write.ttlMs > 0) || !(write.ttlMs <= Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(
      `ttlMs must be a number > 0 and <= Number.MAX_SAFE_INTEGER (got ${write.ttlMs})`,
    );
  }
  return Math.ceil(write.ttlMs);
}

interface Entry<V> {
  value: V;
  /** When the entry was set, on the cache's logical clock. */
  stamp: number;
  /** When it took its place in the eviction order (inserted), on the same clock. */
  readonly placed: number;
}

/**
 * The last value this store instance read or wrote for a key, at most `capacity` keys
 * (a `Recent` map: when full, the least recently placed sixteenth is evicted; a key set again
 * within `capacity / 2` sets of taking its place keeps it, updated where it is, which saves a
 * Map delete and insert on the hot keys every operation rewrites, and still leaves it in the
 * newer half, out of reach of the next eviction). It is only ever a
 * guess: a store sends the write it computes from a cached value as a compare-and-set against
 * that value, so a stale entry
 * (another instance wrote, the record expired) costs a failed compare, never a wrong answer.
 * `capacity` 0 disables it: `peek` always misses and nothing is kept.
 */
export class LastSeen<V> {
  readonly #entries: Recent<Entry<V>>;
  /** Sets within which a key set again keeps its place: half the capacity. */
  readonly #young: number;
  #clock = 0;
  /** The clock at the latest removal (delete or eviction) of any key. */
  #removed = 0;

  constructor(readonly capacity: number) {
    this.#entries = new Recent(capacity);
    this.#young = Math.floor(capacity / 2);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached value of `key`, or undefined. Does not change the eviction order. */
  peek(key: string): V | undefined {
    return this.#entries.get(key)?.value;
  }

  /** Records `value` as the latest known for `key` (undefined: known absent, forgets it). */
  set(key: string, value: V | undefined): void {
    if (value === undefined) {
      this.delete(key);
      return;
    }
    if (this.capacity === 0) return;
    this.#clock += 1;
    const entry = this.#entries.get(key);
    if (entry !== undefined && this.#clock - entry.placed < this.#young) {
      entry.value = value;
      entry.stamp = this.#clock;
      return;
    }
    const placed = { value, stamp: this.#clock, placed: this.#clock };
    if (this.#entries.set(key, placed)) this.#removed = this.#clock;
  }

  /**
   * Forgets `key`. The removal marker moves even when `key` was not cached (evicted while an
   * update was in flight): a read begun before this delete must not record the value it saw.
   */
  delete(key: string): void {
    if (this.capacity === 0) return;
    this.#entries.delete(key);
    this.#clock += 1;
    this.#removed = this.#clock;
  }

  /** A mark to take before a plain read whose answer may later go to `refresh`. */
  mark(): number {
    return this.#clock;
  }

  /**
   * Records what a plain read issued after `mark` answered, unless this instance set or
   * removed an entry that could be `key`'s since then: an update's newer knowledge is kept,
   * never overwritten by a read that may have started before that update's write landed.
   */
  refresh(key: string, value: V | undefined, mark: number): void {
    if (this.capacity === 0) return;
    const entry = this.#entries.get(key);
    if (entry ? entry.stamp > mark : this.#removed > mark) return;
    this.set(key, value);
  }
}
