/**
 * A security-stamp change in the pure core (src/core/invalidate.ts): every pending
 * verification of the phone is closed as canceled, whoever started it, without counting a
 * failure; time applies first.
 */
import { describe, expect, it } from 'vitest';
import { invalidateTransition } from '../../src/core/invalidate';
import { defaultLockout, defaultPolicy, type Policy } from '../../src/core/policy';
import { type StartInput, startTransition } from '../../src/core/send';
import { emptyState, type PhoneState } from '../../src/core/state';

const T = 1_700_000_000_000;
const MIN = 60_000;

const input = (id: string, extra: Partial<StartInput> = {}): StartInput => ({
  id,
  purpose: 'login',
  channel: 'sms',
  digest: `d-${id}`,
  to: '+1 *** *** **53',
  sealed: 's',
  ...extra,
});

function started(state: PhoneState, id: string, now: number, extra: Partial<StartInput> = {}) {
  const step = startTransition(state, input(id, extra), now, defaultPolicy);
  expect(step.decision.isOk()).toBe(true);
  return step.state;
}

const statusOf = (s: PhoneState) =>
  Object.fromEntries(s.verifications.map((v) => [v.id, v.status]));

describe('invalidateTransition', () => {
  it('closes every pending verification as canceled, whoever started it', () => {
    let s = started(emptyState, 'a', T, { by: 'ip.a' });
    s = started(s, 'b', T + 1, { by: 'ip.b', purpose: 'reset' });
    const step = invalidateTransition(s, T + MIN, defaultPolicy);
    expect(step.decision._unsafeUnwrap()).toEqual(['a', 'b']);
    expect(step.changed).toBe(true);
    expect(statusOf(step.state)).toEqual({ a: 'canceled', b: 'canceled' });
    expect(step.state.verifications.map((v) => v.closedAt)).toEqual([T + MIN, T + MIN]);
    expect(step.events).toEqual([
      { type: 'verification.canceled', id: 'a', at: T + MIN },
      { type: 'verification.canceled', id: 'b', at: T + MIN },
    ]);
  });

  it('a pending code with wrong checks is canceled without a failure', () => {
    const policy: Policy = { ...defaultPolicy, lockout: { ...defaultLockout, threshold: 1 } };
    const s0 = started(emptyState, 'a', T);
    const s = { ...s0, verifications: s0.verifications.map((v) => ({ ...v, checks: 2 })) };
    const step = invalidateTransition(s, T + MIN, policy);
    expect(statusOf(step.state)).toEqual({ a: 'canceled' });
    expect(step.state.failures).toBe(0);
    expect(step.state.lockedUntil).toBe(0);
    expect(step.state.lastFailureAt).toBe(0);
  });

  it('leaves closed verifications as they are', () => {
    let s = started(emptyState, 'a', T);
    s = started(s, 'b', T + 1);
    // 'a' was superseded by 'b'.
    const step = invalidateTransition(s, T + 2, defaultPolicy);
    expect(step.decision._unsafeUnwrap()).toEqual(['b']);
    expect(step.state.verifications[0]).toEqual(s.verifications[0]);
    expect(step.state.verifications[0]?.closedAt).toBe(T + 1);
  });

  it('with nothing pending: the same state, unchanged, no ids, no events', () => {
    const s = { ...started(emptyState, 'a', T) };
    const closed = invalidateTransition(s, T + 1, defaultPolicy).state;
    const step = invalidateTransition(closed, T + 2, defaultPolicy);
    expect(step.state).toBe(closed);
    expect(step.changed).toBe(false);
    expect(step.decision._unsafeUnwrap()).toEqual([]);
    expect(step.events).toEqual([]);
    const empty = invalidateTransition(emptyState, T, defaultPolicy);
    expect(empty.state).toBe(emptyState);
    expect(empty.changed).toBe(false);
  });

  it('time applies first: an expired code is closed as expired, not in the decision', () => {
    const s = started(emptyState, 'a', T);
    const step = invalidateTransition(s, T + 10 * MIN, defaultPolicy);
    expect(step.decision._unsafeUnwrap()).toEqual([]);
    expect(step.changed).toBe(true);
    expect(statusOf(step.state)).toEqual({ a: 'expired' });
    expect(step.events).toEqual([{ type: 'verification.expired', id: 'a', at: T + 10 * MIN }]);
  });
});
