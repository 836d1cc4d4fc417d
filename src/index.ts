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

export type * from './abuse/types';
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
export { POLICY_FLOOR, policyWeaknesses, type UnsafeOptions } from './core/strength';
export {
  applyReport,
  attemptOf,
  MAX_ATTEMPTS,
  type ReportApplied,
  recordAttempt,
  type SendAttempt,
} from './delivery/attempts';
export {
  type DeliveryReason,
  deliveryError,
  FAILOVER_REASONS,
  isPermanent,
  isRetryable,
  PERMANENT_REASONS,
  RETRY_REASONS,
} from './delivery/errors';
export { type FallbackPolicy, fallbackChannel, isOptOut } from './delivery/fallback';
export {
  type DeliveryReport,
  type DeliveryState,
  deliveryRef,
  refOf,
  type WebhookParams,
  withRef,
} from './delivery/report';
export {
  type ErrorCode,
  type ErrorScope,
  errorCatalog,
  errorCodes,
  httpStatus,
  type PhoneInvalidReason,
  type VerifyError,
  verifyError,
} from './errors';
export { type ErrorBody, type HttpError, httpErrorOf } from './http/errors';
export { BUILTIN_TEMPLATES, builtinLocales, type LocaleStrings } from './messages/catalog';
export { defaultRenderer, type MessageContext, type MessageRenderer } from './messages/render';
export {
  createRenderer,
  type LocalizedTemplate,
  type RenderedMessage,
  type RendererOptions,
  type Template,
  type TemplateRenderer,
} from './messages/renderer';
export { isGsm7, type SmsEncoding, type SmsInfo, smsInfo, toGsm7 } from './messages/sms-encoding';
export { spokenCode, ttsLanguage, voiceLines } from './messages/voice';
export {
  type OriginBoundCode,
  originBoundLine,
  parseOriginBoundCode,
  type WebOtpOptions,
} from './messages/webotp';
export {
  type MaskOptions,
  maskPhone,
  type NormalizedPhone,
  type NormalizeOptions,
  normalizePhone,
} from './phone';
export type {
  ConsentAppend,
  ConsentAppendFn,
  ConsentChain,
  ConsentEntry,
  ConsentHead,
  ConsentKind,
  ConsentLedger,
} from './ports/consent-ledger';
export type {
  Channel,
  DeliveryError,
  OutgoingMessage,
  Sender,
  SendOutcome,
} from './ports/sender';
export {
  type Store,
  StoreConflictError,
  type StoreTransition,
  type StoreWrite,
  type Transition,
} from './ports/store';
export { StoreSchemaError } from './ports/store-schema';
export type * from './proof/types';
export type { Secret } from './secrets';
export type { CircuitOptions, CircuitState } from './senders/circuit';
export { type ConsoleSenderOptions, consoleSender } from './senders/console';
export {
  type FailoverEvent,
  type FailoverOptions,
  type FailoverSender,
  failoverSender,
  type NamedSender,
  type ProviderHealth,
} from './senders/failover';
export {
  type OutboxMessage,
  type OutboxOptions,
  type OutboxSender,
  outboxSender,
} from './senders/outbox';
export { type RetryOptions, withRetry } from './senders/retry';
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
