/**
 * Housekeeping on a phone record (`settle`): pruning keeps the newest finished verifications
 * and never drops a pending one; finished ones go when their retention ends; send times
 * older than the longest send window are forgotten; a lock ends at its time; failures are
 * forgotten `forgetAfterMs` after the last one; and the record lives as long as any of that
 * still matters (`recordTtl`).
 */
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/core/policy';
import { recordTtl, settle } from '../../src/core/settle';
import {
  emptyState,
  type PhoneState,
  type VerificationState,
  type VerificationStatus,
} from '../../src/core/state';

const T = 1_700_000_000_000;
const MIN = 60_000;

function ver(id: string, status: VerificationStatus, closedAt: number): VerificationState {
  return {
    id,
    purpose: 'verify',
    channel: 'sms',
    digest: 'd',
    to: '+1',
    sealed: 's',
    createdAt: closedAt === 0 ? T : closedAt - 1,
    expiresAt: T + 10 * MIN,
    checks: 0,
    sends: 1,
    lastSendAt: T,
    status,
    closedAt,
  };
}
const ids = (s: PhoneState) => s.verifications.map((v) => v.id);

describe('settle: pruning verifications', () => {
  const policy = resolvePolicy({ maxVerificationsPerPhone: 3, retentionMs: 60 * MIN });

  it('keeps the newest finished verifications when there are too many', () => {
    const state: PhoneState = {
      ...emptyState,
      verifications: [
        ver('a', 'approved', T - 5),
        ver('b', 'canceled', T - 4),
        ver('c', 'expired', T - 3),
        ver('d', 'failed', T - 2),
        ver('e', 'approved', T - 1),
      ],
    };
    expect(ids(settle(state, T, policy).state)).toEqual(['c', 'd', 'e']);
  });

  it('never drops a pending verification, even when only pending ones are over the limit', () => {
    const pending = ['p1', 'p2', 'p3', 'p4'].map((id) => ver(id, 'pending', 0));
    const state: PhoneState = {
      ...emptyState,
      verifications: [
        ver('old', 'approved', T - 9),
        pending[0]!,
        ver('x', 'canceled', T - 8),
      ].concat(pending.slice(1)),
    };
    const out = settle(state, T, policy).state;
    expect(ids(out)).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(out.verifications.every((v) => v.status === 'pending')).toBe(true);
  });

  it('drops only as many as the excess, oldest finished first, between pending ones', () => {
    const state: PhoneState = {
      ...emptyState,
      verifications: [
        ver('p1', 'pending', 0),
        ver('a', 'approved', T - 3),
        ver('b', 'approved', T - 2),
        ver('p2', 'pending', 0),
      ],
    };
    expect(ids(settle(state, T, policy).state)).toEqual(['p1', 'b', 'p2']);
  });

  it('leaves a record within the limit as it is (the same object)', () => {
    const state: PhoneState = {
      ...emptyState,
      verifications: [ver('a', 'approved', T - 1), ver('p', 'pending', 0)],
    };
    expect(settle(state, T, policy).state).toBe(state);
  });

  it('forgets a finished verification when its retention ends, not before', () => {
    const state: PhoneState = { ...emptyState, verifications: [ver('a', 'approved', T)] };
    expect(ids(settle(state, T + 60 * MIN - 1, policy).state)).toEqual(['a']);
    expect(ids(settle(state, T + 60 * MIN, policy).state)).toEqual([]);
  });

  it('expires a pending code at its expiry, with an event', () => {
    const state: PhoneState = { ...emptyState, verifications: [ver('p', 'pending', 0)] };
    const before = settle(state, T + 10 * MIN - 1, policy);
    expect(before.state.verifications[0]!.status).toBe('pending');
    expect(before.events).toEqual([]);
    const at = settle(state, T + 10 * MIN, policy);
    expect(at.state.verifications[0]!.status).toBe('expired');
    expect(at.state.verifications[0]!.closedAt).toBe(T + 10 * MIN);
    expect(at.events).toEqual([{ type: 'verification.expired', id: 'p', at: T + 10 * MIN }]);
  });

  it('an expired code that had a wrong check counts as a failure', () => {
    const guessed = { ...ver('p', 'pending', 0), checks: 1 };
    const out = settle({ ...emptyState, verifications: [guessed] }, T + 10 * MIN, policy).state;
    expect(out.failures).toBe(1);
    expect(out.lastFailureAt).toBe(T + 10 * MIN);
  });
});

describe('settle: send history, locks and forgetting', () => {
  const policy = resolvePolicy({
    sendWindows: [
      { windowMs: 10 * MIN, max: 5 },
      { windowMs: 60 * MIN, max: 10 },
    ],
    lockout: { forgetAfterMs: 30 * MIN },
  });

  it('forgets send times older than the longest window and keeps the rest', () => {
    const state: PhoneState = { ...emptyState, sends: [T - 60 * MIN, T - 59 * MIN, T - MIN] };
    expect(settle(state, T, policy).state.sends).toEqual([T - 59 * MIN, T - MIN]);
    const recent: PhoneState = { ...emptyState, sends: [T - 59 * MIN] };
    expect(settle(recent, T, policy).state).toBe(recent);
  });

  it('ends a lock at its end time, not before', () => {
    const state: PhoneState = { ...emptyState, locks: 1, lockedUntil: T, lastFailureAt: T - MIN };
    expect(settle(state, T - 1, policy).state.lockedUntil).toBe(T);
    const after = settle(state, T, policy).state;
    expect(after.lockedUntil).toBe(0);
    // The lock count is remembered until forgetAfterMs after the last failure.
    expect(after.locks).toBe(1);
  });

  it('forgets failures and lock escalation forgetAfterMs after the last failure', () => {
    const state: PhoneState = {
      ...emptyState,
      failures: 2,
      locks: 1,
      lastFailureAt: T,
      failers: ['k'],
    };
    expect(settle(state, T + 30 * MIN - 1, policy).state).toBe(state);
    const forgotten = settle(state, T + 30 * MIN, policy).state;
    expect(forgotten).toMatchObject({ failures: 0, locks: 0, lastFailureAt: 0 });
    expect(forgotten.failers).toBeUndefined();
  });

  it('forgets each kind of failure memory on its own: a count, a lock count, failing keys', () => {
    const after = T + 30 * MIN;
    const alone: Partial<PhoneState>[] = [{ failures: 1 }, { locks: 1 }, { failers: ['k'] }];
    for (const part of alone) {
      const state: PhoneState = { ...emptyState, lastFailureAt: T, ...part };
      const out = settle(state, after, policy).state;
      expect(out).toMatchObject({ failures: 0, locks: 0, lastFailureAt: 0 });
      expect(out.failers).toBeUndefined();
    }
  });

  it('with lockout off, wrong codes are not counted and old counts are dropped', () => {
    const off = resolvePolicy({ lockout: false });
    const guessed = { ...ver('p', 'pending', 0), checks: 2 };
    const expired = settle({ ...emptyState, verifications: [guessed] }, T + 10 * MIN, off).state;
    expect(expired.verifications[0]!.status).toBe('expired');
    expect(expired).toMatchObject({ failures: 0, locks: 0, lockedUntil: 0 });
    const old: PhoneState = { ...emptyState, failures: 2, locks: 1, lastFailureAt: T };
    expect(settle(old, T, off).state).toMatchObject({ failures: 0, locks: 0 });
  });

  it('does not forget failures while the phone is locked', () => {
    const state: PhoneState = {
      ...emptyState,
      failures: 0,
      locks: 2,
      lockedUntil: T + 60 * MIN,
      lastFailureAt: T,
    };
    expect(settle(state, T + 45 * MIN, policy).state.locks).toBe(2);
  });
});

describe('recordTtl', () => {
  const policy = resolvePolicy({
    sendWindows: [{ windowMs: 60 * MIN, max: 5 }],
    lockout: { forgetAfterMs: 30 * MIN },
    retentionMs: 5 * MIN,
  });

  it('an empty record may be deleted', () => {
    expect(recordTtl(emptyState, T, policy)).toBeLessThanOrEqual(0);
  });

  it('lives until its last send leaves the longest window', () => {
    expect(recordTtl({ ...emptyState, sends: [T - MIN, T] }, T, policy)).toBe(60 * MIN);
  });

  it('lives until the lock ends', () => {
    expect(recordTtl({ ...emptyState, lockedUntil: T + 90 * MIN }, T, policy)).toBe(90 * MIN);
  });

  it('lives until failures are forgotten', () => {
    expect(recordTtl({ ...emptyState, failures: 1, lastFailureAt: T }, T, policy)).toBe(30 * MIN);
    expect(recordTtl({ ...emptyState, locks: 1, lastFailureAt: T }, T, policy)).toBe(30 * MIN);
    expect(recordTtl({ ...emptyState, failers: ['k'], lastFailureAt: T }, T, policy)).toBe(
      30 * MIN,
    );
    const off = resolvePolicy({ lockout: false, sendWindows: [{ windowMs: MIN, max: 1 }] });
    expect(recordTtl({ ...emptyState, failures: 1, lastFailureAt: T }, T, off)).toBeLessThanOrEqual(
      0,
    );
  });

  it('lives until a finished verification leaves retention, a pending one expires and retention passes', () => {
    const closed = { ...emptyState, verifications: [ver('a', 'approved', T)] };
    expect(recordTtl(closed, T, policy)).toBe(5 * MIN);
    const pending = { ...emptyState, verifications: [ver('p', 'pending', 0)] };
    expect(recordTtl(pending, T, policy)).toBe(15 * MIN);
  });

  it('a pending code with a wrong guess lives until that failure can be forgotten', () => {
    const guessed = { ...emptyState, verifications: [{ ...ver('p', 'pending', 0), checks: 1 }] };
    expect(recordTtl(guessed, T, policy)).toBe(40 * MIN);
  });
});
