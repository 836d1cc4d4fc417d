/**
 * Housekeeping that every transition applies first: expire codes, end locks, forget old
 * failures, prune history. Pure. @internal
 * @module
 */
import { editState, editVerification, replaceVerification } from './copy';
import { lockDuration, type Policy } from './policy';
import { editRequester, requestersUntil, settleRequesters } from './requesters';
import { ANONYMOUS, type PhoneState, type VerificationState } from './state';

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

/**
 * Records a failed verification of requester `by` at time `at`. The anonymous requester's
 * failures lock the phone when the threshold is met (as before requesters were kept); a
 * requester key's failures lock that key, and the phone locks when `lockout.requesters`
 * distinct keys have failed since its last lock.
 */
export function registerFailure(d: Draft, at: number, policy: Policy, by = ANONYMOUS): void {
  const lockout = policy.lockout;
  if (lockout === false) return;
  if (by === ANONYMOUS) {
    const failures = d.state.failures + 1;
    if (failures >= lockout.threshold) lockPhone(d, at, policy);
    else {
      d.state = editState(d.state, (m) => {
        m.failures = failures;
        m.lastFailureAt = at;
      });
    }
    return;
  }
  d.state = editRequester(d.state, by, (m) => {
    m.t = at;
    if (m.f + 1 >= lockout.threshold) {
      m.f = 0;
      m.l += 1;
      m.u = Math.max(m.u, at + lockDuration(lockout, m.l));
    } else m.f += 1;
  });
  const failers = d.state.failers ?? [];
  const distinct = failers.includes(by) ? failers : [...failers, by];
  if (distinct.length >= lockout.requesters) lockPhone(d, at, policy);
  else {
    d.state = editState(d.state, (m) => {
      m.failers = distinct;
      m.lastFailureAt = at;
    });
  }
}

function lockPhone(d: Draft, at: number, policy: Policy): void {
  if (policy.lockout === false) return;
  const locks = d.state.locks + 1;
  const until = Math.max(d.state.lockedUntil, at + lockDuration(policy.lockout, locks));
  d.state = editState(d.state, (m) => {
    m.failures = 0;
    m.locks = locks;
    m.lockedUntil = until;
    m.lastFailureAt = at;
    delete m.failers;
  });
  d.events.push({ type: 'phone.locked', until, at });
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
  if (v.checks > 0) registerFailure(d, at, policy, v.by ?? ANONYMOUS);
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
    (s.failures > 0 || s.locks > 0 || s.failers !== undefined) &&
    s.lastFailureAt + forgetAfter <= now
  ) {
    s = editState(s, (m) => {
      m.failures = 0;
      m.locks = 0;
      m.lastFailureAt = 0;
      delete m.failers;
    });
  }
  s = settleRequesters(s, now, policy);
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
  until = Math.max(until, requestersUntil(state, policy));
  if (
    policy.lockout !== false &&
    (state.failures > 0 || state.locks > 0 || state.failers !== undefined)
  ) {
    until = Math.max(until, state.lastFailureAt + policy.lockout.forgetAfterMs);
  }
  const longest = Math.max(0, ...policy.sendWindows.map((w) => w.windowMs));
  // The newest send, not the last appended: writes land out of time order (clocks, retries).
  for (const t of state.sends) until = Math.max(until, t + longest);
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
