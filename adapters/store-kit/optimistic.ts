/**
 * The store kit's compare-and-set loop: one update of N keys (one for `update`) on a store
 * with a conditional write: guesses from the last-value cache, or one batched read, the
 * transition, one all-or-nothing conditional write of the N keys, and on a conflict the
 * transition again on the current records, with jittered backoff, within the retry budget;
 * then the store's locked path, or `StoreConflictError`.
 * @module
 */
import {
  type MultiStoreTransition,
  type MultiTransition,
  StoreConflictError,
  type StoreWrite,
} from '../../src/ports/store';
import type { Batched } from './batched';
import { type LastSeen, ttlMsOf } from './last-seen';
import type { ConditionalOp, ManyOutcome, StoredRecord } from './primitives';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Jittered exponential backoff after conflict `n` (n >= 1); the first retry is immediate. */
export const backoffMs = (n: number): number =>
  n <= 1 ? 0 : Math.random() * Math.min(50, 2 ** (n - 1));

/** What the loop needs: the store's batched primitives with a conditional write, the cache. */
export interface Optimistic<R extends StoredRecord> {
  readonly primitives: Batched<R> & Pick<Required<Batched<R>>, 'writeMany'>;
  readonly cache: LastSeen<R>;
  readonly attempts: number;
  readonly name: string;
}

type Records<R> = readonly (R | undefined)[];

/**
 * The batch a transition's step asks for, conditional on `seen`: one op per key (a write, or
 * compare only), or `undefined` when nothing would change (no write, or only deletes of
 * records seen absent). Throws RangeError on an invalid TTL, before anything is sent.
 */
function batchOf<R extends StoredRecord>(
  keys: readonly string[],
  seen: Records<R>,
  step: MultiStoreTransition<unknown>,
  guess: boolean,
): ConditionalOp<R>[] | undefined {
  const asked = step.writes;
  if (asked === undefined) return undefined;
  let writing = false;
  const writes: (StoreWrite | undefined)[] = [];
  for (let i = 0; i < keys.length; i += 1) {
    const write = asked[i];
    if (!write || ('delete' in write && seen[i] === undefined)) writes.push(undefined);
    else {
      if (!('delete' in write)) ttlMsOf(write);
      writes.push(write);
      writing = true;
    }
  }
  if (!writing) return undefined;
  const ops: ConditionalOp<R>[] = [];
  for (let i = 0; i < keys.length; i += 1) {
    ops.push({ key: keys[i]!, expected: seen[i], write: writes[i], guess });
  }
  return ops;
}

/** The values of `records`, for a transition. */
function valuesOf<R extends StoredRecord>(records: Records<R>): (string | undefined)[] {
  const values: (string | undefined)[] = [];
  for (const record of records) values.push(record?.value);
  return values;
}

/**
 * Runs `fn` on guesses (the cached records; absence for keys with nothing cached) and keeps
 * the batch only if it can be sent as a write conditional on them: it writes something and
 * its TTLs are valid. Otherwise (nothing to write, a throw) the guesses tell nothing
 * trustworthy, and the caller reads the real records and runs `fn` on those.
 */
function guessed<R extends StoredRecord, T>(
  keys: readonly string[],
  seen: Records<R>,
  fn: MultiTransition<T>,
) {
  try {
    const step = fn(valuesOf(seen));
    const ops = batchOf(keys, seen, step, true);
    return ops && { result: step.result, ops };
  } catch {
    return undefined;
  }
}

/** The records a failed write found, or a fresh batched read when it did not say. */
async function currentAfter<R extends StoredRecord>(
  o: Optimistic<R>,
  keys: readonly string[],
  outcome: ManyOutcome<R> & { applied: false },
): Promise<Records<R>> {
  return 'current' in outcome ? outcome.current : await o.primitives.readMany(keys);
}

/**
 * Updates `keys` once (the caller queues updates per key and forgets the keys on a throw).
 *
 * Guesses first, when the cache is on (see `guessed`); a failed guess is not a conflict
 * (nobody raced us: the cache was stale, or a key new to this process), costs what the read
 * would have, and does not count against `attempts`. No result computed on a guess is
 * returned unless its write landed. A transition that changes nothing ends at the read
 * (one batched read: linearized there when the store reads the keys atomically).
 */
export async function updateOptimistic<R extends StoredRecord, T>(
  o: Optimistic<R>,
  keys: readonly string[],
  fn: MultiTransition<T>,
): Promise<T> {
  const { primitives: p, cache } = o;
  const peeked: (R | undefined)[] = [];
  for (const key of keys) peeked.push(cache.peek(key));
  let seen: Records<R> = peeked;
  const batch = cache.capacity > 0 ? guessed(keys, seen, fn) : undefined;
  let guess = batch !== undefined;
  let conflicts = 0;
  const remember = (records: Records<R>) => {
    seen = records;
    for (let i = 0; i < keys.length; i += 1) cache.set(keys[i]!, records[i]);
  };
  const decide = () => {
    const step = fn(valuesOf(seen));
    const ops = batchOf(keys, seen, step, false);
    return ops ? { result: step.result, ops } : { result: step.result };
  };
  if (!batch) remember(await p.readMany(keys));
  let next = batch ?? decide();
  for (;;) {
    if (!('ops' in next)) return next.result;
    const outcome = await p.writeMany(next.ops);
    if (outcome.applied) {
      const { ops } = next;
      for (let i = 0; i < ops.length; i += 1) {
        const op = ops[i]!;
        cache.set(op.key, op.write ? outcome.records[i] : op.expected);
      }
      return next.result;
    }
    if (guess) guess = false;
    else {
      conflicts += 1;
      if (conflicts >= o.attempts) {
        if (p.exclusiveMany) return exclusively(o, keys, fn);
        throw new StoreConflictError(
          `phoneproof: update of ${keys.join(', ')}${o.name && ` in ${o.name}`} still conflicted after ${o.attempts} attempts`,
        );
      }
      const wait = backoffMs(conflicts);
      if (wait > 0) await sleep(wait);
    }
    remember(await currentAfter(o, keys, outcome));
    next = decide();
  }
}

/** The store's locked path for keys that kept losing races: it cannot lose. */
async function exclusively<R extends StoredRecord, T>(
  o: Optimistic<R>,
  keys: readonly string[],
  fn: MultiTransition<T>,
): Promise<T> {
  const { result, records } = await o.primitives.exclusiveMany!(keys, fn);
  for (const [i, key] of keys.entries()) o.cache.set(key, records?.[i]);
  return result;
}
