/**
 * phoneproof: prove a user holds a phone number. Send a one-time code by SMS or voice,
 * check it, enforce attempt limits, cooldowns and lockouts, and get proof of possession,
 * with state in your own store and messages through your own provider.
 *
 * This entry holds what an application uses every day (at most 40 names, kept by
 * `test/unit/exports.test.ts`). The rest lives in subpaths: the opt-in features
 * (`phoneproof/consent`, `/totp`), stores (`phoneproof/memory`, `/redis`, `/postgres`,
 * `/sqlite`), providers (`/twilio`, `/vonage`), frameworks
 * (`/express`, `/fastify`), every type of the options and operations (`/types`), message
 * templates and encodings (`/messages`), signed requests (`/signatures`), what an adapter
 * implements (`/ports`) and what tests use (`/testing`).
 *
 * @example
 * ```ts
 * import { createVerifier, consoleSender } from 'phoneproof';
 * import { memoryStore } from 'phoneproof/memory';
 * const verifier = createVerifier({ secret, store: memoryStore(), sender: consoleSender() });
 * const started = await verifier.start({ phone: '+12133734253' });
 * ```
 * @module
 */

export { verifyChain } from './consent/chain';
export {
  type ErrorCode,
  errorCatalog,
  errorCodes,
  httpStatus,
  type VerifyError,
  verifyError,
} from './errors';
export { type ErrorBody, httpErrorOf } from './http/errors';
export { maskPhone, type NormalizedPhone, normalizePhone } from './phone';
export type { ConsentLedger } from './ports/consent-ledger';
export type { Channel, Sender } from './ports/sender';
export type { Store } from './ports/store';
export type { VerifiedProof, VerifyProofOptions } from './proof/types';
export type { Secret } from './secrets';
export { consoleSender } from './senders/console';
export { failoverSender, type NamedSender } from './senders/failover';
export { withRetry } from './senders/retry';
export { createVerifier } from './verifier/create';
export type {
  CancelResult,
  CheckInput,
  CheckResult,
  IdInput,
  RequestContext,
  ResendInput,
  StartInput,
  StartResult,
  StatusResult,
  Verifier,
  VerifierEvent,
  VerifierOptions,
} from './verifier/types';
