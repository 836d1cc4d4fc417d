/**
 * `createVerifier`: the imperative shell. It validates input, prepares codes and digests,
 * runs one pure transition per operation through the Store port's atomic update, delivers
 * messages through the Sender port and publishes events. Every decision is in `src/core`;
 * optional features plug in through the hooks in `./hooks`.
 * @module
 */
import { withAbuse } from '../abuse/feature';
import { withConsent } from '../consent/feature';
import { resolveFallback } from '../delivery/fallback';
import { makeProofs } from '../proof/feature';
import { makeInvalidate } from '../proof/invalidate';
import { makeTotp } from '../totp/feature';
import { makeCheck } from './check';
import { DECISION_CLOCK } from './clock';
import { makeDelivery } from './delivery';
import { gated, gatedApi } from './gate';
import { makeCancel, makeStatus } from './manage';
import { makeResend, makeStart } from './send';
import { createShell, readyNow, type Shell } from './shell';
import type { ProofsOf, Verifier, VerifierOptions } from './types';

/** Builds a verifier. Throws (once) on misconfiguration; every later failure is a value. */
export function createVerifier<O extends VerifierOptions>(options: O): Verifier<ProofsOf<O>> {
  const abuse = withAbuse(options);
  const consent = withConsent(abuse.options);
  const sh = createShell(consent.options);
  const fallback = resolveFallback(options.delivery?.fallback);
  const proofs = makeProofs(sh, options.proof);
  if (proofs.enabled) sh.hooks.afterApprove.push(proofs.hook);
  const totp = makeTotp(sh, options.totp, proofs);
  const guarded = abuse.install(sh, {
    start: makeStart(sh, fallback),
    check: makeCheck(sh),
    resend: makeResend(sh, fallback),
  });
  const consentApi = consent.install(sh);
  const verifier: Verifier<ProofsOf<O>> = {
    start: guarded.start,
    // With proofs on, the approve hook adds `proof` to every approval (see ../proof/feature).
    check: guarded.check as Verifier<ProofsOf<O>>['check'],
    resend: guarded.resend,
    cancel: makeCancel(sh),
    status: makeStatus(sh),
    consent: consentApi,
    delivery: makeDelivery(
      sh,
      fallback,
      guarded.resend,
      consentApi.enabled ? (phone, source) => consentApi.optOut({ phone, source }) : undefined,
    ),
    totp: totp.api,
    // The proof's kind matches the binding checked by `verify` (phone → 'phone', subject → 'subject').
    verifyProof: proofs.verify as Verifier['verifyProof'],
    invalidate: makeInvalidate(sh, proofs, totp),
    abuse: abuse.info,
  };
  const gatedVerifier = gateOperations(sh, verifier);
  Object.defineProperty(gatedVerifier, DECISION_CLOCK, { value: sh.now });
  return gatedVerifier;
}

/**
 * Every operation waits for the decision clock (see `./clock`); unchanged when decisions
 * use an injected `now` or a store without a clock.
 */
function gateOperations<P extends boolean>(sh: Shell, v: Verifier<P>): Verifier<P> {
  if (sh.clockReady === readyNow) return v;
  return {
    ...v,
    start: gated(sh, v.start),
    check: gated(sh, v.check),
    resend: gated(sh, v.resend),
    cancel: gated(sh, v.cancel),
    status: gated(sh, v.status),
    delivery: gated(sh, v.delivery),
    consent: gatedApi(sh, v.consent),
    totp: gatedApi(sh, v.totp),
    verifyProof: gated(sh, v.verifyProof),
    invalidate: gated(sh, v.invalidate),
  };
}
