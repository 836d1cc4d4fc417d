/**
 * The verifier's public types: options, operation inputs and results (the types shared
 * with features, and the events, are in `src/feature/operation-types.ts`, re-exported here).
 * @module
 */

import type { ResultAsync } from 'neverthrow';
import type { AbuseOptions, TestNumber } from '../abuse/types';
import type { RandomBytes } from '../codes';
import type { ConsentApi, ConsentGiven } from '../consent/types';
import type { PolicyOptions } from '../core/policy';
import type { VerificationStatus } from '../core/state';
import type { UnsafeOptions } from '../core/strength';
import type { SendAttempt } from '../delivery/attempts';
import type { FallbackPolicy } from '../delivery/fallback';
import type { DeliveryReport } from '../delivery/report';
import type { VerifyError } from '../errors';
import type {
  AbuseInfo,
  CallOptions,
  CheckResult,
  ProofsOf,
  StartResult,
  VerifierEvent,
} from '../feature/operation-types';
import type { ConsentFeature, TotpFeature } from '../feature/optional';
import type { MessageRenderer } from '../messages/render';
import type { Channel, Sender } from '../ports/sender';
import type { Store } from '../ports/store';
import type {
  InvalidateInput,
  InvalidateResult,
  ProofOptions,
  VerifiedProofFor,
  VerifyProofOptions,
} from '../proof/types';
import type { Secret } from '../secrets';
import type { TotpApi } from '../totp/types';

export type * from '../feature/operation-types';

export interface StartInput extends CallOptions {
  readonly phone: string;
  readonly channel?: Channel;
  /** What the verification is for; a code for one purpose never satisfies another (default `verify`). */
  readonly purpose?: string;
  readonly locale?: string;
  /** Named message template (see the delivery docs). */
  readonly template?: string;
  /** An opt-in to record before sending (needs `consent` in the options; see docs/consent.md). */
  readonly consent?: ConsentGiven;
  /**
   * Repeating a start with this key while its verification lives returns the same
   * verification and sends nothing; the same key with other parameters is refused
   * (`idempotency_conflict`). 1-255 visible ASCII characters. See docs/abuse.md.
   */
  readonly idempotencyKey?: string;
}

export type CheckInput =
  | (CallOptions & { readonly id: string; readonly code: string })
  | (CallOptions & { readonly phone: string; readonly code: string; readonly purpose?: string });

export interface ResendInput extends CallOptions {
  readonly id: string;
  readonly channel?: Channel;
  readonly locale?: string;
  readonly template?: string;
}

export interface IdInput extends CallOptions {
  readonly id: string;
}

export interface StatusResult {
  readonly id: string;
  readonly status: VerificationStatus;
  readonly to: string;
  readonly channel: Channel;
  readonly purpose: string;
  readonly attemptsLeft: number;
  readonly sendsLeft: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly resendAvailableAt: number;
  /** Failed verifications counted toward the next lock (AccessFailedCount). */
  readonly failedVerifications: number;
  /** Epoch ms when the phone's lock ends; null when not locked (LockoutEndDateUtc). */
  readonly lockedUntil: number | null;
  /** Each message sent and its delivery status, oldest first (Twilio's send_code_attempts). */
  readonly attempts: readonly SendAttempt[];
}

/** A provider's delivery report for `verifier.delivery` (from a parsed status webhook). */
export interface DeliveryInput extends CallOptions {
  /** `parseTwilioStatus`, `parseVonageReceipt`, `parseVonageCallEvent`...; needs its `ref`. */
  readonly report: DeliveryReport;
}

export interface DeliveryResult {
  /** The verification the message belongs to. */
  readonly id: string;
  /** The send attempt after the report. */
  readonly attempt: SendAttempt;
  /** False when the report was not newer than what was recorded (repeated, out of order). */
  readonly changed: boolean;
  /** Set when the report made the verification fall back to another channel (SMS, voice). */
  readonly fallback?: StartResult;
}

export interface CancelResult {
  readonly id: string;
  readonly status: VerificationStatus;
}

export interface VerifierOptions {
  /**
   * HMAC/encryption secret, at least 32 bytes. A list rotates: new codes use the first,
   * checks accept any.
   */
  readonly secret: Secret | readonly Secret[];
  /** Secret for store keys (default: the last of `secret`, so prepending a new one keeps state). */
  readonly lookupSecret?: Secret;
  readonly store: Store;
  readonly sender: Sender;
  /** Clock, epoch ms (default `Date.now`). */
  readonly now?: () => number;
  /** CSPRNG (default `crypto.randomBytes`). */
  readonly randomBytes?: RandomBytes;
  /**
   * Limits. Refused when a guesser's chance against one phone exceeds 1e-3 per day, with
   * no send window, or with codes living over an hour, unless `unsafe.weakPolicy`.
   */
  readonly policy?: PolicyOptions;
  /**
   * Explicit opt-outs of safety floors: `{ weakPolicy: true }` accepts a policy below the
   * floor (tests, benchmarks). See docs/security.md.
   */
  readonly unsafe?: UnsafeOptions;
  /**
   * ISO alpha-2 countries accepted; omitted: all. The one allow list (`abuse.countries.allow`
   * is its deprecated spelling).
   */
  readonly allowedCountries?: readonly string[];
  /** Country for numbers written without a country code. */
  readonly defaultCountry?: string;
  /** Name shown in messages (default `phoneproof`). */
  readonly appName?: string;
  readonly defaultLocale?: string;
  /** Custom message text. */
  readonly messages?: MessageRenderer;
  /** Receives events; errors it throws are swallowed so they never fail an operation. */
  readonly onEvent?: (event: VerifierEvent) => void | Promise<void>;
  /** Digits left visible by `maskPhone` in results and events (default 2). */
  readonly maskVisible?: number;
  /**
   * Abuse defenses: requester budgets, prefix velocity and the conversion guard are on by
   * default; country rules, number types and a global budget are opt-in. `false` turns them
   * all off. See docs/abuse.md.
   */
  readonly abuse?: AbuseOptions | false;
  /**
   * Numbers that get no message and accept a fixed code, e.g. `{ '+15005550006': '123456' }`
   * (limits still apply). Refused when NODE_ENV=production unless
   * `allowTestNumbersInProduction`.
   */
  readonly testNumbers?: Readonly<Record<string, TestNumber>>;
  readonly allowTestNumbersInProduction?: boolean;
  /**
   * Consent ledger and policy (opt-outs, required opt-in version): `consent({ ledger, ... })`
   * from `phoneproof/consent`; see docs/consent.md. Absent, `verifier.consent` answers
   * "not configured".
   */
  readonly consent?: ConsentFeature;
  /** Proof tokens returned on approval (default on, 5 min); `false` turns them off. See docs/proof-tokens.md. */
  readonly proof?: ProofOptions | false;
  /**
   * Authenticator apps (TOTP) as a second factor: `totp({ issuer, ... })` from
   * `phoneproof/totp`; see docs/totp.md. Absent, `verifier.totp` answers "not configured".
   */
  readonly totp?: TotpFeature;
  /**
   * Delivery policy. `fallback.voiceOn`: permanent SMS failures after which the verification
   * is called instead (default `['not_mobile']`; `false`: never); `fallback.smsOn`: permanent
   * WhatsApp failures after which it is sent by SMS (default `['not_on_whatsapp']`). See
   * docs/delivery.md.
   */
  readonly delivery?: { readonly fallback?: FallbackPolicy };
}

/** `Proofs`: whether `check` approvals carry a proof token (see {@link ProofsOf}). */
export interface Verifier<Proofs extends boolean = boolean> {
  start(input: StartInput): ResultAsync<StartResult, VerifyError>;
  check(input: CheckInput): ResultAsync<CheckResult<Proofs>, VerifyError>;
  resend(input: ResendInput): ResultAsync<StartResult, VerifyError>;
  cancel(input: IdInput): ResultAsync<CancelResult, VerifyError>;
  status(input: IdInput): ResultAsync<StatusResult, VerifyError>;
  /** Records a provider's delivery report (status webhook) on the verification that sent it. */
  delivery(input: DeliveryInput): ResultAsync<DeliveryResult, VerifyError>;
  /** Consent records: opt-in, opt-out, inbound keywords, history, erasure. */
  readonly consent: ConsentApi;
  /** Authenticator apps (TOTP): enroll, confirm, verify, recovery codes, challenges. */
  readonly totp: TotpApi;
  /** Checks a proof token: signature, expiry, purpose, binding, security stamp, single use. */
  verifyProof<const O extends VerifyProofOptions>(
    token: string,
    options: O,
  ): ResultAsync<VerifiedProofFor<O>, VerifyError>;
  /** Security-stamp change: cancels pending codes, revokes current TOTP codes and outstanding proofs. */
  invalidate(input: InvalidateInput): ResultAsync<InvalidateResult, VerifyError>;
  /** The abuse defenses in force (which requester budgets are on). */
  readonly abuse: AbuseInfo;
}
