/**
 * The consent checks around sends: the send guard (opt-outs and required consent, with
 * `start` refused alike for both), the delivery re-check's one exception (a held re-opt-in's
 * code), and the approval hook that records a held re-opt-in (`./reopt-in`). @internal
 * @module
 */
import { errAsync, ok, okAsync, ResultAsync } from 'neverthrow';
import { type VerifyError, verifyError } from '../errors';
import { storeError } from '../feature/errors';
import type { FeatureHooks, SendContext } from '../feature/feature';
import type { RequestContext } from '../feature/operation-types';
import type { SendOutcome } from '../ports/sender';
import type { makeConsentApi, Setup } from './api';
import { givenOf, matchesRequired } from './input';
import {
  heldResendRefusal,
  openPending,
  REOPT_IN_TTL_MS,
  reoptInKey,
  sealPending,
} from './reopt-in';
import { type ConsentStatus, sendRefusal, statusOf } from './status';

export const optedOutOutcome: SendOutcome = {
  ok: false,
  error: {
    kind: 'permanent',
    reason: 'opted_out',
    message: 'The number opted out of messages while this request was in progress.',
  },
};

/** Whether verification `id` carries a consent waiting for its approval; a failed read is the store's error. */
function heldFor(s: Setup, id: string): ResultAsync<boolean, VerifyError> {
  return ResultAsync.fromPromise(
    Promise.resolve().then(() => s.sh.store.get(reoptInKey(id))),
    storeError,
  ).map((v) => v !== undefined);
}

/**
 * `heldFor` for the send-time gate, where a failed read is "nothing held": the send is then
 * refused as opted out, which is the safe way to fail there (nothing is answered from it).
 */
export function pendingFor(s: Setup, id: string): Promise<boolean> {
  return heldFor(s, id).unwrapOr(false);
}

/**
 * Refuses sends to opted-out phones, and to phones without a current consent when required.
 * A `start` is refused with `consent_required` either way, so its answer does not tell an
 * opted-out number from one that never consented. A consent given with `start` for an
 * opted-out number is held until the code is verified (`./reopt-in`).
 */
export function consentGuard(
  s: Setup,
  api: ReturnType<typeof makeConsentApi>,
): (req: SendContext) => ResultAsync<undefined, VerifyError> {
  const refusal = (st: ConsentStatus, kind: 'start' | 'resend') => {
    const r = sendRefusal(st, kind === 'start' ? s.required?.version : undefined);
    if (r === undefined) return okAsync<undefined, VerifyError>(undefined);
    return errAsync(verifyError(kind === 'start' ? 'consent_required' : r));
  };
  return (req) => {
    const raw = req.input.consent;
    if (raw === undefined) {
      return s.book
        .head(req.phoneKey)
        .map(statusOf)
        .andThen((st) =>
          req.op === 'resend' && st.state === 'opted_out'
            ? // A failed read answers the store's error, not `opted_out` (that would name the state).
              heldFor(s, req.id).andThen((held) =>
                held ? errAsync(heldResendRefusal(req.at)) : refusal(st, 'resend'),
              )
            : refusal(st, req.op),
        );
    }
    if (req.op !== 'start') {
      return errAsync(
        verifyError('invalid_request', { message: '`consent` is given with `start` only.' }),
      );
    }
    const id = req.id;
    const context = req.context as RequestContext | undefined;
    // The channel consent is given for: the one named, else the start's.
    const given = givenOf(raw, context, 'consent.')
      .map((g) => (g.channel === undefined && req.channel ? { ...g, channel: req.channel } : g))
      .andThen((g) => matchesRequired(g, s.required));
    if (given.isErr()) return errAsync(given.error);
    return api
      .recordGiven({
        phoneKey: req.phoneKey,
        phone: req.phone?.number ?? '',
        given: given.value,
        at: req.at,
        silent: req.silent,
        context,
        unlessOptedOut: true,
      })
      .andThen((st) => {
        if (st.state !== 'opted_out') return refusal(st, 'start');
        // Opted out: keep the consent until this verification is approved; send its code.
        const sealed = sealPending(
          s.sh.ring,
          id,
          { given: given.value, at: req.at },
          s.sh.random(12),
        );
        return ResultAsync.fromPromise(
          Promise.resolve().then(() =>
            s.sh.store.update(reoptInKey(id), () => ({
              result: undefined,
              write: { value: sealed, ttlMs: REOPT_IN_TTL_MS },
            })),
          ),
          storeError,
        ).map(() => undefined);
      });
  };
}

/**
 * After an approval: records the consent held for this verification (a re-opt-in proven by
 * possession of the number) and forgets it. Best effort: a failure leaves the opt-out in
 * force and the check approved (the person can start again with consent).
 */
export function confirmReoptIn(
  s: Setup,
  api: ReturnType<typeof makeConsentApi>,
): NonNullable<FeatureHooks['afterApprove']> {
  return (result, req) =>
    new ResultAsync(
      (async () => {
        try {
          const key = reoptInKey(result.id);
          const sealed = await s.sh.store.get(key);
          if (sealed === undefined) return ok(result);
          const pending = openPending(s.sh.ring, result.id, sealed);
          if (pending) {
            await api.recordGiven({
              // The phone key the operation already holds (from the id or the parse).
              phoneKey: req.phoneKey,
              phone: result.phone,
              given: pending.given,
              at: req.at,
              silent: req.silent,
              context: req.context,
            });
          }
          await s.sh.store.update(key, () => ({ result: undefined, write: { delete: true } }));
        } catch {
          // best effort (see above)
        }
        return ok(result);
      })(),
    );
}
