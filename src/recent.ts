/**
 * `Recent`: a bounded map of the most recently set entries, for the verifier's per-process
 * caches of pure results (decoded records, parsed numbers). @internal
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

  set(key: string, value: V): void {
    this.#entries.delete(key); // re-inserted last: most recently set
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) {
      // A batch at once: the walk from the Map's start, past the holes earlier deletions
      // left, is then paid once per batch instead of once per entry.
      let excess = this.#entries.size - this.capacity + Math.ceil(this.capacity / 16);
      for (const k of this.#entries.keys()) {
        if (excess-- <= 0) break;
        this.#entries.delete(k);
      }
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
