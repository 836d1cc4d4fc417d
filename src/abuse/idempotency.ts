/**
 * Idempotent `start`: a repeated `idempotencyKey` within the verification's life returns the
 * same verification and sends nothing; the same key with other parameters is refused. Keys
 * are scoped to the requester (see `idempotencyScope`): another requester's same key is
 * another key, answered as if unknown. The key is claimed atomically before anything is
 * sent, so concurrent repeats send once. The kept result holds the verification id, a
 * handle: it is stored sealed (`idempotency-result`). Pure transitions plus a small runner.
 * @internal
 * @module
 */
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
import { CorruptRecordError } from '../core/state';
import { type VerifyError, verifyError } from '../errors';
import type { SendTicket } from '../feature/feature';
import type { StartResult } from '../feature/operation-types';
import type { Requester } from '../feature/requester';
import type { Store, Transition } from '../ports/store';
import { hmac, type Keyring, seal, unseal } from '../secrets';
import { requesterKeysOf } from './keys';

/** How long a claimed key waits for its operation to finish before it can be claimed again. */
export const CLAIM_TTL_MS = 60_000;
const KEY = /^[\x21-\x7e]{1,255}$/;

type IdemRecord =
  | { readonly v: 1; readonly k: 'idem'; readonly fp: string; readonly claim: string }
  | { readonly v: 1; readonly k: 'idem'; readonly fp: string; readonly sealed: string }
  /** Written by 0.1.0 (the result in clear); read until it expires with its verification. */
  | { readonly v: 1; readonly k: 'idem'; readonly fp: string; readonly result: StartResult };

type Claim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'replay'; readonly sealed: string }
  | { readonly kind: 'replay'; readonly result: StartResult }
  | { readonly kind: 'conflict' }
  | { readonly kind: 'in_progress' };

function decode(raw: string): IdemRecord {
  try {
    const x = JSON.parse(raw) as Partial<Record<string, unknown>>;
    if (x.v === 1 && x.k === 'idem' && typeof x.fp === 'string') {
      if (typeof x.claim === 'string') return x as unknown as IdemRecord;
      if (typeof x.sealed === 'string') return x as unknown as IdemRecord;
      if (typeof x.result === 'object' && x.result !== null) return x as unknown as IdemRecord;
    }
  } catch {
    // fall through
  }
  throw new CorruptRecordError('record is not a phoneproof idempotency record');
}

/** Claims `key` for an operation with fingerprint `fp`, or tells what holds it. */
export function claimKey(fp: string, claim: string): Transition<Claim> {
  return (raw) => {
    if (raw === undefined) {
      const rec: IdemRecord = { v: 1, k: 'idem', fp, claim };
      return {
        result: { kind: 'claimed' },
        write: { value: JSON.stringify(rec), ttlMs: CLAIM_TTL_MS },
      };
    }
    const r = decode(raw);
    if (r.fp !== fp) return { result: { kind: 'conflict' } };
    return {
      result:
        'sealed' in r
          ? { kind: 'replay', sealed: r.sealed }
          : 'result' in r
            ? { kind: 'replay', result: r.result }
            : { kind: 'in_progress' },
    };
  };
}

/**
 * Stores the result (`sealed`) under a claim still held by `claim`, until the verification
 * expires at `expiresAt`.
 */
export function completeKey(
  fp: string,
  claim: string,
  sealed: string,
  expiresAt: number,
  now: number,
): Transition<void> {
  return (raw) => {
    const r = raw === undefined ? undefined : decode(raw);
    if (!r || !('claim' in r) || r.claim !== claim) return { result: undefined };
    const rec: IdemRecord = { v: 1, k: 'idem', fp, sealed };
    const ttlMs = expiresAt - now;
    return {
      result: undefined,
      write: ttlMs > 0 ? { value: JSON.stringify(rec), ttlMs } : { delete: true },
    };
  };
}

/** Releases a claim whose operation failed, so the key can be retried. */
export function releaseKey(claim: string): Transition<void> {
  return (raw) => {
    if (raw === undefined) return { result: undefined };
    const r = decode(raw);
    return 'claim' in r && r.claim === claim
      ? { result: undefined, write: { delete: true } }
      : { result: undefined };
  };
}

export interface IdempotencyDeps {
  readonly store: Store;
  readonly key: Uint8Array;
  readonly storeError: (e: unknown) => VerifyError;
  readonly now: () => number;
  readonly nonce: () => string;
  /** Seals the kept result (`idempotency-result`). */
  readonly ring: Keyring;
  /** 12 fresh random bytes (the result's IV). */
  readonly iv: () => Uint8Array;
}

const ALL_FIELDS = new Set(['ip', 'deviceId', 'userId'] as const);

/**
 * Who an idempotency key belongs to: the `userId` of the context when it has one (an identity
 * the app authenticated), otherwise its IP group and device id together (an attacker would
 * need both); `''` without a context (the app's own calls share one scope). Keyed hashes,
 * never the values.
 */
export function idempotencyScope(key: Uint8Array, r: Requester): string {
  const keys = requesterKeysOf(key, r, ALL_FIELDS);
  const user = keys.find(([field]) => field === 'userId');
  return (user ? [user] : keys).map(([, k]) => k).join(' ');
}

/** Validates an `idempotencyKey` value: 1-255 visible ASCII characters. */
export function idempotencyKeyOf(x: unknown): Result<string | undefined, VerifyError> {
  if (x === undefined) return ok(undefined);
  if (typeof x === 'string' && KEY.test(x)) return ok(x);
  return err(
    verifyError('invalid_request', {
      message: '`idempotencyKey` must be 1-255 visible ASCII characters.',
    }),
  );
}

/**
 * Claims an idempotency key for one `start` of a requester (`scope`, from
 * `idempotencyScope`) with these parameters (`parts`, the normalized request, consent
 * included): a repeat replays the stored result; other parameters give
 * `idempotency_conflict`. Another requester's same key is a different store key: it never
 * sees the first's result nor a conflict. A fresh claim's `settle` keeps the operation's
 * result (sealed) or gives the key back when the operation failed.
 */
export function claimIdempotency(
  deps: IdempotencyDeps,
  scope: string,
  idemKey: string,
  parts: readonly string[],
): ResultAsync<SendTicket, VerifyError> {
  const storeKey = `idem:${hmac(deps.key, 'idempotency', scope, idemKey).slice(0, 32)}`;
  const fp = hmac(deps.key, 'idempotency-request', ...parts).slice(0, 32);
  const claim = deps.nonce();
  const update = <T>(fn: Transition<T>) =>
    ResultAsync.fromThrowable(() => deps.store.update(storeKey, fn), deps.storeError)();
  return update(claimKey(fp, claim)).andThen((c): ResultAsync<SendTicket, VerifyError> => {
    switch (c.kind) {
      case 'replay': {
        if ('result' in c) return okAsync({ replay: c.result });
        const plain = unseal(deps.ring, 'idempotency-result', c.sealed);
        if (plain === undefined) {
          return errAsync(
            deps.storeError(new CorruptRecordError('idempotency record cannot be opened')),
          );
        }
        return okAsync({ replay: JSON.parse(plain) as StartResult });
      }
      case 'conflict':
        return errAsync(verifyError('idempotency_conflict'));
      case 'in_progress':
        return errAsync(
          verifyError('idempotency_conflict', {
            message: 'A request with this idempotency key is still in progress.',
            retryAfter: 1,
          }),
        );
      default:
        return okAsync({
          settle: async (outcome: Result<StartResult, VerifyError>) => {
            // The message left: a failure to record the result must not turn it into an error.
            const write = outcome.isOk()
              ? completeKey(
                  fp,
                  claim,
                  seal(deps.ring, 'idempotency-result', JSON.stringify(outcome.value), deps.iv()),
                  outcome.value.expiresAt,
                  deps.now(),
                )
              : releaseKey(claim);
            await update(write as Transition<unknown>);
            return undefined;
          },
        });
    }
  });
}
