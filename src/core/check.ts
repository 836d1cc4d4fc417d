/**
 * Pure decisions for checking a code, canceling, and reading a verification's status.
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import { editState, editVerification, replaceVerification } from './copy';
import type { Policy } from './policy';
import { resendCooldown } from './policy';
import type { Refusal, Step } from './refusal';
import { approvedBy, owns, requesterLockedUntil, requesterOf } from './requesters';
import { notPending } from './send';
import { closeVerification, settle } from './settle';
import {
  ANONYMOUS,
  type PhoneState,
  type VerificationState,
  type VerificationStatus,
} from './state';

/** Which verification a check targets: by id, or the pending one for a purpose. */
export type CheckTarget = { readonly id: string } | { readonly purpose: string };

/** Decides whether a submitted code matches a verification (constant-time, in the shell). */
export type CodeMatcher = (v: VerificationState) => boolean;

/**
 * Finds the targeted verification among those requester `by` started: by id, or the newest
 * one with the purpose. Another requester's verification is not found.
 */
export function findTarget(
  state: PhoneState,
  target: CheckTarget,
  by: string = ANONYMOUS,
): VerificationState | undefined {
  if ('id' in target) {
    const v = state.verifications.find((x) => x.id === target.id);
    return v && owns(v, by) ? v : undefined;
  }
  const same = state.verifications.filter((v) => v.purpose === target.purpose && owns(v, by));
  return same.find((v) => v.status === 'pending') ?? same[same.length - 1];
}

/** Evaluates one check. Only a pending, unlocked verification with checks left is evaluated. */
export function checkTransition(
  state: PhoneState,
  target: CheckTarget,
  matches: CodeMatcher,
  now: number,
  policy: Policy,
  by: string = ANONYMOUS,
): Step<VerificationState> {
  const d = settle(state, now, policy);
  const refuse = (r: Refusal): Step<VerificationState> => ({
    state: d.state,
    changed: d.state !== state,
    decision: err(r),
    events: d.events,
  });
  const v = findTarget(d.state, target, by);
  const closed = notPending(v);
  if (closed || !v) return refuse(closed ?? { code: 'not_found' });
  if (d.state.lockedUntil > now) return refuse({ code: 'locked', retryAt: d.state.lockedUntil });
  const own = requesterLockedUntil(d.state, v.by ?? ANONYMOUS, now);
  if (own > 0) return refuse({ code: 'locked', retryAt: own });
  if (v.checks >= policy.maxChecks)
    return refuse({ code: 'max_attempts_reached', attemptsLeft: 0 });
  const checked = editVerification(v, (m) => {
    m.checks = v.checks + 1;
  });
  if (matches(v)) {
    const approved = editVerification(checked, (m) => {
      m.status = 'approved';
      m.closedAt = now;
    });
    d.state = editState(approvedBy(replaceVerification(d.state, approved), checked), (m) => {
      m.failures = 0;
      m.locks = 0;
      m.lastFailureAt = 0;
      delete m.failers;
    });
    return { state: d.state, changed: true, decision: ok(approved), events: d.events };
  }
  d.state = replaceVerification(d.state, checked);
  const attemptsLeft = policy.maxChecks - checked.checks;
  if (attemptsLeft === 0) closeVerification(d, v.id, 'failed', now, policy);
  return {
    state: d.state,
    changed: true,
    decision: err({ code: 'code_mismatch', attemptsLeft }),
    events: d.events,
  };
}

/**
 * Cancels a pending verification (idempotent for one already closed). Only its requester
 * may: to another, it is `not_found`.
 */
export function cancelTransition(
  state: PhoneState,
  id: string,
  now: number,
  policy: Policy,
  by: string = ANONYMOUS,
): Step<VerificationStatus> {
  const d = settle(state, now, policy);
  const v = findTarget(d.state, { id }, by);
  if (!v) {
    return {
      state: d.state,
      changed: d.state !== state,
      decision: err({ code: 'not_found' }),
      events: d.events,
    };
  }
  if (v.status === 'pending') closeVerification(d, id, 'canceled', now, policy);
  const status = d.state.verifications.find((x) => x.id === id)?.status ?? v.status;
  return { state: d.state, changed: d.state !== state, decision: ok(status), events: d.events };
}

/** A read-only view of one verification. */
export interface VerificationView {
  readonly verification: VerificationState;
  readonly attemptsLeft: number;
  readonly sendsLeft: number;
  readonly resendAvailableAt: number;
  readonly lockedUntil: number;
  readonly failures: number;
}

/** Reads a verification as of `now` (expiry applied) without changing anything. */
export function viewVerification(
  state: PhoneState,
  id: string,
  now: number,
  policy: Policy,
): Result<VerificationView, Refusal> {
  const s = settle(state, now, policy).state;
  const v = s.verifications.find((x) => x.id === id);
  if (!v) return err({ code: 'not_found' });
  return ok({
    verification: v,
    attemptsLeft: v.status === 'pending' ? Math.max(0, policy.maxChecks - v.checks) : 0,
    sendsLeft: v.status === 'pending' ? Math.max(0, policy.maxSends - v.sends) : 0,
    resendAvailableAt: v.lastSendAt + resendCooldown(policy, v.sends),
    lockedUntil: Math.max(s.lockedUntil, requesterLockedUntil(s, v.by ?? ANONYMOUS, now)),
    failures: (v.by ?? ANONYMOUS) === ANONYMOUS ? s.failures : (requesterOf(s, v.by!)?.f ?? 0),
  });
}
