/**
 * `versionedStore`: a phoneproof Store over any backend with versioned rows and a
 * conditional write (`backend.ts`), written only against phoneproof's public entries, as a
 * store published in its own package would be, by hand (a store can instead be built from
 * its primitives with `phoneproof/store-kit`: docs/stores.md). `updateMany` reads its keys,
 * runs the transition and sends one conditional write of all of them; `update` is its one-key
 * case. Updates touching a key are queued within the process; the conditional write catches
 * writers in other processes, and the transition is then run again on the newer values after
 * a random backoff, up to `maxAttempts` times.
 * @module
 */
import {
  type MultiTransition,
  type Store,
  StoreConflictError,
  type StoreWrite,
  type Transition,
} from 'phoneproof/ports';
import { type Backend, mapBackend, type Row } from './backend';

export interface VersionedStoreOptions {
  /** Where rows live (default: a fresh in-memory backend). */
  readonly backend?: Backend;
  /** Clock, epoch ms (default `Date.now`). */
  readonly now?: () => number;
  /** Conditional writes tried before `update` rejects with `StoreConflictError` (default 50). */
  readonly maxAttempts?: number;
}

export interface VersionedStore extends Store {
  /** Removes every row (tests). */
  clear(): void;
}

/** Waits a random 0 to 2^attempt ms (at most 32) so that competing writers stop colliding. */
const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** Math.min(attempt, 5)));

export function versionedStore(options: VersionedStoreOptions = {}): VersionedStore {
  const backend = options.backend ?? mapBackend();
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 50;
  const queues = new Map<string, Promise<unknown>>();
  const live = (row: Row | undefined) =>
    row !== undefined && row.expiresAt > now() ? row.value : undefined;

  /** Runs `task` once every earlier task on any of `keys` in this process has settled. */
  function queued<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const before = Promise.all(keys.map((key) => queues.get(key)));
    const run = before.then(task, task);
    const tail = run.catch(() => undefined);
    for (const key of keys) queues.set(key, tail);
    void tail.then(() => {
      for (const key of keys) if (queues.get(key) === tail) queues.delete(key);
    });
    return run;
  }

  /** The row a write leaves, or undefined (compare only). */
  function nextRow(row: Row | undefined, write: StoreWrite | undefined): Row | undefined {
    if (write === undefined) return undefined;
    if ('value' in write && !(write.ttlMs > 0)) throw new RangeError('ttlMs must be positive');
    const version = (row?.version ?? 0) + 1;
    return 'value' in write
      ? { value: write.value, version, expiresAt: now() + write.ttlMs }
      : { value: undefined, version, expiresAt: 0 };
  }

  async function attempt<T>(keys: readonly string[], fn: MultiTransition<T>) {
    const rows = await Promise.all(keys.map((key) => backend.read(key)));
    const { result, writes = [] } = fn(rows.map(live));
    if (!writes.some((w) => w !== undefined)) return { result };
    const batch = keys.map((key, i) => ({
      key,
      version: rows[i]?.version ?? 0,
      next: nextRow(rows[i], writes[i]),
    }));
    return (await backend.writeAllIf(batch)) ? { result } : undefined;
  }

  function updateMany<T>(keys: readonly string[], fn: MultiTransition<T>): Promise<T> {
    if (keys.length === 0 || new Set(keys).size !== keys.length) {
      return Promise.reject(new TypeError('updateMany needs distinct keys'));
    }
    return queued(keys, async () => {
      for (let i = 0; i < maxAttempts; i += 1) {
        const done = await attempt(keys, fn);
        if (done) return done.result;
        await backoff(i);
      }
      throw new StoreConflictError(
        `${keys.join(', ')}: ${maxAttempts} conflicting writes in a row`,
      );
    });
  }

  return {
    updateMany,
    update<T>(key: string, fn: Transition<T>): Promise<T> {
      return updateMany([key], (current) => {
        const { result, write } = fn(current[0]);
        return write ? { result, writes: [write] } : { result };
      });
    },
    async get(key) {
      return live(await backend.read(key));
    },
    clear: () => backend.clear(),
  };
}
