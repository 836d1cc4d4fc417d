/**
 * Housekeeping that every transition applies first: expire codes, end locks, forget old
 * failures, prune history. Pure. @internal
 * @module
 */
import { editState, editVerification, replaceVerification } from './copy';
import { lockDuration, type Policy } from './policy';
import type { PhoneState, VerificationState } from './state';

/** Something the core observed, for the shell to publish as an event. */
export type CoreEvent =
  | { readonly type: 'verification.expired'; readonly id: string; readonly at: number }
  | { readonly type: 'verification.failed'; readonly id: string; readonly at: number }
  | { readonly type: 'verification.canceled'; readonly id: string; readonly at: number }
  | { readonly type: 'phone.locked'; readonly until: number; readonly at: number };

/** A state under construction plus what happened to it. */
export interface Draft {
  state: PhoneState;
  events: CoreEvent[];
}

/** Records a failed verification at time `at`; locks the phone when the threshold is met. */
export function registerFailure(d: Draft, at: number, policy: Policy): void {
  const lockout = policy.lockout;
  if (lockout === false) return;
  const failures = d.state.failures + 1;
  if (failures >= lockout.threshold) {
    const locks = d.state.locks + 1;
    const until = Math.max(d.state.lockedUntil, at + lockDuration(lockout, locks));
    d.state = editState(d.state, (m) => {
      m.failures = 0;
      m.locks = locks;
      m.lockedUntil = until;
      m.lastFailureAt = at;
    });
    d.events.push({ type: 'phone.locked', until, at });
  } else {
    d.state = editState(d.state, (m) => {
      m.failures = failures;
      m.lastFailureAt = at;
    });
  }
}

/** Closes a pending verification; a wrong check on it makes the closing a failure. */
export function closeVerification(
  d: Draft,
  id: string,
  status: 'expired' | 'canceled' | 'failed',
  at: number,
  policy: Policy,
): void {
  const v = d.state.verifications.find((x) => x.id === id);
  if (v?.status !== 'pending') return;
  const closed = editVerification(v, (m) => {
    m.status = status;
    m.closedAt = at;
  });
  d.state = replaceVerification(d.state, closed);
  d.events.push({ type: `verification.${status}`, id, at });
  if (v.checks > 0) registerFailure(d, at, policy);
}

/** Applies time: expiries, lock end, forgetting, pruning. */
export function settle(state: PhoneState, now: number, policy: Policy): Draft {
  const d: Draft = { state, events: [] };
  for (const v of state.verifications) {
    if (v.status === 'pending' && v.expiresAt <= now) {
      closeVerification(d, v.id, 'expired', v.expiresAt, policy);
    }
  }
  let s = d.state;
  if (s.lockedUntil !== 0 && s.lockedUntil <= now) {
    s = editState(s, (m) => {
      m.lockedUntil = 0;
    });
  }
  const forgetAfter = policy.lockout === false ? 0 : policy.lockout.forgetAfterMs;
  if (
    s.lockedUntil === 0 &&
    (s.failures > 0 || s.locks > 0) &&
    s.lastFailureAt + forgetAfter <= now
  ) {
    s = editState(s, (m) => {
      m.failures = 0;
      m.locks = 0;
      m.lastFailureAt = 0;
    });
  }
  const longest = Math.max(0, ...policy.sendWindows.map((w) => w.windowMs));
  if (s.sends.length > 0 && s.sends[0]! <= now - longest) {
    const sends = s.sends.filter((t) => t > now - longest);
    s = editState(s, (m) => {
      m.sends = sends;
    });
  }
  const keep = s.verifications.filter(
    (v) => v.status === 'pending' || v.closedAt + policy.retentionMs > now,
  );
  const excess = keep.length - policy.maxVerificationsPerPhone;
  const trimmed = excess > 0 ? dropOldestClosed(keep, excess) : keep;
  if (trimmed.length !== s.verifications.length) {
    s = editState(s, (m) => {
      m.verifications = trimmed;
    });
  }
  d.state = s;
  return d;
}

function dropOldestClosed(list: readonly VerificationState[], n: number): VerificationState[] {
  const out: VerificationState[] = [];
  let dropped = 0;
  for (const v of list) {
    if (dropped < n && v.status !== 'pending') {
      dropped += 1;
      continue;
    }
    out.push(v);
  }
  return out;
}

/** Milliseconds the record must live from `now`; 0 or less means it may be deleted. */
export function recordTtl(state: PhoneState, now: number, policy: Policy): number {
  let until = state.lockedUntil;
  if (policy.lockout !== false && (state.failures > 0 || state.locks > 0)) {
    until = Math.max(until, state.lastFailureAt + policy.lockout.forgetAfterMs);
  }
  const longest = Math.max(0, ...policy.sendWindows.map((w) => w.windowMs));
  const lastSend = state.sends[state.sends.length - 1];
  if (lastSend !== undefined) until = Math.max(until, lastSend + longest);
  for (const v of state.verifications) {
    const end = v.status === 'pending' ? v.expiresAt : v.closedAt;
    until = Math.max(until, end + policy.retentionMs);
    // A wrong guess on a pending code becomes a failure when the code expires; the record
    // must live long enough to count it and remember it.
    if (v.status === 'pending' && v.checks > 0 && policy.lockout !== false) {
      until = Math.max(until, v.expiresAt + policy.lockout.forgetAfterMs);
    }
  }
  return until - now;
}
