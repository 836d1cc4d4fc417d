/**
 * `Recent`: a bounded map of the most recently set entries, for the per-process caches of
 * the verifier (decoded records, parsed numbers) and of the stores (last values). @internal
 * @module
 */

/** At most `capacity` entries; when full, the least recently set sixteenth is dropped. */
export class Recent<V> {
  readonly #entries = new Map<string, V>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    return this.#entries.get(key);
  }

  /** Sets `key`; true when that dropped other entries to stay within the capacity. */
  set(key: string, value: V): boolean {
    this.#entries.delete(key); // re-inserted last: most recently set
    this.#entries.set(key, value);
    if (this.#entries.size <= this.capacity) return false;
    // A batch at once: the walk from the Map's start, past the holes earlier deletions left,
    // is then paid once per batch instead of once per entry.
    let excess = this.#entries.size - this.capacity + Math.floor(this.capacity / 16);
    for (const k of this.#entries.keys()) {
      if (excess-- <= 0) break;
      this.#entries.delete(k);
    }
    return true;
  }

  /** Removes `key`; true when it was there. */
  delete(key: string): boolean {
    return this.#entries.delete(key);
  }
}
