/**
 * The memory store's records: a Map of values with expiry times, reclaimed through a
 * min-heap of those times, and deleted records kept as dead entries until reclaimed (see
 * `MemoryRecords`). @internal
 * @module
 */

/** The expiry of a deleted entry. */
const DEAD = Number.NEGATIVE_INFINITY;
/** How long a deleted record may keep its Map entry (see `MemoryRecords`). */
const DEAD_GRACE_MS = 60_000;

interface Entry {
  value: string;
  /** `-Infinity`: deleted, kept until the sweep reclaims it (see `remove`). */
  expiresAt: number;
  /** The expiry this key is queued under in the heap (at most `expiresAt`). */
  queuedAt: number;
}

/** A binary min-heap of `[time, key]`. */
class Heap {
  readonly items: Array<[number, string]> = [];

  push(item: [number, string]): void {
    const heap = this.items;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p]![0] <= heap[i]![0]) break;
      const x = heap[p]!;
      heap[p] = heap[i]!;
      heap[i] = x;
      i = p;
    }
  }

  pop(): [number, string] | undefined {
    const heap = this.items;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l]![0] < heap[m]![0]) m = l;
        if (r < heap.length && heap[r]![0] < heap[m]![0]) m = r;
        if (m === i) break;
        const x = heap[m]!;
        heap[m] = heap[i]!;
        heap[i] = x;
        i = m;
      }
    }
    return top;
  }
}

/**
 * Records with expiry, reclaimed through a min-heap of expiry times: each `sweep` pops only
 * the records whose time has passed, so memory stays bounded by the live records (plus stale
 * heap entries, compacted when they outnumber live ones) without scanning everything.
 *
 * A deleted record is not removed from the Map at once: it is marked dead (no value, expired)
 * and reclaimed by that same sweep. V8's Map keeps a removed entry in its key's hash chain until
 * the table is rebuilt, so a key deleted and written again over and over (a prefix's velocity
 * log emptied by each approval) would make every lookup of that key walk thousands of holes.
 * A dead entry is reclaimed at most `DEAD_GRACE_MS` after its delete (sooner at its old
 * expiry), so memory stays bounded by the records written in the last minute plus the live
 * ones; a key written again within that minute keeps its Map entry.
 */
export class MemoryRecords {
  readonly map = new Map<string, Entry>();
  readonly #heap = new Heap();
  /** Entries deleted but not yet reclaimed. */
  dead = 0;

  /** The value of `key` if it is live at `t`. */
  live(key: string, t: number): string | undefined {
    const e = this.map.get(key);
    return e && e.expiresAt > t ? e.value : undefined;
  }

  /**
   * Reclaims what expired by `t`. Each live key is queued once, under an expiry no later
   * than its own. A rewrite that pushes the expiry out does not queue the key again: when its
   * queued time comes, a key that is still live is queued again under its current expiry.
   */
  sweep(t: number): void {
    const heap = this.#heap;
    while (heap.items.length > 0 && heap.items[0]![0] <= t) {
      const [at, key] = heap.pop()!;
      const e = this.map.get(key);
      if (!e || e.queuedAt !== at) continue; // a stale queue entry
      if (e.expiresAt <= t) {
        if (e.expiresAt === DEAD) this.dead -= 1;
        this.map.delete(key);
      } else {
        e.queuedAt = e.expiresAt;
        heap.push([e.expiresAt, key]);
      }
    }
    if (heap.items.length > 1024 && heap.items.length > 2 * this.map.size) this.#compact();
  }

  #compact(): void {
    this.#heap.items.length = 0;
    for (const [key, e] of this.map) {
      if (e.expiresAt === DEAD) {
        this.dead -= 1;
        this.map.delete(key);
        continue;
      }
      e.queuedAt = e.expiresAt;
      this.#heap.push([e.expiresAt, key]);
    }
  }

  /** Writes `value` under `key`, expiring at `expiresAt`. */
  set(key: string, value: string, expiresAt: number): void {
    const e = this.map.get(key);
    if (e?.expiresAt === DEAD) this.dead -= 1;
    if (e && e.queuedAt <= expiresAt) {
      e.value = value;
      e.expiresAt = expiresAt;
    } else {
      this.map.set(key, { value, expiresAt, queuedAt: expiresAt });
      this.#heap.push([expiresAt, key]);
    }
  }

  /** Marks `key` dead at `t`; the sweep reclaims it within DEAD_GRACE_MS (see above). */
  remove(key: string, t: number): void {
    const e = this.map.get(key);
    if (!e || e.expiresAt === DEAD) return;
    this.dead += 1;
    e.value = '';
    e.expiresAt = DEAD;
    if (e.queuedAt > t + DEAD_GRACE_MS) {
      e.queuedAt = t + DEAD_GRACE_MS;
      this.#heap.push([e.queuedAt, key]);
    }
  }

  /** Every record held, deleted ones excepted. */
  entries(): Array<[string, string]> {
    return [...this.map].flatMap(([k, e]) =>
      e.expiresAt === DEAD ? [] : [[k, e.value] as [string, string]],
    );
  }

  clear(): void {
    this.map.clear();
    this.#heap.items.length = 0;
    this.dead = 0;
  }
}
