/**
 * Edges of the core's housekeeping (src/core/settle.ts): with lockout off a failure is not
 * counted at all; closing acts on a pending verification only; and the record's lifetime
 * (`recordTtl`) counts failure memory only when there is some, and a wrong guess only on a
 * code still pending under a lockout.
 */
import { describe, expect, it } from 'vitest';
import { defaultPolicy, type Policy, resolvePolicy } from '../../src/core/policy';
import { closeVerification, type Draft, recordTtl, registerFailure } from '../../src/core/settle';
import { emptyState, type PhoneState, type VerificationState } from '../../src/core/state';

const T = 1_700_000_000_000;
const MIN = 60_000;

const ver = (v: Partial<VerificationState> = {}): VerificationState => ({
  id: 'a',
  purpose: 'login',
  channel: 'sms',
  digest: 'd',
  to: '+1',
  sealed: 's',
  createdAt: T,
  expiresAt: T + 10 * MIN,
  checks: 0,
  sends: 1,
  lastSendAt: T,
  status: 'pending',
  closedAt: 0,
  by: 'ip.a',
  ...v,
});
const draft = (state: PhoneState): Draft => ({ state, events: [] });

describe('registerFailure with lockout off', () => {
  const off: Policy = { ...defaultPolicy, lockout: false };

  it('counts nothing, for the anonymous requester or a key', () => {
    for (const by of ['', 'ip.a']) {
      const d = draft(emptyState);
      for (let i = 0; i < 5; i += 1) registerFailure(d, T, off, by);
      expect(d.state).toBe(emptyState);
      expect(d.events).toEqual([]);
    }
  });
});

describe('closeVerification', () => {
  it('closes a pending verification, with its event', () => {
    const d = draft({ ...emptyState, verifications: [ver()] });
    closeVerification(d, 'a', 'canceled', T + MIN, defaultPolicy);
    expect(d.state.verifications[0]).toMatchObject({ status: 'canceled', closedAt: T + MIN });
    expect(d.events).toEqual([{ type: 'verification.canceled', id: 'a', at: T + MIN }]);
  });

  it('leaves a closed verification and an unknown id alone', () => {
    const s = {
      ...emptyState,
      verifications: [ver({ status: 'approved', closedAt: T, checks: 1 })],
    };
    const d = draft(s);
    closeVerification(d, 'a', 'failed', T + MIN, defaultPolicy);
    closeVerification(d, 'zz', 'canceled', T + MIN, defaultPolicy);
    expect(d.state).toBe(s);
    expect(d.events).toEqual([]);
  });
});

describe('recordTtl edges', () => {
  const policy = resolvePolicy({
    sendWindows: [{ windowMs: 60 * MIN, max: 5 }],
    lockout: { forgetAfterMs: 30 * MIN },
    retentionMs: 5 * MIN,
  });

  it('a failure time with nothing counted does not keep the record', () => {
    expect(recordTtl({ ...emptyState, lastFailureAt: T }, T, policy)).toBe(-T);
  });

  it('a wrong guess on a closed verification adds nothing: it lives to its retention', () => {
    const closed = {
      ...emptyState,
      verifications: [ver({ status: 'approved', closedAt: T, checks: 2 })],
    };
    expect(recordTtl(closed, T, policy)).toBe(5 * MIN);
  });

  it('with lockout off, a guessed pending code lives to its expiry and retention', () => {
    const off = resolvePolicy({ lockout: false, retentionMs: 5 * MIN });
    const guessed = { ...emptyState, verifications: [ver({ checks: 1 })] };
    expect(recordTtl(guessed, T, off)).toBe(15 * MIN);
  });
});
