/**
 * The store kit's compare-and-set loop: one update of one key on a store with a conditional
 * write: a guess from the last-value cache, a read, the transition, the conditional write,
 * and on a conflict the transition again on the current record, with jittered backoff,
 * within the retry budget; then the store's locked path, or `StoreConflictError`.
 * @module
 */
import { StoreConflictError, type StoreTransition, type Transition } from '../../src/ports/store';
import { guessStep, type LastSeen } from './last-seen';
import type { StoredRecord, StorePrimitives, WriteOutcome } from './primitives';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Jittered exponential backoff after conflict `n` (n >= 1); the first retry is immediate. */
export const backoffMs = (n: number): number =>
  n <= 1 ? 0 : Math.random() * Math.min(50, 2 ** (n - 1));

/** What the loop needs: the store's primitives with a conditional write, and the cache. */
export interface Optimistic<R extends StoredRecord> {
  readonly primitives: StorePrimitives<R> & Pick<Required<StorePrimitives<R>>, 'write'>;
  readonly cache: LastSeen<R>;
  readonly attempts: number;
  readonly name: string;
}

/** The record a failed write found, or a fresh read when it did not say. */
async function currentAfter<R extends StoredRecord>(
  o: Optimistic<R>,
  key: string,
  outcome: WriteOutcome<R>,
): Promise<R | undefined> {
  return 'current' in outcome ? outcome.current : await o.primitives.read(key);
}

/**
 * Updates `key` once (the caller queues updates per key and forgets the key on a throw).
 *
 * A guess first, when the cache is on (see `guessStep`): the cached record, or absence for a
 * key with nothing cached; a failed guess is not a conflict (nobody raced us: the cache was
 * stale, or the key new to this process), costs what the read would have, and does not
 * count against `attempts`. No result computed on a guess is returned unless its write
 * landed. A transition without a write (or deleting an absent record) ends at the read:
 * linearized there.
 */
export async function updateOptimistic<R extends StoredRecord, T>(
  o: Optimistic<R>,
  key: string,
  fn: Transition<T>,
): Promise<T> {
  const { primitives: p, cache } = o;
  let seen = cache.capacity > 0 ? cache.peek(key) : undefined;
  let step: StoreTransition<T> | undefined =
    cache.capacity > 0 ? guessStep(fn, seen?.value) : undefined;
  let guess = step !== undefined;
  if (!step) {
    seen = await p.read(key);
    cache.set(key, seen);
    step = fn(seen?.value);
  }
  let conflicts = 0;
  for (;;) {
    const { result, write } = step;
    if (!write || ('delete' in write && seen === undefined)) return result;
    const outcome = await p.write({ key, expected: seen, write, guess });
    if (outcome.applied) {
      cache.set(key, outcome.record);
      return result;
    }
    if (guess) {
      guess = false;
    } else {
      conflicts += 1;
      if (conflicts >= o.attempts) {
        if (p.exclusive) return exclusively(o, key, fn);
        throw new StoreConflictError(
          `phoneproof: update of ${key}${o.name && ` in ${o.name}`} still conflicted after ${o.attempts} attempts`,
        );
      }
      const wait = backoffMs(conflicts);
      if (wait > 0) await sleep(wait);
    }
    seen = await currentAfter(o, key, outcome);
    cache.set(key, seen);
    step = fn(seen?.value);
  }
}

/** The store's locked path for a key that kept losing races: it cannot lose. */
async function exclusively<R extends StoredRecord, T>(
  o: Optimistic<R>,
  key: string,
  fn: Transition<T>,
): Promise<T> {
  const { result, record } = await o.primitives.exclusive!(key, fn);
  o.cache.set(key, record);
  return result;
}
