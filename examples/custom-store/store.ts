/**
 * `versionedStore`: a phoneproof Store over any backend with versioned rows and a
 * conditional write (`backend.ts`), written only against phoneproof's public entries, as a
 * store published in its own package would be. Updates of one key are queued within the
 * process; the conditional write catches writers in other processes, and the transition is
 * then run again on the newer value after a random backoff, up to `maxAttempts` times.
 * @module
 */
import { type Store, StoreConflictError, type Transition } from 'phoneproof/ports';
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

  /** Runs `task` after every earlier task on `key` in this process has settled. */
  function queued<T>(key: string, task: () => Promise<T>): Promise<T> {
    const run = (queues.get(key) ?? Promise.resolve()).then(task, task);
    const tail = run.catch(() => undefined);
    queues.set(key, tail);
    void tail.then(() => queues.get(key) === tail && queues.delete(key));
    return run;
  }

  async function attempt<T>(key: string, fn: Transition<T>) {
    const row = await backend.read(key);
    const { result, write } = fn(live(row));
    if (write === undefined) return { result };
    if ('value' in write && !(write.ttlMs > 0)) throw new RangeError('ttlMs must be positive');
    const next: Row =
      'value' in write
        ? { value: write.value, version: (row?.version ?? 0) + 1, expiresAt: now() + write.ttlMs }
        : { value: undefined, version: (row?.version ?? 0) + 1, expiresAt: 0 };
    return (await backend.writeIf(key, row?.version ?? 0, next)) ? { result } : undefined;
  }

  return {
    update<T>(key: string, fn: Transition<T>): Promise<T> {
      return queued(key, async () => {
        for (let i = 0; i < maxAttempts; i += 1) {
          const done = await attempt(key, fn);
          if (done) return done.result;
          await backoff(i);
        }
        throw new StoreConflictError(`${key}: ${maxAttempts} conflicting writes in a row`);
      });
    },
    updateMany(keys, fn) {
      if (keys.length !== 1) return Promise.reject(new TypeError('not yet (s17store)'));
      return this.update(keys[0]!, (current) => {
        const { result, writes } = fn([current]);
        return writes?.[0] ? { result, write: writes[0] } : { result };
      });
    },
    async get(key) {
      return live(await backend.read(key));
    },
    clear: () => backend.clear(),
  };
}
