/**
 * How the abuse shield runs its budgets: each budget one atomic `store.update`, all of an
 * operation's in parallel; the first refusal in step order wins, its events are published,
 * and the room the others reserved is given back. @internal
 * @module
 */
import { err, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
import type { VerifyError } from '../errors';
import type { Publish } from '../feature/events';
import type { RequestContext } from '../feature/operation-types';
import type { Store, Transition } from '../ports/store';
import type { AbuseNotice, AbuseRefusal, Reservation } from './records';
import { publishNotice, type RefusalMeta, refusedError } from './refusals';

/**
 * Gives back every reservation of an operation; never fails (a lost undo only over-counts).
 * `'requester'` keeps the requester budgets' reservations (a refused start still counts
 * against whoever asked for it) and gives back the rest (the number's, prefix's, country's
 * and global budgets, which other people share).
 */
export type Release = (keep?: 'requester') => ResultAsync<void, never>;

/**
 * One budget of an operation: its record's key and its update. Refusals rank by position in
 * the list, except a `late` one, which ranks at `late` (a merged prefix record's velocity
 * limit ranks with the prefix limits).
 */
export interface Step {
  readonly key: string;
  readonly exec: () => Promise<Reservation>;
  late?: number;
  /** A requester budget (kept by `release('requester')`). */
  requester?: true;
}

const noRelease: Release = () => okAsync(undefined);

export interface ShieldDeps {
  readonly store: Store;
  /** Subkey for hashing requester values and prefixes. */
  readonly key: Uint8Array;
  readonly publish: Publish;
  readonly storeError: (e: unknown) => VerifyError;
}

export interface Runner {
  /** `store.update` with synchronous throws turned into rejections. */
  update<T>(k: string, fn: Transition<T>): Promise<T>;
  /** Runs steps in parallel; the first refusal in step order wins and the rest is undone. */
  run(
    steps: readonly Step[],
    at: number,
    meta: { to?: string; context: RequestContext | undefined; silent: boolean },
  ): ResultAsync<Release, VerifyError>;
  /** A refusal as the catalog error, its `abuse.refused` event published. */
  refused(r: AbuseRefusal, at: number, meta: RefusalMeta): VerifyError;
}

export function shieldRunner(deps: ShieldDeps): Runner {
  const { store, publish } = deps;
  const refused = (r: AbuseRefusal, at: number, meta: RefusalMeta) =>
    refusedError(publish, r, at, meta);
  const notify = (n: AbuseNotice, at: number, to: string | undefined) =>
    publishNotice(publish, n, at, to);

  /** `store.update` with synchronous throws turned into rejections. */
  const update = <T>(k: string, fn: Transition<T>): Promise<T> => {
    try {
      return store.update(k, fn);
    } catch (e) {
      return Promise.reject(e);
    }
  };

  const undoAll =
    (done: ReadonlyArray<readonly [string, Reservation, boolean]>): Release =>
    (keep) =>
      ResultAsync.fromSafePromise(
        Promise.all(
          done.flatMap(([k, r, requester]) =>
            r.undo && !(requester && keep === 'requester')
              ? [update(k, r.undo).catch(() => undefined)]
              : [],
          ),
        ).then(() => undefined),
      );

  /** Runs steps in parallel; the first refusal in step order wins and the rest is undone. */
  const run = (
    steps: readonly Step[],
    at: number,
    meta: { to?: string; context: RequestContext | undefined; silent: boolean },
  ): ResultAsync<Release, VerifyError> => {
    if (steps.length === 0) return okAsync(noRelease);
    // Native promises: neverthrow's combinators cost a few µs each on this hot path.
    const settledP = Promise.allSettled(steps.map((s) => s.exec()));
    return new ResultAsync(
      settledP.then(
        (settled): Result<Release, VerifyError> | Promise<Result<Release, VerifyError>> => {
          const done: Array<readonly [string, Reservation, boolean]> = [];
          let failure: unknown;
          let refusal: AbuseRefusal | undefined;
          let rank = Number.POSITIVE_INFINITY;
          settled.forEach((s, i) => {
            if (s.status === 'rejected') {
              failure ??= s.reason;
              return;
            }
            for (const n of s.value.notices ?? []) notify(n, at, meta.to);
            if (s.value.refusal) {
              const r = s.value.late ? (steps[i]!.late ?? i) : i;
              if (r < rank) {
                rank = r;
                refusal = s.value.refusal;
              }
            } else done.push([steps[i]!.key, s.value, steps[i]!.requester === true]);
          });
          const release = undoAll(done);
          if (failure !== undefined || refusal !== undefined) {
            const e =
              failure !== undefined ? deps.storeError(failure) : refused(refusal!, at, meta);
            return release().then(() => err(e)) as Promise<Result<Release, VerifyError>>;
          }
          return ok(release);
        },
      ),
    );
  };

  return { update, run, refused };
}
