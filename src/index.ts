/**
 * phoneproof: prove a user holds a phone number. Send a one-time code by SMS or voice,
 * check it, enforce attempt limits, cooldowns and lockouts, and get proof of possession,
 * with state in your own store and messages through your own provider.
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
export { ALPHANUMERIC_ALPHABET, NUMERIC_ALPHABET, type RandomBytes } from './codes';
export {
  type ChainProblem,
  type ChainVerdict,
  type VerifyChainOptions,
  verifyChain,
} from './consent/chain';
export { consentKeywords, type KeywordAction, parseKeyword } from './consent/keywords';
export type * from './consent/types';
export {
  defaultPolicy,
  type LockoutPolicy,
  type Policy,
  type PolicyOptions,
  resolvePolicy,
  type SendWindow,
} from './core/policy';
export type { VerificationStatus } from './core/state';
export {
  type ErrorCode,
  errorCatalog,
  errorCodes,
  httpStatus,
  type PhoneInvalidReason,
  type VerifyError,
  verifyError,
} from './errors';
export { defaultRenderer, type MessageContext, type MessageRenderer } from './messages/render';
export {
  type MaskOptions,
  maskPhone,
  type NormalizedPhone,
  type NormalizeOptions,
  normalizePhone,
} from './phone';
export type {
  Channel,
  DeliveryError,
  OutgoingMessage,
  Sender,
  SendOutcome,
} from './ports/sender';
export type {
  ConsentAppend,
  ConsentAppendFn,
  ConsentChain,
  ConsentEntry,
  ConsentHead,
  ConsentKind,
  ConsentLedger,
} from './ports/consent-ledger';
export type { Store, StoreTransition, StoreWrite, Transition } from './ports/store';
export type * from './proof/types';
export type { Secret } from './secrets';
export { type ConsoleSenderOptions, consoleSender } from './senders/console';
export {
  type OutboxMessage,
  type OutboxOptions,
  type OutboxSender,
  outboxSender,
} from './senders/outbox';
export {
  DEFAULT_SKEW_MS,
  type RequestSignatureCheck,
  requestSignatureCheck,
  SIGNATURE_HEADER,
  type SignatureOptions,
  type SignedCaller,
  type SignedHeaders,
  type SignedRequest,
  type SignRequestInput,
  SYSTEM_HEADER,
  signRequest,
  TIMESTAMP_HEADER,
  verifyRequestSignature,
} from './signatures/index';
export type * from './totp/types';
export { createVerifier } from './verifier/create';
export type * from './verifier/types';
