/**
 * The abuse shield: the budgets of one operation as pure steps over their records, which
 * the operation writes with its own in one atomic `updateMany` (see `./shield-run`): a
 * start's reservations, a check's requester budgets and its approval bookkeeping (conversion
 * guard, prefix velocity). @internal
 * @module
 */
import { err, ok } from 'neverthrow';
import { Recent } from '../recent';
import { requesterCheck } from './budgets';
import type { RequesterField } from './defaults';
import { countryRefusal, numberTypeRefusal } from './destination';
import { namespaceOf, prefixHasher, requesterKeysOf, type SplitNumber, splitNumber } from './keys';
import type { ResolvedAbuse } from './options';
import { type RefusalMeta, refusedError } from './refusals';
import { writeSteps } from './second-writes';
import { budgetRecords, type ShieldDeps, type Step, writesOf } from './shield-run';
import type { CheckCall, SendCall, Shield } from './shield-types';
import { approvalSteps, type Env, sendSteps } from './steps';

export type { CheckCall, SendCall, Shield, ShieldDeps };

/** Numbers recently started, by phone key: a check by id folds their approval bookkeeping. */
const STARTED = 4096;

/** What the budgets are built from, resolved once per verifier. */
function envOf(a: ResolvedAbuse, key: Uint8Array): Env {
  const conv = a.conversion;
  return {
    a,
    key,
    ns: namespaceOf(key),
    prefixHash: prefixHasher(key),
    // The prefix limit whose velocity log lives in the conversion guard's prefix record.
    merged: conv?.scopes.has('prefix')
      ? a.prefixes.find((p) => p.trailingDigits === conv.trailingDigits)
      : undefined,
    conv,
    fields: new Set<RequesterField>(a.requesters.keys()),
  };
}

/** The number split for the budgets, without a parse when the calling code is known. */
function splitOf(
  phone: string,
  callingCode: string | undefined,
  country: string | undefined,
): SplitNumber | undefined {
  if (!callingCode) return splitNumber(phone);
  const national = phone.slice(1 + callingCode.length);
  return country !== undefined ? { callingCode, national, country } : { callingCode, national };
}

export function createShield(a: ResolvedAbuse, deps: ShieldDeps): Shield {
  const { store, key, publish } = deps;
  const env = envOf(a, key);
  const { conv, fields } = env;
  const bookkeeping = conv !== undefined || a.prefixes.length > 0;
  // The split number of each recent start, in process memory only (as parsed numbers are).
  const started = new Recent<SplitNumber>(STARTED);
  const resendNeedsNumber = conv !== undefined || a.hourlyCaps.size > 0 || a.global !== undefined;
  return {
    active:
      resendNeedsNumber ||
      fields.size > 0 ||
      a.prefixes.length > 0 ||
      a.deny.size > 0 ||
      a.numberTypes !== undefined,
    resendNeedsNumber,
    store,
    beforeSend(call) {
      const { phone, country } = call;
      // Built without spreads (a conditional spread copies through V8's slow path, on every
      // start): the same fields, `to` only when there is one.
      const meta: RefusalMeta = call.to
        ? { to: call.to, context: call.context, silent: call.silent }
        : { context: call.context, silent: call.silent };
      if (call.kind === 'start' && phone !== undefined && country !== undefined) {
        const pure =
          countryRefusal(a, country) ?? numberTypeRefusal(a, phone, call.channel ?? 'sms');
        if (pure) return err(refusedError(publish, pure, call.at, meta));
      }
      const n = phone === undefined ? undefined : splitOf(phone, call.callingCode, country);
      if (call.kind === 'start' && n && bookkeeping) started.set(call.phoneKey, n);
      const steps = sendSteps(env, call, n);
      if (steps.length === 0) return ok(undefined);
      return ok({ steps, records: budgetRecords(steps, call.at, meta, publish) });
    },

    beforeCheck(c) {
      const checks: Step[] = requesterKeysOf(key, c.requester, fields).map(([field, k]) => ({
        key: k,
        fn: requesterCheck(a.requesters.get(field)!, c.at, k),
      }));
      const n = !bookkeeping ? undefined : (c.split ?? started.get(c.phoneKey));
      const approval = n ? approvalSteps(env, c.phoneKey, n, c.at) : [];
      if (checks.length === 0 && approval.length === 0) return undefined;
      const meta = { context: c.context, silent: c.silent };
      const steps = [...checks, ...approval];
      const records = budgetRecords(steps, c.at, meta, publish, checks.length);
      return { records, folded: n !== undefined };
    },

    approved(phoneKey, phone, at, split) {
      const n = split ?? splitNumber(phone);
      if (!n || !bookkeeping) return;
      writeSteps(store, approvalSteps(env, phoneKey, n, at), (o, plan) => ({
        result: undefined,
        writes: writesOf(plan, o, () => true),
      }));
    },
  };
}
