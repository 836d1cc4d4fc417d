/**
 * The subject's failure budget and lock, decided by the same code as a phone's: the
 * lockout fields of a TOTP record are run through `settle` and `registerFailure` of
 * `src/core/settle.ts`. Every `policy.maxChecks` wrong codes (authenticator or recovery)
 * count as one failed verification, exactly like one SMS verification used up with wrong
 * codes; `lockout.threshold` failures lock the subject, for a growing time. Pure. @internal
 * @module
 */
import { defaultLockout, type LockoutPolicy, type Policy } from '../core/policy';
import { type Draft, registerFailure, settle } from '../core/settle';
import { emptyState, type PhoneState } from '../core/state';
import type { TotpState } from './state';

/** A policy whose lockout is never disabled. */
export type GuardPolicy = Policy & { readonly lockout: LockoutPolicy };

/**
 * The policy TOTP decisions use. An authenticator secret lives for years, so guessing must
 * always be limited: when `policy.lockout` is `false` (SMS lockout off) TOTP keeps the
 * default lockout.
 */
export function guardPolicy(policy: Policy): GuardPolicy {
  return policy.lockout === false
    ? { ...policy, lockout: defaultLockout }
    : (policy as GuardPolicy);
}

function asPhone(s: TotpState): PhoneState {
  return {
    ...emptyState,
    failures: s.failures,
    locks: s.locks,
    lockedUntil: s.lockedUntil,
    lastFailureAt: s.lastFailureAt,
  };
}

function withLock(s: TotpState, p: PhoneState): TotpState {
  return {
    ...s,
    failures: p.failures,
    locks: p.locks,
    lockedUntil: p.lockedUntil,
    lastFailureAt: p.lastFailureAt,
  };
}

/** Applies time: lock end, forgetting of failures and wrong codes, lapse of a pending enrollment. */
export function settleTotp(state: TotpState, now: number, policy: GuardPolicy): TotpState {
  const p = asPhone(state);
  const settled = settle(p, now, policy).state;
  let s =
    settled.failures === p.failures &&
    settled.locks === p.locks &&
    settled.lockedUntil === p.lockedUntil &&
    settled.lastFailureAt === p.lastFailureAt
      ? state
      : withLock(state, settled);
  if (s.checks > 0 && s.lastCheckAt + policy.lockout.forgetAfterMs <= now) {
    s = { ...s, checks: 0, lastCheckAt: 0 };
  }
  const e = s.enrollment;
  if (e && e.status === 'pending' && e.expiresAt <= now) s = { ...s, enrollment: null };
  return s;
}

/** Counts one wrong code at `now`; every `maxChecks`-th registers a failure (and may lock). */
export function countWrong(state: TotpState, now: number, policy: GuardPolicy): TotpState {
  const checks = state.checks + 1;
  if (checks < policy.maxChecks) return { ...state, checks, lastCheckAt: now };
  const d: Draft = { state: asPhone(state), events: [] };
  registerFailure(d, now, policy);
  return { ...withLock(state, d.state), checks: 0, lastCheckAt: 0 };
}

/** Wrong codes still accepted before the subject is locked. */
export function attemptsLeft(state: TotpState, policy: GuardPolicy): number {
  const groups = Math.max(0, policy.lockout.threshold - state.failures - 1);
  return groups * policy.maxChecks + Math.max(0, policy.maxChecks - state.checks);
}

/** A success forgets wrong codes, failures and lock escalation (as a phone's success does). */
export function succeed(state: TotpState): TotpState {
  return { ...state, checks: 0, lastCheckAt: 0, failures: 0, locks: 0, lastFailureAt: 0 };
}

/** Milliseconds the lock bookkeeping must be kept from `now` (0 or less: nothing to keep). */
export function guardTtl(state: TotpState, now: number, policy: GuardPolicy): number {
  let until = state.lockedUntil;
  if (state.failures > 0 || state.locks > 0) {
    until = Math.max(until, state.lastFailureAt + policy.lockout.forgetAfterMs);
  }
  if (state.checks > 0) until = Math.max(until, state.lastCheckAt + policy.lockout.forgetAfterMs);
  return until - now;
}
