/**
 * Checking, canceling and reading a verification, as pure decisions over a record and `now`:
 * which verification a check targets, when a check is evaluated at all (pending, not locked,
 * checks left), what approval clears, what a wrong code costs, and what `status` reports.
 */
import { describe, expect, it } from 'vitest';
import {
  cancelTransition,
  checkTransition,
  findTarget,
  viewVerification,
} from '../../src/core/check';
import { resolvePolicy } from '../../src/core/policy';
import {
  emptyState,
  type PhoneState,
  type VerificationState,
  type VerificationStatus,
} from '../../src/core/state';

const T = 1_700_000_000_000;
const MIN = 60_000;
const policy = resolvePolicy({ maxChecks: 3, maxSends: 4, lockout: { threshold: 2 } });

function ver(
  id: string,
  extra: Partial<VerificationState> & { status?: VerificationStatus } = {},
): VerificationState {
  return {
    id,
    purpose: 'login',
    channel: 'sms',
    digest: `digest-${id}`,
    to: '+1',
    sealed: 's',
    createdAt: T,
    expiresAt: T + 10 * MIN,
    checks: 0,
    sends: 1,
    lastSendAt: T,
    status: 'pending',
    closedAt: 0,
    ...extra,
  };
}
const withV = (...vs: VerificationState[]): PhoneState => ({ ...emptyState, verifications: vs });
const right = () => true;
const wrong = () => false;

describe('findTarget', () => {
  const state = withV(
    ver('old', { status: 'approved', closedAt: T }),
    ver('p', { by: 'A' }),
    ver('new', { status: 'canceled', closedAt: T }),
    ver('other', { purpose: 'reset', by: 'B' }),
  );

  it('by purpose: the pending one first, else the newest', () => {
    expect(findTarget(state, { purpose: 'login' })?.id).toBe('p');
    const closedOnly = withV(
      ver('a', { status: 'approved', closedAt: T }),
      ver('b', { status: 'expired', closedAt: T }),
    );
    expect(findTarget(closedOnly, { purpose: 'login' })?.id).toBe('b');
    expect(findTarget(state, { purpose: 'none' })).toBeUndefined();
  });

  it("another requester's verification is not found, by id or by purpose", () => {
    expect(findTarget(state, { id: 'other' }, 'A')).toBeUndefined();
    expect(findTarget(state, { purpose: 'reset' }, 'A')).toBeUndefined();
    expect(findTarget(state, { id: 'other' }, 'B')?.id).toBe('other');
    expect(findTarget(state, { purpose: 'login' }, 'B')?.id).toBe('new');
    expect(findTarget(state, { id: 'missing' })).toBeUndefined();
  });
});

describe('checkTransition', () => {
  it('approves the right code: closes it now and clears failures, locks and failers', () => {
    const state = { ...withV(ver('p')), failures: 1, locks: 1, lastFailureAt: T, failers: ['X'] };
    const step = checkTransition(state, { id: 'p' }, right, T + 1, policy);
    const approved = step.decision._unsafeUnwrap();
    expect(approved).toMatchObject({ status: 'approved', closedAt: T + 1, checks: 1 });
    expect(step.changed).toBe(true);
    expect(step.state).toMatchObject({ failures: 0, locks: 0, lastFailureAt: 0 });
    expect(step.state.failers).toBeUndefined();
    expect(step.state.verifications[0]).toEqual(approved);
  });

  it('a wrong code costs one check and says how many are left; the last one fails it', () => {
    let state = withV(ver('p'));
    const left: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const step = checkTransition(state, { id: 'p' }, wrong, T + i, policy);
      const refusal = step.decision._unsafeUnwrapErr();
      expect(refusal.code).toBe('code_mismatch');
      left.push(refusal.attemptsLeft!);
      expect(step.changed).toBe(true);
      state = step.state;
    }
    expect(left).toEqual([2, 1, 0]);
    expect(state.verifications[0]).toMatchObject({ status: 'failed', checks: 3, closedAt: T + 2 });
    expect(state.failures).toBe(1);
    const after = checkTransition(state, { id: 'p' }, right, T + 3, policy);
    expect(after.decision._unsafeUnwrapErr()).toEqual({
      code: 'max_attempts_reached',
      attemptsLeft: 0,
    });
  });

  it('a verification already at its check limit is not evaluated', () => {
    const state = withV(ver('p', { checks: 3 }));
    const step = checkTransition(state, { id: 'p' }, right, T, policy);
    expect(step.decision._unsafeUnwrapErr()).toEqual({
      code: 'max_attempts_reached',
      attemptsLeft: 0,
    });
    expect(step.changed).toBe(false);
    expect(step.state).toBe(state);
  });

  it('a locked phone is not evaluated until the lock ends', () => {
    const state = { ...withV(ver('p')), lockedUntil: T + MIN, locks: 1, lastFailureAt: T };
    const locked = checkTransition(state, { id: 'p' }, right, T + MIN - 1, policy);
    expect(locked.decision._unsafeUnwrapErr()).toEqual({ code: 'locked', retryAt: T + MIN });
    expect(locked.state.verifications[0]!.checks).toBe(0);
    expect(checkTransition(state, { id: 'p' }, right, T + MIN, policy).decision.isOk()).toBe(true);
  });

  it("a requester's own lock holds its verifications, not others'", () => {
    const state: PhoneState = {
      ...withV(ver('a', { by: 'A' }), ver('b', { by: 'B' })),
      requesters: [{ k: 'A', s: [], f: 0, l: 1, u: T + MIN, t: T }],
    };
    expect(
      checkTransition(state, { id: 'a' }, right, T, policy, 'A').decision._unsafeUnwrapErr(),
    ).toEqual({ code: 'locked', retryAt: T + MIN });
    expect(checkTransition(state, { id: 'b' }, right, T, policy, 'B').decision.isOk()).toBe(true);
    expect(checkTransition(state, { id: 'a' }, right, T + MIN, policy, 'A').decision.isOk()).toBe(
      true,
    );
  });

  it('closed, expired or missing verifications are refused with their reason', () => {
    const state = withV(
      ver('e', { expiresAt: T }),
      ver('c', { status: 'canceled', closedAt: T }),
      ver('x', { by: 'B' }),
    );
    const code = (id: string, by?: string) =>
      checkTransition(state, { id }, right, T, policy, by).decision._unsafeUnwrapErr().code;
    expect(code('e')).toBe('expired');
    expect(code('c')).toBe('not_found');
    expect(code('nope')).toBe('not_found');
    expect(code('x', 'A')).toBe('not_found');
    // Only the expiry changed the record.
    expect(checkTransition(state, { id: 'c' }, right, T, policy).changed).toBe(true);
    const quiet = withV(ver('c', { status: 'canceled', closedAt: T }));
    expect(checkTransition(quiet, { id: 'c' }, right, T, policy).changed).toBe(false);
  });
});

describe('cancelTransition', () => {
  it('cancels a pending verification, and is idempotent for a closed one', () => {
    const state = withV(ver('p'), ver('a', { status: 'approved', closedAt: T }));
    const step = cancelTransition(state, 'p', T + 5, policy);
    expect(step.decision._unsafeUnwrap()).toBe('canceled');
    expect(step.changed).toBe(true);
    expect(step.state.verifications[0]).toMatchObject({ status: 'canceled', closedAt: T + 5 });
    expect(step.events).toEqual([{ type: 'verification.canceled', id: 'p', at: T + 5 }]);
    const again = cancelTransition(step.state, 'p', T + 6, policy);
    expect(again.decision._unsafeUnwrap()).toBe('canceled');
    expect(again.changed).toBe(false);
    expect(cancelTransition(state, 'a', T, policy).decision._unsafeUnwrap()).toBe('approved');
  });

  it('is not_found for another requester or an unknown id, changing nothing', () => {
    const state = withV(ver('p', { by: 'A' }));
    const step = cancelTransition(state, 'p', T, policy, 'B');
    expect(step.decision._unsafeUnwrapErr().code).toBe('not_found');
    expect(step.changed).toBe(false);
    expect(cancelTransition(state, 'q', T, policy).decision._unsafeUnwrapErr().code).toBe(
      'not_found',
    );
  });

  it('canceling after a wrong check counts as a failure', () => {
    const state = withV(ver('p', { checks: 1 }));
    expect(cancelTransition(state, 'p', T, policy).state.failures).toBe(1);
    expect(cancelTransition(withV(ver('p')), 'p', T, policy).state.failures).toBe(0);
  });
});

describe('viewVerification', () => {
  const p = resolvePolicy({
    maxChecks: 3,
    maxSends: 4,
    resendCooldownMs: 1000,
    resendCooldownFactor: 2,
  });

  it('reports checks and sends left, the next resend and the lock of a pending one', () => {
    const state: PhoneState = {
      ...withV(ver('p', { checks: 1, sends: 2, lastSendAt: T })),
      failures: 1,
      lockedUntil: T + MIN,
      locks: 1,
      lastFailureAt: T,
    };
    expect(viewVerification(state, 'p', T, p)._unsafeUnwrap()).toMatchObject({
      attemptsLeft: 2,
      sendsLeft: 2,
      resendAvailableAt: T + 2000,
      lockedUntil: T + MIN,
      failures: 1,
    });
  });

  it('a closed verification has nothing left; over-limit counts never go negative', () => {
    const closed = withV(ver('a', { status: 'approved', closedAt: T, checks: 1 }));
    expect(viewVerification(closed, 'a', T, p)._unsafeUnwrap()).toMatchObject({
      attemptsLeft: 0,
      sendsLeft: 0,
    });
    const over = withV(ver('p', { checks: 9, sends: 9 }));
    expect(viewVerification(over, 'p', T, p)._unsafeUnwrap()).toMatchObject({
      attemptsLeft: 0,
      sendsLeft: 0,
    });
  });

  it("a requester's verification reports that requester's failures and lock", () => {
    const state: PhoneState = {
      ...withV(ver('p', { by: 'A' })),
      failures: 5,
      requesters: [{ k: 'A', s: [], f: 2, l: 1, u: T + 2 * MIN, t: T }],
    };
    expect(viewVerification(state, 'p', T, p)._unsafeUnwrap()).toMatchObject({
      failures: 2,
      lockedUntil: T + 2 * MIN,
    });
    const noEntry = withV(ver('p', { by: 'B' }));
    expect(viewVerification(noEntry, 'p', T, p)._unsafeUnwrap().failures).toBe(0);
  });

  it('applies expiry first and is not_found for an unknown id', () => {
    const state = withV(ver('p'));
    expect(viewVerification(state, 'p', T + 10 * MIN, p)._unsafeUnwrap().verification.status).toBe(
      'expired',
    );
    expect(viewVerification(state, 'q', T, p)._unsafeUnwrapErr().code).toBe('not_found');
  });
});
