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
import { closeVerification, settle } from './settle';
import type { PhoneState, VerificationState } from './state';

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
}

export interface SendDecision {
  readonly verification: VerificationState;
  readonly sendsLeft: number;
  readonly resendAvailableAt: number;
}

/** The earliest time every send window has room again, or undefined if there is room now. */
export function windowRetryAt(state: PhoneState, now: number, policy: Policy): number | undefined {
  let retryAt: number | undefined;
  for (const w of policy.sendWindows) {
    const inWindow = state.sends.filter((t) => t > now - w.windowMs);
    if (inWindow.length >= w.max) {
      const freeAt = inWindow[inWindow.length - w.max]! + w.windowMs;
      retryAt = Math.max(retryAt ?? 0, freeAt);
    }
  }
  return retryAt;
}

function lockRefusal(state: PhoneState, now: number): Refusal | undefined {
  return state.lockedUntil > now ? { code: 'locked', retryAt: state.lockedUntil } : undefined;
}

function decision(v: VerificationState, policy: Policy): SendDecision {
  return {
    verification: v,
    sendsLeft: policy.maxSends - v.sends,
    resendAvailableAt: v.lastSendAt + resendCooldown(policy, v.sends),
  };
}

/** Starts a verification: supersedes a pending one of the same purpose and records a send. */
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
  const locked = lockRefusal(d.state, now);
  if (locked) return refuse(locked);
  const windowAt = windowRetryAt(d.state, now, policy);
  if (windowAt !== undefined) return refuse({ code: 'send_limit_reached', retryAt: windowAt });
  for (const v of d.state.verifications) {
    if (v.status === 'pending' && v.purpose === input.purpose) {
      closeVerification(d, v.id, 'canceled', now, policy);
    }
  }
  const lockedNow = lockRefusal(d.state, now);
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
  };
  const next = editState(d.state, (m) => {
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
   * An automatic voice fallback after a delivery report said the SMS cannot arrive: not
   * held to the resend cooldown (which paces people asking again), still to `maxSends` and
   * the send windows.
   */
  readonly fallback?: boolean;
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
  const v = d.state.verifications.find((x) => x.id === input.id);
  const closed = notPending(v);
  if (closed || !v) return refuse(closed ?? { code: 'not_found' });
  const locked = lockRefusal(d.state, now);
  if (locked) return refuse(locked);
  if (v.sends >= policy.maxSends) return refuse({ code: 'send_limit_reached' });
  const availableAt = v.lastSendAt + resendCooldown(policy, v.sends);
  if (now < availableAt && input.fallback !== true) {
    return refuse({ code: 'resend_too_soon', retryAt: availableAt });
  }
  const windowAt = windowRetryAt(d.state, now, policy);
  if (windowAt !== undefined) return refuse({ code: 'send_limit_reached', retryAt: windowAt });
  const next = editVerification(v, (m) => {
    m.digest = input.digest;
    m.channel = input.channel ?? v.channel;
    m.sends = v.sends + 1;
    m.lastSendAt = now;
    m.expiresAt = now + policy.codeTtlMs;
    if (input.attempt) m.attempts = recordAttempt(v.attempts ?? [], input.attempt);
  });
  return {
    state: editState(replaceVerification(d.state, next), (m) => {
      m.sends = [...d.state.sends, now];
    }),
    changed: true,
    decision: ok(decision(next, policy)),
    events: d.events,
  };
}
