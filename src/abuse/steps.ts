/**
 * The abuse budgets of one operation as pure steps over their records (see `./shield-run`):
 * a send's reservations in rank order, and an approval's bookkeeping (conversion guard,
 * prefix velocity). @internal
 * @module
 */
import type { StoreTransition, Transition } from '../ports/store';
import {
  countrySend,
  globalSend,
  prefixLog,
  prefixSend,
  prefixVerified,
  requesterSend,
} from './budgets';
import { conversionApproved, conversionSend, REQUESTER_TAG } from './conversion';
import type { RequesterField } from './defaults';
import {
  conversionCountryKey,
  conversionPrefixKeyOf,
  conversionRequester,
  countryCapKey,
  globalKey,
  phoneTag,
  type prefixHasher,
  prefixKeyOf,
  requesterKeysOf,
  type SplitNumber,
} from './keys';
import type { ResolvedAbuse } from './options';
import { prefixGuardApproved, prefixGuardSend } from './prefix-guard';
import type { Reservation } from './records';
import { NOT_READ, type Step, type StepFn } from './shield-run';
import type { SendCall } from './shield-types';
import type { PrefixLimit } from './types';

/** What the shield's budgets are built from (resolved once per verifier). */
export interface Env {
  readonly a: ResolvedAbuse;
  readonly key: Uint8Array;
  readonly ns: string;
  readonly prefixHash: ReturnType<typeof prefixHasher>;
  /** The prefix limit whose velocity log lives in the conversion guard's prefix record. */
  readonly merged: PrefixLimit | undefined;
  readonly conv: ResolvedAbuse['conversion'];
  readonly fields: ReadonlySet<RequesterField>;
}

/**
 * The merged prefix record's step: the record, with the old velocity log (`pfx:<digits>:…`,
 * written before the merge) folded in when the record has none. That old record is read
 * only once such a record is met (the operation's write then runs again, once, with it), so
 * the merged layout costs one record.
 */
const mergedFn =
  <T>(fn: (legacy: ReturnType<typeof prefixLog> | undefined) => Transition<T>): StepFn =>
  (raw, legacy) =>
    fn(legacy === NOT_READ ? undefined : prefixLog(legacy))(raw) as StoreTransition<never>;

/** The budgets of one send, in rank order (see `Step`). */
export function sendSteps(env: Env, call: SendCall, n: SplitNumber | undefined): Step[] {
  const { a, key, ns, prefixHash, merged, conv, fields } = env;
  const { country } = call;
  const tag = phoneTag(call.phoneKey);
  const steps: Step[] = [];
  const step = (k: string, fn: Transition<Reservation>) => {
    const st: Step = { key: k, fn };
    steps.push(st);
    return st;
  };
  let guard: Step | undefined;
  // A number always comes with its country (both from one parse).
  if (conv && n) {
    const who =
      call.kind === 'start' ? conversionRequester(key, call.requester, call.phoneKey) : undefined;
    if (conv.scopes.has('prefix')) {
      const hash = prefixHash(n, conv.trailingDigits);
      const k = conversionPrefixKeyOf(hash);
      if (merged && call.kind === 'start') {
        const p = merged;
        guard = {
          key: k,
          legacyKey: prefixKeyOf(hash, p.trailingDigits),
          fn: mergedFn((legacy) => prefixGuardSend(conv, p, call.at, tag, who, legacy, k)),
        };
        steps.push(guard);
      } else {
        step(k, conversionSend(conv, 'prefix', call.at, call.kind, who, k));
      }
    }
    if (conv.scopes.has('country') && country !== undefined) {
      const k = conversionCountryKey(ns, country);
      step(k, conversionSend(conv, 'country', call.at, call.kind, who, k));
    }
  }
  for (const [field, k] of requesterKeysOf(key, call.requester, fields)) {
    step(k, requesterSend(a.requesters.get(field)!, call.at, tag, k)).requester = true;
  }
  if (call.kind === 'start' && n) {
    for (const p of a.prefixes) {
      if (guard && p === merged) guard.late = steps.length;
      else {
        const k = prefixKeyOf(prefixHash(n, p.trailingDigits), p.trailingDigits);
        step(k, prefixSend(p, call.at, tag, k));
      }
    }
  }
  if (country !== undefined) {
    const cap = a.hourlyCaps.get(country) ?? a.hourlyCaps.get('*');
    if (cap !== undefined) {
      const k = countryCapKey(ns, country);
      step(k, countrySend(cap, call.at, k));
    }
    if (a.global) {
      const k = globalKey(ns);
      step(k, globalSend(a.global, call.at, a.global.priceOf(country), k));
    }
  }
  return steps;
}

/** An approval's bookkeeping as steps (conversion guard and prefix velocity); never refuses. */
export function approvalSteps(env: Env, phoneKey: string, n: SplitNumber, at: number): Step[] {
  const { a, ns, prefixHash, merged, conv } = env;
  const country = n.country ?? 'XX';
  const tag = phoneTag(phoneKey);
  const steps: Step[] = [];
  // Bookkeeping transitions answer `undefined`: they never refuse.
  const none = (fn: Transition<void>) => fn as StepFn;
  for (const p of a.prefixes) {
    if (p === merged) continue;
    const k = prefixKeyOf(prefixHash(n, p.trailingDigits), p.trailingDigits);
    steps.push({ key: k, fn: none(prefixVerified(p, at, tag, k)) });
  }
  if (conv?.scopes.has('prefix')) {
    const hash = prefixHash(n, conv.trailingDigits);
    const k = conversionPrefixKeyOf(hash);
    const p = merged;
    steps.push(
      p
        ? {
            key: k,
            legacyKey: prefixKeyOf(hash, p.trailingDigits),
            fn: mergedFn((legacy) => prefixGuardApproved(conv, p, at, tag, legacy, k)),
          }
        : { key: k, fn: none(conversionApproved(conv, at, tag.slice(0, REQUESTER_TAG), k)) },
    );
  }
  if (conv?.scopes.has('country')) {
    const k = conversionCountryKey(ns, country);
    steps.push({ key: k, fn: none(conversionApproved(conv, at, tag.slice(0, REQUESTER_TAG), k)) });
  }
  return steps;
}
