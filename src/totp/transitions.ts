/**
 * Pure transitions over a subject's authenticator record: enroll, confirm, verify (with
 * tolerance and replay guard), recovery codes, disable, invalidate. Each is a function of
 * (state, input, now, policy); the code comparison is injected (`StepMatcher`) so the
 * secret is decrypted and hashed by the shell, as SMS code digests are. @internal
 * @module
 */

import { err, ok, type Result } from 'neverthrow';
import type { Refusal } from '../core/refusal';
import { MARKER_PADDING_MS } from '../feature/clock';
import { attemptsLeft, countWrong, type GuardPolicy, guardTtl, settleTotp, succeed } from './guard';
import { stepAt, type TotpAlgorithm, type TotpEnrollment, type TotpState } from './state';

/** What a transition returns (mirrors the phone record's `Step`). */
export interface TotpStep<T> {
  readonly state: TotpState;
  readonly changed: boolean;
  readonly decision: Result<T, Refusal>;
}

/** Accepted time steps around the current one: `past` steps back, `future` steps ahead. */
export interface Tolerance {
  readonly past: number;
  readonly future: number;
}

/** True when the submitted code is the enrollment's code for time step `step`. */
export type StepMatcher = (e: TotpEnrollment, step: number) => boolean;

/** What the shell prepared for a new enrollment. */
export interface NewEnrollment {
  readonly sealed: string;
  readonly algorithm: TotpAlgorithm;
  readonly digits: number;
  readonly period: number;
  readonly expiresAt: number;
}

/** A code submitted to confirm a pending enrollment or to verify an active one. */
export interface CodeAttempt {
  readonly mode: 'confirm' | 'verify';
  readonly matches: StepMatcher;
  readonly tolerance: Tolerance;
  /** Issue time of the second-factor challenge the code answers, if any. */
  readonly challengeIssuedAt?: number;
  /** Recovery-code digests to store when a confirmation succeeds. */
  readonly recovery?: readonly string[];
}

export interface Accepted {
  readonly step: number;
  readonly enrollment: TotpEnrollment;
}

function step<T>(before: TotpState, state: TotpState, decision: Result<T, Refusal>): TotpStep<T> {
  return { state, changed: state !== before, decision };
}

/** Refusals shared by every code-bearing transition (enrollment state, challenge, lock). */
function gate(
  s: TotpState,
  want: 'pending' | 'active',
  challengeIssuedAt: number | undefined,
  now: number,
): Refusal | undefined {
  const e = s.enrollment;
  if (!e) return { code: 'totp_not_enrolled' };
  if (e.status !== want) {
    return { code: want === 'pending' ? 'totp_already_enrolled' : 'totp_not_enrolled' };
  }
  if (challengeIssuedAt !== undefined && challengeIssuedAt <= s.notBefore) {
    return { code: 'not_found' };
  }
  if (s.lockedUntil > now) return { code: 'locked', retryAt: s.lockedUntil };
  return undefined;
}

/** Records a wrong code and builds the refusal (with the lock's end once it locks). */
function wrong(state: TotpState, s: TotpState, now: number, policy: GuardPolicy): TotpStep<never> {
  const next = countWrong(s, now, policy);
  const locked = next.lockedUntil > now;
  return step(
    state,
    next,
    err({
      code: 'invalid_token',
      attemptsLeft: locked ? 0 : attemptsLeft(next, policy),
      ...(locked ? { retryAt: next.lockedUntil } : {}),
    }),
  );
}

/** Starts (or restarts) a pending enrollment; an active one must be disabled first. */
export function enrollTransition(
  state: TotpState,
  input: NewEnrollment,
  now: number,
  policy: GuardPolicy,
): TotpStep<TotpEnrollment> {
  const s = settleTotp(state, now, policy);
  if (s.enrollment?.status === 'active') {
    return step(state, s, err({ code: 'totp_already_enrolled' }));
  }
  const enrollment: TotpEnrollment = {
    ...input,
    status: 'pending',
    createdAt: now,
    confirmedAt: 0,
    lastStep: -1,
    recovery: [],
  };
  return step(state, { ...s, enrollment }, ok(enrollment));
}

/**
 * Evaluates a code against every step of the tolerance window. Only a step above the last
 * accepted one can be accepted (the replay guard); the newest matching step wins. A code
 * that matches only an already-accepted step is a wrong code.
 */
export function codeTransition(
  state: TotpState,
  attempt: CodeAttempt,
  now: number,
  policy: GuardPolicy,
): TotpStep<Accepted> {
  const s = settleTotp(state, now, policy);
  const refusal = gate(
    s,
    attempt.mode === 'confirm' ? 'pending' : 'active',
    attempt.challengeIssuedAt,
    now,
  );
  if (refusal) return step(state, s, err(refusal));
  const e = s.enrollment!;
  const current = stepAt(now, e.period);
  let accepted = -1;
  for (let t = current - attempt.tolerance.past; t <= current + attempt.tolerance.future; t++) {
    // Every candidate is evaluated, matched or not, so timing does not reveal which one fit.
    if (t >= 0 && attempt.matches(e, t) && t > e.lastStep) accepted = Math.max(accepted, t);
  }
  if (accepted < 0) return wrong(state, s, now, policy);
  const enrollment: TotpEnrollment =
    attempt.mode === 'confirm'
      ? {
          ...e,
          status: 'active',
          confirmedAt: now,
          expiresAt: 0,
          lastStep: accepted,
          recovery: attempt.recovery ?? [],
        }
      : { ...e, lastStep: accepted };
  const next = succeed({ ...s, enrollment, notBefore: Math.max(s.notBefore, now) });
  return step(state, next, ok({ step: accepted, enrollment }));
}

/** Spends one recovery code: `find` returns the index of the matching digest, or -1. */
export function recoveryTransition(
  state: TotpState,
  find: (digests: readonly string[]) => number,
  challengeIssuedAt: number | undefined,
  now: number,
  policy: GuardPolicy,
): TotpStep<{ readonly remaining: number }> {
  const s = settleTotp(state, now, policy);
  const refusal = gate(s, 'active', challengeIssuedAt, now);
  if (refusal) return step(state, s, err(refusal));
  const e = s.enrollment!;
  const i = find(e.recovery);
  if (i < 0) return wrong(state, s, now, policy);
  const recovery = e.recovery.filter((_, j) => j !== i);
  const next = succeed({
    ...s,
    enrollment: { ...e, recovery },
    notBefore: Math.max(s.notBefore, now),
  });
  return step(state, next, ok({ remaining: recovery.length }));
}

/** Replaces the recovery codes of an active enrollment. */
export function setRecoveryTransition(
  state: TotpState,
  digests: readonly string[],
  now: number,
  policy: GuardPolicy,
): TotpStep<number> {
  const s = settleTotp(state, now, policy);
  const e = s.enrollment;
  if (e?.status !== 'active') return step(state, s, err({ code: 'totp_not_enrolled' }));
  return step(state, { ...s, enrollment: { ...e, recovery: digests } }, ok(digests.length));
}

/** Removes the enrollment (pending or active). The failure budget and lock are kept. */
export function disableTransition(
  state: TotpState,
  now: number,
  policy: GuardPolicy,
): TotpStep<boolean> {
  const s = settleTotp(state, now, policy);
  if (!s.enrollment) return step(state, s, ok(false));
  return step(state, { ...s, enrollment: null }, ok(true));
}

/**
 * A security-stamp change: a pending enrollment is dropped (it was started under the old
 * credentials), every code of the current tolerance window is revoked (the replay guard
 * moves to the newest step that could be accepted now, so only a code from a later step
 * works), and every outstanding second-factor challenge is refused. Never counts a failure.
 */
export function invalidateTotpTransition(
  state: TotpState,
  tolerance: Tolerance,
  now: number,
  policy: GuardPolicy,
): TotpStep<boolean> {
  const s = settleTotp(state, now, policy);
  const e = s.enrollment;
  let next: TotpState = { ...s, notBefore: Math.max(s.notBefore, now) };
  if (e?.status === 'pending') next = { ...next, enrollment: null };
  if (e?.status === 'active') {
    const revokeTo = stepAt(now, e.period) + tolerance.future;
    next = { ...next, enrollment: { ...e, lastStep: Math.max(e.lastStep, revokeTo) } };
  }
  return step(state, next, ok(e !== null));
}

/** Milliseconds the record must live from `now`; 0 or less means it may be deleted. */
export function totpTtl(
  state: TotpState,
  now: number,
  policy: GuardPolicy,
  keep: { readonly activeMs: number; readonly challengeMs: number },
): number {
  const e = state.enrollment;
  if (e?.status === 'active') return keep.activeMs;
  let ttl = guardTtl(state, now, policy);
  if (e) ttl = Math.max(ttl, e.expiresAt - now);
  // Padded like every single-use marker: a challenge issued on another instance may carry a
  // time up to the clock bound either side of this one's (docs/clocks.md).
  if (state.notBefore > 0) {
    ttl = Math.max(ttl, state.notBefore + keep.challengeMs + MARKER_PADDING_MS - now);
  }
  return ttl;
}
