/**
 * `memoryStore`: the Store port in process memory. One process only; for tests, demos and
 * single-instance apps.
 * @module
 */
import type { Store } from '../../src/ports/store';

/** The expiry of a deleted entry. */
const DEAD = Number.NEGATIVE_INFINITY;
/** How long a deleted record may keep its Map entry (see `memoryStore`). */
const DEAD_GRACE_MS = 60_000;

interface Entry {
  value: string;
  /** `-Infinity`: deleted, kept until the sweep reclaims it (see `update`). */
  expiresAt: number;
  /** The expiry this key is queued under in the heap (at most `expiresAt`). */
  queuedAt: number;
}

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
 * Creates an in-memory store. `update` runs the transition synchronously between one read
 * and one write, so it is atomic within the process without locks.
 *
 * Expired records are reclaimed through a min-heap of expiry times: each call pops only the
 * records whose time has passed, so memory stays bounded by the live records (plus stale
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
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const now = options.now ?? Date.now;
  const map = new Map<string, Entry>();
  const heap: Array<[number, string]> = [];
  /** Entries deleted but not yet reclaimed. */
  let dead = 0;

  const push = (item: [number, string]) => {
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
  };
  const pop = () => {
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
  };
  // Each live key is queued once, under an expiry no later than its own. A rewrite that
  // pushes the expiry out does not queue the key again: when its queued time comes, a key
  // that is still live is queued again under its current expiry.
  const sweep = (t: number) => {
    while (heap.length > 0 && heap[0]![0] <= t) {
      const [at, key] = pop()!;
      const e = map.get(key);
      if (!e || e.queuedAt !== at) continue; // a stale queue entry
      if (e.expiresAt <= t) {
        if (e.expiresAt === DEAD) dead -= 1;
        map.delete(key);
      } else {
        e.queuedAt = e.expiresAt;
        push([e.expiresAt, key]);
      }
    }
    if (heap.length > 1024 && heap.length > 2 * map.size) {
      heap.length = 0;
      for (const [key, e] of map) {
        if (e.expiresAt === DEAD) {
          dead -= 1;
          map.delete(key);
          continue;
        }
        e.queuedAt = e.expiresAt;
        push([e.expiresAt, key]);
      }
    }
  };
  const live = (key: string, t: number): Entry | undefined => {
    const e = map.get(key);
    return e && e.expiresAt > t ? e : undefined;
  };

  return {
    async update(key, fn) {
      const t = now();
      sweep(t);
      const { result, write } = fn(live(key, t)?.value);
      if (write) {
        const e = map.get(key);
        if ('delete' in write) {
          // Marked dead, reclaimed by the sweep (see above) within DEAD_GRACE_MS.
          if (e && e.expiresAt !== DEAD) {
            dead += 1;
            e.value = '';
            e.expiresAt = DEAD;
            if (e.queuedAt > t + DEAD_GRACE_MS) {
              e.queuedAt = t + DEAD_GRACE_MS;
              push([e.queuedAt, key]);
            }
          }
        } else {
          if (!(write.ttlMs > 0)) throw new RangeError(`ttlMs must be > 0 (got ${write.ttlMs})`);
          const expiresAt = t + write.ttlMs;
          if (e?.expiresAt === DEAD) dead -= 1;
          if (e && e.queuedAt <= expiresAt) {
            e.value = write.value;
            e.expiresAt = expiresAt;
          } else {
            map.set(key, { value: write.value, expiresAt, queuedAt: expiresAt });
            push([expiresAt, key]);
          }
        }
      }
      return result;
    },
    async get(key) {
      const t = now();
      sweep(t);
      return live(key, t)?.value;
    },
    size() {
      return map.size - dead;
    },
    held() {
      return map.size;
    },
    entries() {
      return [...map].flatMap(([k, e]) =>
        e.expiresAt === DEAD ? [] : [[k, e.value] as [string, string]],
      );
    },
    clear() {
      map.clear();
      heap.length = 0;
      dead = 0;
    },
  };
}
