/**
 * `createVerifier`: the imperative shell. It validates its own options (`./options`), builds
 * the one I/O object (`./shell`), builds the features in a fixed list (each validates its
 * options and throws on misconfiguration) and installs their hooks (`./hooks`), then the
 * operations: each builds one context and hands it to the hooks at their named points
 * (see `src/feature/feature.ts`). Every decision is in `src/core`.
 *
 * The opt-in features, consent and authenticator apps, come built by their own imports
 * (`consent(...)` from `phoneproof/consent`, `totp(...)` from `phoneproof/totp`): this module
 * reaches them only through `src/feature/optional.ts`, so an application that configures
 * neither ships neither; absent, their APIs answer "not configured".
 *
 * The list's order is the order features see an operation in ("before" points) and, reversed,
 * the order they see its end ("after" points): the clock gate first (it holds every
 * operation), then the abuse defenses (they reserve budgets before consent is asked, and
 * learn of an approval after the proof and the re-opt-in), consent (its `send` hook reads the
 * ledger right before any message leaves, test numbers included), test numbers, proofs.
 * @module
 */
import { abuseFeature } from '../abuse/feature';
import { testNumbersFeature } from '../abuse/test-numbers';
import { resolveFallback } from '../delivery/fallback';
import { absentConsent, absentTotp, optionalFeature } from '../feature/optional';
import { proofFeature } from '../proof/feature';
import { makeCheck } from './check';
import { DECISION_CLOCK } from './clock';
import { makeDelivery } from './delivery';
import { clockGate, gateOperations } from './gate';
import { hooksOf } from './hooks';
import { makeInvalidate } from './invalidate';
import { makeCancel, makeStatus } from './manage';
import { makeResend, makeStart } from './send';
import { createShell } from './shell';
import type { ProofsOf, Verifier, VerifierOptions } from './types';

/** Builds a verifier. Throws (once) on misconfiguration; every later failure is a value. */
export function createVerifier<O extends VerifierOptions>(options: O): Verifier<ProofsOf<O>> {
  const sh = createShell(options);
  const abuse = abuseFeature(options.abuse, sh);
  const tests = testNumbersFeature(options, sh);
  const consent =
    optionalFeature('consent', options.consent)?.build(sh, options.defaultCountry) ??
    absentConsent();
  const proofs = proofFeature(options.proof, sh);
  const totp = optionalFeature('totp', options.totp)?.build(sh, proofs.api).api ?? absentTotp();
  const features = [clockGate(sh), abuse, consent, tests, proofs];
  const hooks = hooksOf(features);
  sh.install(hooks);
  const fallback = resolveFallback(options.delivery?.fallback);
  const resend = makeResend(sh, hooks, fallback);
  const verifier: Verifier<ProofsOf<O>> = {
    start: makeStart(sh, hooks, fallback),
    // With proofs on, their `afterApprove` hook adds `proof` to every approval.
    check: makeCheck(sh, hooks) as Verifier<ProofsOf<O>>['check'],
    resend,
    cancel: makeCancel(sh),
    status: makeStatus(sh),
    consent: consent.api,
    delivery: makeDelivery(
      sh,
      fallback,
      resend,
      consent.api.enabled ? (phone, source) => consent.api.optOut({ phone, source }) : undefined,
    ),
    totp: totp.api,
    // The proof's kind matches the binding checked by `verify` (phone → 'phone', subject → 'subject').
    verifyProof: proofs.api.verify as Verifier['verifyProof'],
    invalidate: makeInvalidate(sh, proofs.api, totp),
    abuse: abuse.api,
  };
  const gated = gateOperations(hooks, verifier);
  Object.defineProperty(gated, DECISION_CLOCK, { value: sh.now });
  return gated;
}
