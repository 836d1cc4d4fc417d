/**
 * `phoneproof/types`: every type of the verifier's options, operations, events and errors,
 * for annotating application code (`TotpEnrollResult`, `ConsentHistory`, `AbuseOptions`...).
 * Types only: nothing here exists at runtime. The ones used every day are also exported by
 * the root entry; the types an adapter implements are in `phoneproof/ports`.
 * @module
 */

export type * from '../abuse/types';
export type { RandomBytes } from '../codes';
export type { ChainProblem, ChainVerdict, VerifyChainOptions } from '../consent/chain';
export type * from '../consent/types';
export type {
  LockoutPolicy,
  Policy,
  PolicyOptions,
  SendWindow,
} from '../core/policy';
export type { VerificationStatus } from '../core/state';
export type { UnsafeOptions } from '../core/strength';
export type { ErrorCode, ErrorScope, PhoneInvalidReason, VerifyError } from '../errors';
export type { ConsentFeature, TotpFeature } from '../feature/optional';
export type { ErrorBody, HttpError } from '../http/errors';
export type { MaskOptions, NormalizedPhone, NormalizeOptions } from '../phone';
export type * from '../proof/types';
export type { Secret } from '../secrets';
export type { CircuitOptions, CircuitState } from '../senders/circuit';
export type { ConsoleSenderOptions } from '../senders/console';
export type {
  FailoverEvent,
  FailoverOptions,
  FailoverSender,
  NamedSender,
  ProviderHealth,
} from '../senders/failover';
export type { RetryOptions } from '../senders/retry';
export type * from '../totp/types';
export type * from '../verifier/types';
