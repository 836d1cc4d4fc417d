/**
 * Security stamps: one small record per phone or subject holding the time of its last
 * invalidation. A proof approved at or before that time is refused, so changing a phone
 * number or resetting a password revokes every outstanding proof without a token list.
 * The record lives as long as a proof issued before it could (the proof TTL). @internal
 * @module
 */
import { ResultAsync } from 'neverthrow';
import { CorruptRecordError } from '../core/state';
import type { VerifyError } from '../errors';
import { storeError } from '../feature/errors';
import type { Store } from '../ports/store';

/** Store key of the stamp of a phone (`p`) or subject (`s`), from its keyed hash. */
export function stampKey(kind: 'p' | 's', hashed: string): string {
  return `stamp:${kind}:${hashed}`;
}

function parse(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const at = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(at)) {
    throw new CorruptRecordError('stamp record is not a timestamp');
  }
  return at;
}

/** Moves the stamp to `at` (never backwards); atomic. Resolves with the stamp now stored. */
export function bumpStamp(
  store: Store,
  key: string,
  at: number,
  ttlMs: number,
): ResultAsync<number, VerifyError> {
  return ResultAsync.fromThrowable(
    () =>
      store.update(key, (raw) => {
        const next = Math.max(parse(raw), at);
        return { result: next, write: { value: String(next), ttlMs } };
      }),
    storeError,
  )();
}

/** Reads a stamp: 0 when the target was never invalidated (or long enough ago). */
export function readStamp(store: Store, key: string): ResultAsync<number, VerifyError> {
  return ResultAsync.fromThrowable(() => store.get(key), storeError)().andThen((raw) =>
    ResultAsync.fromThrowable(async () => parse(raw), storeError)(),
  );
}

/** Marks proof `jti` as used; resolves true when it was fresh (first use). Atomic. */
export function consumeProof(
  store: Store,
  jti: string,
  ttlMs: number,
): ResultAsync<boolean, VerifyError> {
  return ResultAsync.fromThrowable(
    () =>
      store.update(`proof:${jti}`, (raw) =>
        raw !== undefined
          ? { result: false }
          : { result: true, write: { value: '1', ttlMs: Math.max(1, ttlMs) } },
      ),
    storeError,
  )();
}
