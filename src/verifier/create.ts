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
import { makeDelivery } from './delivery';
import { makeCancel, makeStatus } from './manage';
import { makeResend, makeStart } from './send';
import { createShell } from './shell';
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
  return {
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
}
