/**
 * The kit's batched view of a store's primitives: every update, of one key or of N, runs
 * through `readMany`, `writeMany` and `exclusiveMany`; a store that implements only the
 * one-key forms (`read`, `write`, `exclusive`) is adapted here as their one-key case.
 * Also `oneKey` (a one-key transition as a multi-key one) and `distinctKeys`.
 * @module
 */
import type { MultiTransition, Transition } from '../../src/ports/store';
import type {
  Awaitable,
  ConditionalOp,
  ExclusiveMany,
  ManyOutcome,
  StoredRecord,
  StorePrimitives,
} from './primitives';

/** The batched primitives the kit runs on. */
export interface Batched<R extends StoredRecord> {
  readMany(keys: readonly string[]): Promise<readonly (R | undefined)[]>;
  writeMany?(ops: readonly ConditionalOp<R>[]): Promise<ManyOutcome<R>>;
  exclusiveMany?<T>(
    keys: readonly string[],
    fn: MultiTransition<T>,
  ): Awaitable<ExclusiveMany<T, R>>;
}

/** `update`'s transition as the one-key case of `updateMany`'s. */
export function oneKey<T>(fn: Transition<T>): MultiTransition<T> {
  return (current) => {
    const { result, write } = fn(current[0]);
    return write ? { result, writes: [write] } : { result };
  };
}

/** Throws a TypeError (a caller's mistake) unless `keys` is non-empty and distinct. */
export function distinctKeys(keys: readonly string[]): void {
  if (keys.length === 0 || !distinct(keys)) {
    throw new TypeError('phoneproof: updateMany needs one or more distinct keys.');
  }
}

/** No key twice: pairwise for the few keys of an operation, through a Set beyond. */
function distinct(keys: readonly string[]): boolean {
  if (keys.length > 8) return new Set(keys).size === keys.length;
  for (let i = 1; i < keys.length; i += 1) {
    for (let j = 0; j < i; j += 1) if (keys[i] === keys[j]) return false;
  }
  return true;
}

function oneKeyOnly(keys: readonly unknown[], primitive: string): void {
  if (keys.length !== 1) {
    throw new TypeError(
      `phoneproof: this store has a one-key \`${primitive}\` only; updateMany of ${keys.length} keys needs \`${primitive}Many\`.`,
    );
  }
}

/** The batched primitives of `p`, its one-key ones adapted where it has no batched form. */
export function batched<R extends StoredRecord>(p: StorePrimitives<R>): Batched<R> {
  const out: {
    -readonly [K in keyof Batched<R>]: Batched<R>[K];
  } = {
    readMany: p.readMany
      ? async (keys) => p.readMany!(keys)
      : async (keys) => Promise.all(keys.map((key) => p.read(key))),
  };
  if (p.writeMany) out.writeMany = (ops) => p.writeMany!(ops);
  else if (p.write) {
    const write = p.write.bind(p);
    out.writeMany = async (ops) => {
      oneKeyOnly(ops, 'write');
      const { write: change, ...op } = ops[0]!;
      if (!change)
        throw new TypeError('phoneproof: storeKit sent a compare-only write of one key.');
      const outcome = await write({ ...op, write: change });
      if (outcome.applied) return { applied: true, records: [outcome.record] };
      return 'current' in outcome ? { applied: false, current: [outcome.current] } : outcome;
    };
  }
  if (p.exclusiveMany) out.exclusiveMany = (keys, fn) => p.exclusiveMany!(keys, fn);
  else if (p.exclusive) {
    const exclusive = p.exclusive.bind(p);
    out.exclusiveMany = async <T>(keys: readonly string[], fn: MultiTransition<T>) => {
      oneKeyOnly(keys, 'exclusive');
      const { result, record } = await exclusive(keys[0]!, (current) => {
        const step = fn([current]);
        const write = step.writes?.[0];
        return write ? { result: step.result, write } : { result: step.result };
      });
      return { result, records: [record] };
    };
  }
  return out;
}
