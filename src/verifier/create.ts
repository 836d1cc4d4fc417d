/**
 * `createVerifier`: the imperative shell. It validates input, prepares codes and digests,
 * runs one pure transition per operation through the Store port's atomic update, delivers
 * messages through the Sender port and publishes events. Every decision is in `src/core`;
 * optional features plug in through the hooks in `./hooks`.
 * @module
 */
import { withConsent } from '../consent/feature';
import { makeCheck } from './check';
import { makeCancel, makeStatus } from './manage';
import { makeResend, makeStart } from './send';
import { createShell } from './shell';
import type { Verifier, VerifierOptions } from './types';

/** Builds a verifier. Throws (once) on misconfiguration; every later failure is a value. */
export function createVerifier(options: VerifierOptions): Verifier {
  const consent = withConsent(options);
  const sh = createShell(consent.options);
  return {
    start: makeStart(sh),
    check: makeCheck(sh),
    resend: makeResend(sh),
    cancel: makeCancel(sh),
    status: makeStatus(sh),
    consent: consent.install(sh),
  };
}
