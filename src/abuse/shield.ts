/**
 * The abuse shield: runs the budgets of one operation through the Store port. Each budget is
 * one atomic `store.update`; they run in parallel, and if any refuses (or the operation is
 * later abandoned) the room the others reserved is given back. @internal
 * @module
 */
import { errAsync, ok } from 'neverthrow';
import type { Transition } from '../ports/store';
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
import type { Reservation } from './records';
import { type Release, type ShieldDeps, type Step, shieldRunner } from './shield-run';
import type { SendCall, Shield } from './shield-types';
import type { PrefixLimit } from './types';
import type { DistinctLog } from './window';

export type { Release, SendCall, Shield, ShieldDeps };

const isLegacy = (x: unknown): x is { readonly legacy: true } =>
  typeof x === 'object' && x !== null && (x as { legacy?: unknown }).legacy === true;

const ignore = () => undefined;

/** What the shield's budgets are built from (resolved once per verifier). */
interface Env {
  readonly a: ResolvedAbuse;
  readonly key: Uint8Array;
  readonly ns: string;
  readonly prefixHash: ReturnType<typeof prefixHasher>;
  readonly merged: PrefixLimit | undefined;
  readonly conv: ResolvedAbuse['conversion'];
  readonly fields: ReadonlySet<RequesterField>;
  readonly update: <T>(k: string, fn: Transition<T>) => Promise<T>;
  readonly updateMerged: <T>(
    k: string,
    hash: string,
    fn: (legacy?: DistinctLog) => Transition<Merged<T>>,
  ) => Promise<T>;
}

/** The budgets of one send, in rank order (see `Step`). */
function sendSteps(env: Env, call: SendCall): Step[] {
  const { a, key, ns, prefixHash, merged, conv, fields, update, updateMerged } = env;
  const { phone, country } = call;
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
      call.kind === 'start' ? conversionRequester(key, call.requester, call.phoneKey) : undefined;
    if (conv.scopes.has('prefix')) {
      const hash = prefixHash(n, conv.trailingDigits);
      const k = conversionPrefixKeyOf(hash);
      if (merged && call.kind === 'start') {
        const p = merged;
        guard = {
          key: k,
          exec: () =>
            updateMerged(k, hash, (legacy) => prefixGuardSend(conv, p, call.at, tag, who, legacy)),
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
  return steps;
}

/** Records an approval (see `Shield.approved`); store failures are ignored. */
function recordApproval(
  env: Env,
  phoneKey: string,
  phone: string,
  at: number,
  split: SplitNumber | undefined,
): void {
  const { a, ns, prefixHash, merged, conv, update, updateMerged } = env;
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
}

export function createShield(a: ResolvedAbuse, deps: ShieldDeps): Shield {
  const { store, key } = deps;
  const { update, run, refused } = shieldRunner(deps);
  const fields = new Set<RequesterField>(a.requesters.keys());
  const conv = a.conversion;
  const ns = namespaceOf(key);
  const prefixHash = prefixHasher(key);
  // The prefix limit whose velocity log lives in the conversion guard's prefix record.
  const merged = conv?.scopes.has('prefix')
    ? a.prefixes.find((p) => p.trailingDigits === conv.trailingDigits)
    : undefined;

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

  const env: Env = { a, key, ns, prefixHash, merged, conv, fields, update, updateMerged };
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
      const steps = sendSteps(env, call);
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
      recordApproval(env, phoneKey, phone, at, split);
    },
  };
}
