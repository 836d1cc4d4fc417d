/**
 * Pure decisions for sending: `start` and `resend`. Limits: lock, per-phone send windows,
 * per-verification sends, growing resend cooldown.
 * @module
 */
import { err, ok } from 'neverthrow';
import { recordAttempt, type SendAttempt } from '../delivery/attempts';
import type { Channel } from '../ports/sender';
import { editState, editVerification, replaceVerification } from './copy';
import { type Policy, resendCooldown } from './policy';
import type { Refusal, Step } from './refusal';
import {
  owns,
  recordRequesterSend,
  requesterLockedUntil,
  requesterWindowRetryAt,
  windowsRetryAt,
} from './requesters';
import { closeVerification, settle } from './settle';
import { ANONYMOUS, type PhoneState, type VerificationState } from './state';

/** What the shell prepared for a new verification (id, code digest, sealed number). */
export interface StartInput {
  readonly id: string;
  readonly purpose: string;
  readonly channel: Channel;
  readonly digest: string;
  readonly to: string;
  readonly sealed: string;
  /** The send's attempt, recorded with the decision (before the message leaves). */
  readonly attempt?: SendAttempt;
  /** The requester's keyed hash (default: the anonymous requester). */
  readonly by?: string;
}

export interface SendDecision {
  readonly verification: VerificationState;
  readonly sendsLeft: number;
  readonly resendAvailableAt: number;
}

/** The earliest time every send window has room again, or undefined if there is room now. */
export function windowRetryAt(state: PhoneState, now: number, policy: Policy): number | undefined {
  return windowsRetryAt(state.sends, policy.sendWindows, now);
}

/** The phone's lock, else the requester's own lock, at `now`. */
function lockRefusal(state: PhoneState, now: number, by: string): Refusal | undefined {
  if (state.lockedUntil > now) return { code: 'locked', retryAt: state.lockedUntil };
  const own = requesterLockedUntil(state, by, now);
  return own > 0 ? { code: 'locked', retryAt: own } : undefined;
}

/** The phone's send windows, then the requester's share of them. */
function sendRefusal(
  state: PhoneState,
  now: number,
  policy: Policy,
  by: string,
): Refusal | undefined {
  const at = windowRetryAt(state, now, policy) ?? requesterWindowRetryAt(state, by, now, policy);
  return at === undefined ? undefined : { code: 'send_limit_reached', retryAt: at };
}

function decision(v: VerificationState, policy: Policy): SendDecision {
  return {
    verification: v,
    sendsLeft: policy.maxSends - v.sends,
    resendAvailableAt: v.lastSendAt + resendCooldown(policy, v.sends),
  };
}

/**
 * Starts a verification: supersedes a pending one of the same purpose started by the same
 * requester (never another requester's) and records a send.
 */
export function startTransition(
  state: PhoneState,
  input: StartInput,
  now: number,
  policy: Policy,
): Step<SendDecision> {
  const d = settle(state, now, policy);
  const refuse = (r: Refusal): Step<SendDecision> => ({
    state: d.state,
    changed: d.state !== state,
    decision: err(r),
    events: d.events,
  });
  const by = input.by ?? ANONYMOUS;
  const locked = lockRefusal(d.state, now, by);
  if (locked) return refuse(locked);
  const full = sendRefusal(d.state, now, policy, by);
  if (full) return refuse(full);
  for (const v of d.state.verifications) {
    if (v.status === 'pending' && v.purpose === input.purpose && owns(v, by)) {
      closeVerification(d, v.id, 'canceled', now, policy);
    }
  }
  const lockedNow = lockRefusal(d.state, now, by);
  if (lockedNow) return refuse(lockedNow);
  const v: VerificationState = {
    id: input.id,
    purpose: input.purpose,
    channel: input.channel,
    digest: input.digest,
    to: input.to,
    sealed: input.sealed,
    createdAt: now,
    expiresAt: now + policy.codeTtlMs,
    checks: 0,
    sends: 1,
    lastSendAt: now,
    status: 'pending',
    closedAt: 0,
    ...(input.attempt ? { attempts: [input.attempt] } : {}),
    by,
  };
  const next = editState(recordRequesterSend(d.state, by, now), (m) => {
    m.sends = [...d.state.sends, now];
    m.verifications = [...d.state.verifications, v];
  });
  return { state: next, changed: true, decision: ok(decision(v, policy)), events: d.events };
}

/** Refusal for acting on a verification that is not pending. */
export function notPending(v: VerificationState | undefined): Refusal | undefined {
  if (!v) return { code: 'not_found' };
  switch (v.status) {
    case 'pending':
      return undefined;
    case 'expired':
      return { code: 'expired' };
    case 'failed':
      return { code: 'max_attempts_reached', attemptsLeft: 0 };
    default:
      return { code: 'not_found' };
  }
}

export interface ResendInput {
  readonly id: string;
  readonly digest: string;
  readonly channel?: Channel;
  /** The send's attempt, recorded with the decision (before the message leaves). */
  readonly attempt?: SendAttempt;
  /**
   * An automatic channel fallback after a delivery report said the message cannot arrive
   * (WhatsApp → SMS, SMS → voice): not
   * held to the resend cooldown (which paces people asking again), still to `maxSends` and
   * the send windows.
   */
  readonly fallback?: boolean;
  /**
   * The requester asking (default: the anonymous requester); another requester's
   * verification is `not_found` to it. An automatic fallback acts for the verification's own.
   */
  readonly by?: string;
}

/** Sends a fresh code for a pending verification; earlier codes stop working. */
export function resendTransition(
  state: PhoneState,
  input: ResendInput,
  now: number,
  policy: Policy,
): Step<SendDecision> {
  const d = settle(state, now, policy);
  const refuse = (r: Refusal): Step<SendDecision> => ({
    state: d.state,
    changed: d.state !== state,
    decision: err(r),
    events: d.events,
  });
  const found = d.state.verifications.find((x) => x.id === input.id);
  const v =
    found && (input.fallback === true || owns(found, input.by ?? ANONYMOUS)) ? found : undefined;
  const closed = notPending(v);
  if (closed || !v) return refuse(closed ?? { code: 'not_found' });
  const by = v.by ?? ANONYMOUS;
  const locked = lockRefusal(d.state, now, by);
  if (locked) return refuse(locked);
  if (v.sends >= policy.maxSends) return refuse({ code: 'send_limit_reached' });
  const availableAt = v.lastSendAt + resendCooldown(policy, v.sends);
  if (now < availableAt && input.fallback !== true) {
    return refuse({ code: 'resend_too_soon', retryAt: availableAt });
  }
  const full = sendRefusal(d.state, now, policy, by);
  if (full) return refuse(full);
  const next = editVerification(v, (m) => {
    m.digest = input.digest;
    m.channel = input.channel ?? v.channel;
    m.sends = v.sends + 1;
    m.lastSendAt = now;
    m.expiresAt = now + policy.codeTtlMs;
    if (input.attempt) m.attempts = recordAttempt(v.attempts ?? [], input.attempt);
  });
  return {
    state: editState(recordRequesterSend(replaceVerification(d.state, next), by, now), (m) => {
      m.sends = [...d.state.sends, now];
    }),
    changed: true,
    decision: ok(decision(next, policy)),
    events: d.events,
  };
}
