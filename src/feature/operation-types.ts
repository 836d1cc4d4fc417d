/**
 * The types operations and features share: the requester data a call carries, the answers of
 * `start` and `check`, and the events. A neutral module (it imports no feature and no
 * verifier module), so features and the verifier's public types both import it without a
 * cycle. Re-exported by `src/verifier/types.ts`.
 * @module
 */
import type { DeliveryState } from '../delivery/report';
import type { ErrorCode, ErrorScope } from '../errors';
import type { Channel } from '../ports/sender';
import type { ProofOptions } from '../proof/types';

/** Requester data (the reference endpoints' device id, OS, IP...). Passed to events. */
export interface RequestContext {
  // `| undefined`: `context: { ip: req.ip }` compiles under exactOptionalPropertyTypes.
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly deviceId?: string | undefined;
  readonly os?: string | undefined;
  readonly userId?: string | undefined;
  readonly [key: string]: unknown;
}

/** Fields every operation accepts. */
export interface CallOptions {
  /** Suppress events for this call (the reference endpoint's prevent-webhook flag). */
  readonly silent?: boolean;
  readonly context?: RequestContext;
}

export interface StartResult {
  /** Opaque verification id: the second-factor token tying start to check. */
  readonly id: string;
  /** Masked destination, e.g. `+1 ••• ••• ••53`. */
  readonly to: string;
  readonly channel: Channel;
  readonly purpose: string;
  /** Epoch ms when the code stops being accepted. */
  readonly expiresAt: number;
  /** Epoch ms from which `resend` is allowed. */
  readonly resendAvailableAt: number;
  readonly sendsLeft: number;
  /** Provider message id of the send. */
  readonly messageId: string;
}

/**
 * Whether a verifier issues proof tokens, from its options' type: `true` unless `proof: false`
 * (proofs are on by default), `boolean` when the options' type does not say.
 */
export type ProofsOf<O> = O extends { readonly proof: false }
  ? false
  : O extends { readonly proof: ProofOptions }
    ? true
    : 'proof' extends keyof O
      ? boolean
      : true;

/**
 * `check`'s approval. `Proofs` is `true` when the verifier issues proofs (then `proof: string`),
 * `false` with `proof: false`, `boolean` when unknown (then `proof?: string`).
 */
export type CheckResult<Proofs extends boolean = boolean> = CheckResultFields &
  ([Proofs] extends [true]
    ? {
        /** Signed proof of the verification; check it with `verifyProof`. */ readonly proof: string;
      }
    : [Proofs] extends [false]
      ? { readonly proof?: undefined }
      : {
          /** Signed proof of the verification (unless `proof: false`); check it with `verifyProof`. */
          readonly proof?: string;
        });

interface CheckResultFields {
  readonly status: 'approved';
  readonly id: string;
  /** The verified number, E.164. */
  readonly phone: string;
  readonly to: string;
  readonly purpose: string;
  /** Epoch ms. */
  readonly verifiedAt: number;
}

/** Events published to `onEvent`. Phone numbers appear only masked. */
export type VerifierEvent =
  | EventBase<'verification.started', { channel: Channel }>
  | EventBase<'verification.sent', { channel: Channel; messageId: string; provider?: string }>
  | EventBase<'verification.delivery_failed', { channel: Channel; reason: string; kind: string }>
  | EventBase<
      'verification.delivery_status',
      {
        channel: Channel;
        messageId: string;
        provider?: string;
        status: DeliveryState;
        reason?: string;
        errorCode?: string;
      }
    >
  | EventBase<'verification.approved', Record<never, never>>
  | EventBase<'verification.check_failed', { attemptsLeft: number }>
  | EventBase<'verification.failed', Record<never, never>>
  | EventBase<'verification.expired', Record<never, never>>
  | EventBase<'verification.canceled', Record<never, never>>
  | EventBase<'phone.locked', { until: number }>
  | EventBase<'abuse.refused', { code: ErrorCode; scope: ErrorScope; retryAfter?: number }>
  | EventBase<
      'abuse.paused',
      { scope: 'prefix' | 'country'; until: number; sends: number; approvals: number }
    >
  | EventBase<'abuse.budget_warning', { unit: 'messages' | 'cost'; used: number; limit: number }>
  | EventBase<'consent.opted_in', { source: string; version?: string; seq: number; hash: string }>
  | EventBase<'consent.opted_out', { source: string; keyword?: string; seq: number; hash: string }>;

export type EventBase<T extends string, X> = {
  readonly type: T;
  /** Epoch ms. */
  readonly at: number;
  /**
   * The verification the event is about, as a keyed hash of its id: equal in every event of
   * one verification, never accepted as an id (events are often logged; ids are handles).
   */
  readonly ref?: string;
  /** Masked number. */
  readonly to?: string;
  readonly purpose?: string;
  readonly context?: RequestContext;
} & Readonly<X>;

export type VerifierEventType = VerifierEvent['type'];

/** What the verifier's abuse defenses enforce (read-only; e.g. for the HTTP adapters' checks). */
export interface AbuseInfo {
  /** The requester fields with a budget (`abuse.requesters`): `'ip'` means per-IP budgets are on. */
  readonly requesterBudgets: readonly ('ip' | 'deviceId' | 'userId')[];
}
