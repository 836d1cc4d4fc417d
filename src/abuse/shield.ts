/**
 * The abuse shield: runs the budgets of one operation through the Store port. Each budget is
 * one atomic `store.update`; they run in parallel, and if any refuses (or the operation is
 * later abandoned) the room the others reserved is given back. @internal
 * @module
 */
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
import type { VerifyError } from '../errors';
import type { Publish } from '../feature/events';
import type { RequestContext } from '../feature/operation-types';
import type { Requester } from '../feature/requester';
import type { Channel } from '../ports/sender';
import type { Store, Transition } from '../ports/store';
import {
  countrySend,
  globalSend,
  prefixLog,
  prefixSend,
  prefixVerified,
  requesterCheck,
  requesterSend,
} from './budgets';
import { conversionApproved, conversionSend, REQUESTER_TAG } from './conversion';
import type { RequesterField } from './defaults';
import { countryRefusal, numberTypeRefusal } from './destination';
import {
  conversionCountryKey,
  conversionPrefixKeyOf,
  conversionRequester,
  countryCapKey,
  globalKey,
  namespaceOf,
  phoneTag,
  prefixHasher,
  prefixKeyOf,
  requesterKeysOf,
  type SplitNumber,
  splitNumber,
} from './keys';
import type { ResolvedAbuse } from './options';
import { type Merged, prefixGuardApproved, prefixGuardSend } from './prefix-guard';
import type { AbuseNotice, AbuseRefusal, Reservation } from './records';
import { publishNotice, type RefusalMeta, refusedError } from './refusals';
import type { DistinctLog } from './window';

/** One message about to be allowed. */
export interface SendCall {
  readonly kind: 'start' | 'resend';
  readonly phoneKey: string;
  /** E.164; always known on start, on resend only when a budget needs it. */
  readonly phone?: string;
  readonly country?: string;
  /** Country calling code when already known (saves a parse). */
  readonly callingCode?: string;
  readonly channel?: Channel;
  /** Masked number, for events. */
  readonly to?: string;
  readonly context: RequestContext | undefined;
  /** Who calls (derived once by the operation). */
  readonly requester: Requester;
  readonly silent: boolean;
  readonly at: number;
}

/**
 * Gives back every reservation of an operation; never fails (a lost undo only over-counts).
 * `'requester'` keeps the requester budgets' reservations (a refused start still counts
 * against whoever asked for it) and gives back the rest (the number's, prefix's, country's
 * and global budgets, which other people share).
 */
export type Release = (keep?: 'requester') => ResultAsync<void, never>;

export interface ShieldDeps {
  readonly store: Store;
  /** Subkey for hashing requester values and prefixes. */
  readonly key: Buffer;
  readonly publish: Publish;
  readonly storeError: (e: unknown) => VerifyError;
}

export interface Shield {
  /** False when every defense is off: the wrappers then add nothing. */
  readonly active: boolean;
  /** Whether a resend's budgets need the number (prefix, country); requester budgets do not. */
  readonly resendNeedsNumber: boolean;
  beforeSend(call: SendCall): ResultAsync<Release, VerifyError>;
  /** Spends the requester check budgets of the requester; `undefined` when none applies. */
  beforeCheck(
    requester: Requester,
    context: RequestContext | undefined,
    at: number,
    silent: boolean,
  ): ResultAsync<void, VerifyError> | undefined;
  /**
   * Records an approval (conversion guard, prefix velocity) without waiting for the store:
   * store failures are ignored (they only lose that bookkeeping). `split` is the number
   * already split (saves a parse); it is split here when omitted.
   */
  approved(phoneKey: string, phone: string, at: number, split?: SplitNumber): void;
}

/**
 * One budget of an operation: its record's key and its update. Refusals rank by position in
 * the list, except a `late` one, which ranks at `late` (a merged prefix record's velocity
 * limit ranks with the prefix limits).
 */
interface Step {
  readonly key: string;
  readonly exec: () => Promise<Reservation>;
  late?: number;
  /** A requester budget (kept by `release('requester')`). */
  requester?: true;
}

const isLegacy = (x: unknown): x is { readonly legacy: true } =>
  typeof x === 'object' && x !== null && (x as { legacy?: unknown }).legacy === true;

const noRelease: Release = () => okAsync(undefined);
const ignore = () => undefined;

export function createShield(a: ResolvedAbuse, deps: ShieldDeps): Shield {
  const { store, key, publish } = deps;
  const fields = new Set<RequesterField>(a.requesters.keys());
  const conv = a.conversion;
  const ns = namespaceOf(key);
  const prefixHash = prefixHasher(key);
  // The prefix limit whose velocity log lives in the conversion guard's prefix record.
  const merged = conv?.scopes.has('prefix')
    ? a.prefixes.find((p) => p.trailingDigits === conv.trailingDigits)
    : undefined;

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

  /**
   * An update of a merged prefix record. A record written before the merge (a conversion
   * record without the velocity log) is updated again with the old velocity log folded in,
   * read from its old key, so no unverified number is forgotten across the upgrade.
   */
  const updateMerged = <T>(
    k: string,
    hash: string,
    fn: (legacy?: DistinctLog) => Transition<Merged<T>>,
  ): Promise<T> =>
    update(k, fn()).then((r) =>
      isLegacy(r)
        ? store
            .get(prefixKeyOf(hash, merged!.trailingDigits))
            .then((raw) => update(k, fn(prefixLog(raw))) as Promise<T>)
        : r,
    );

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

  const resendNeedsNumber = conv !== undefined || a.hourlyCaps.size > 0 || a.global !== undefined;
  return {
    active:
      resendNeedsNumber ||
      fields.size > 0 ||
      a.prefixes.length > 0 ||
      a.deny.size > 0 ||
      a.numberTypes !== undefined,
    resendNeedsNumber,
    beforeSend(call) {
      const { phone, country } = call;
      const meta = {
        ...(call.to ? { to: call.to } : {}),
        context: call.context,
        silent: call.silent,
      };
      if (call.kind === 'start' && phone !== undefined && country !== undefined) {
        const pure =
          countryRefusal(a, country) ?? numberTypeRefusal(a, phone, call.channel ?? 'sms');
        if (pure) return errAsync(refused(pure, call.at, meta));
      }
      const n =
        phone === undefined
          ? undefined
          : call.callingCode
            ? { callingCode: call.callingCode, national: phone.slice(1 + call.callingCode.length) }
            : splitNumber(phone);
      const tag = phoneTag(call.phoneKey);
      const steps: Step[] = [];
      const step = (k: string, fn: Transition<Reservation>) => {
        const st: Step = { key: k, exec: () => update(k, fn) };
        steps.push(st);
        return st;
      };
      let guard: Step | undefined;
      // A number always comes with its country (both from one parse).
      if (conv && n) {
        const who =
          call.kind === 'start'
            ? conversionRequester(key, call.requester, call.phoneKey)
            : undefined;
        if (conv.scopes.has('prefix')) {
          const hash = prefixHash(n, conv.trailingDigits);
          const k = conversionPrefixKeyOf(hash);
          if (merged && call.kind === 'start') {
            const p = merged;
            guard = {
              key: k,
              exec: () =>
                updateMerged(k, hash, (legacy) =>
                  prefixGuardSend(conv, p, call.at, tag, who, legacy),
                ),
            };
            steps.push(guard);
          } else {
            step(k, conversionSend(conv, 'prefix', call.at, call.kind, who));
          }
        }
        if (conv.scopes.has('country') && country !== undefined) {
          step(
            conversionCountryKey(ns, country),
            conversionSend(conv, 'country', call.at, call.kind, who),
          );
        }
      }
      for (const [field, k] of requesterKeysOf(key, call.requester, fields)) {
        step(k, requesterSend(a.requesters.get(field)!, call.at, tag)).requester = true;
      }
      if (call.kind === 'start' && n) {
        for (const p of a.prefixes) {
          if (guard && p === merged) guard.late = steps.length;
          else
            step(
              prefixKeyOf(prefixHash(n, p.trailingDigits), p.trailingDigits),
              prefixSend(p, call.at, tag),
            );
        }
      }
      if (country !== undefined) {
        const cap = a.hourlyCaps.get(country) ?? a.hourlyCaps.get('*');
        if (cap !== undefined) step(countryCapKey(ns, country), countrySend(cap, call.at));
        if (a.global) step(globalKey(ns), globalSend(a.global, call.at, a.global.priceOf(country)));
      }
      return run(steps, call.at, meta);
    },

    beforeCheck(requester, context, at, silent) {
      const steps: Step[] = requesterKeysOf(key, requester, fields).map(([field, k]) => {
        const fn = requesterCheck(a.requesters.get(field)!, at);
        return { key: k, exec: () => update(k, fn) };
      });
      if (steps.length === 0) return undefined;
      return run(steps, at, { context, silent }).andThen(() => ok(undefined));
    },

    approved(phoneKey, phone, at, split) {
      const n = split ?? splitNumber(phone);
      if (!n) return;
      const country = n.country ?? 'XX';
      const tag = phoneTag(phoneKey);
      for (const p of a.prefixes) {
        if (p === merged) continue;
        const k = prefixKeyOf(prefixHash(n, p.trailingDigits), p.trailingDigits);
        update(k, prefixVerified(p, at, tag)).catch(ignore);
      }
      if (conv?.scopes.has('prefix')) {
        const hash = prefixHash(n, conv.trailingDigits);
        const k = conversionPrefixKeyOf(hash);
        const p = merged;
        (p
          ? updateMerged(k, hash, (legacy) => prefixGuardApproved(conv, p, at, tag, legacy))
          : update(k, conversionApproved(conv, at, tag.slice(0, REQUESTER_TAG)))
        ).catch(ignore);
      }
      if (conv?.scopes.has('country')) {
        update(
          conversionCountryKey(ns, country),
          conversionApproved(conv, at, tag.slice(0, REQUESTER_TAG)),
        ).catch(ignore);
      }
    },
  };
}
