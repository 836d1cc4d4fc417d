/**
 * The send rules of the pure core (src/core/send.ts): the phone's send windows, locks,
 * superseding, the resend cooldown and the send counts, through `startTransition`,
 * `resendTransition`, `windowRetryAt` and `notPending`. No store: states and `now` only.
 */
import { describe, expect, it } from 'vitest';
import { defaultLockout, defaultPolicy, type Policy } from '../../src/core/policy';
import {
  notPending,
  resendTransition,
  type StartInput,
  startTransition,
  windowRetryAt,
} from '../../src/core/send';
import { emptyState, type PhoneState, type VerificationState } from '../../src/core/state';
import { pendingAttempt } from '../../src/delivery/attempts';

const T = 1_700_000_000_000;
const SEC = 1000;
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const input = (id: string, extra: Partial<StartInput> = {}): StartInput => ({
  id,
  purpose: 'login',
  channel: 'sms',
  digest: `d-${id}`,
  to: '+1 *** *** **53',
  sealed: `s-${id}`,
  ...extra,
});

function start(state: PhoneState, id: string, now: number, extra: Partial<StartInput> = {}) {
  return startTransition(state, input(id, extra), now, defaultPolicy);
}

function started(state: PhoneState, id: string, now: number, extra: Partial<StartInput> = {}) {
  const step = start(state, id, now, extra);
  expect(step.decision.isOk()).toBe(true);
  return step.state;
}

const byId = (s: PhoneState, id: string) => s.verifications.find((v) => v.id === id);

const phoneWith = (sends: number[], extra: Partial<PhoneState> = {}): PhoneState => ({
  ...emptyState,
  sends,
  ...extra,
});

describe('windowRetryAt: the phone send windows', () => {
  const windows: Policy = {
    ...defaultPolicy,
    sendWindows: [
      { windowMs: HOUR, max: 2 },
      { windowMs: DAY, max: 3 },
    ],
  };

  it('has room with no sends and below every window max', () => {
    expect(windowRetryAt(emptyState, T, windows)).toBeUndefined();
    expect(windowRetryAt(phoneWith([T - 10]), T, windows)).toBeUndefined();
  });

  it('a full window frees when its oldest counted send leaves it', () => {
    const s = phoneWith([T - 20 * MIN, T - 10 * MIN]);
    expect(windowRetryAt(s, T, windows)).toBe(T - 20 * MIN + HOUR);
  });

  it('a send exactly one window ago no longer counts; one ms later it still does', () => {
    expect(windowRetryAt(phoneWith([T - HOUR, T - MIN]), T, windows)).toBeUndefined();
    expect(windowRetryAt(phoneWith([T - HOUR + 1, T - MIN]), T, windows)).toBe(T + 1);
  });

  it('the latest of the full windows decides', () => {
    // Hour window: 2 within the hour (full until T - 5 min + 1 h); day window: 3 within the
    // day, full until the oldest (T - 10 h) leaves it.
    const s = phoneWith([T - 10 * HOUR, T - 30 * MIN, T - 5 * MIN]);
    expect(windowRetryAt(s, T, windows)).toBe(T - 10 * HOUR + DAY);
    const order: Policy = { ...windows, sendWindows: [...windows.sendWindows].reverse() };
    expect(windowRetryAt(s, T, order)).toBe(T - 10 * HOUR + DAY);
  });

  it('sends appended out of time order (writes land in any order): the retry still counts from the oldest that must leave', () => {
    const s = phoneWith([T - 10 * MIN, T - 20 * MIN]);
    const one: Policy = { ...defaultPolicy, sendWindows: [{ windowMs: HOUR, max: 2 }] };
    expect(windowRetryAt(s, T, one)).toBe(T - 20 * MIN + HOUR);
  });

  it('with more sends than the max, the retry is when enough have left', () => {
    const s = phoneWith([T - 50 * MIN, T - 40 * MIN, T - 30 * MIN]);
    const one: Policy = { ...defaultPolicy, sendWindows: [{ windowMs: HOUR, max: 2 }] };
    expect(windowRetryAt(s, T, one)).toBe(T - 40 * MIN + HOUR);
  });
});

describe('startTransition', () => {
  it('creates a pending verification with its code lifetime and the send counted', () => {
    const attempt = pendingAttempt('sms', T, 'ref1');
    const step = start(emptyState, 'a', T, { attempt, by: 'ip.a' });
    expect(step.changed).toBe(true);
    expect(step.decision._unsafeUnwrap()).toEqual({
      verification: {
        id: 'a',
        purpose: 'login',
        channel: 'sms',
        digest: 'd-a',
        to: '+1 *** *** **53',
        sealed: 's-a',
        createdAt: T,
        expiresAt: T + 10 * MIN,
        checks: 0,
        sends: 1,
        lastSendAt: T,
        status: 'pending',
        closedAt: 0,
        attempts: [attempt],
        by: 'ip.a',
      },
      sendsLeft: 4,
      resendAvailableAt: T + 30 * SEC,
    });
    expect(step.state.sends).toEqual([T]);
    expect(step.state.verifications).toHaveLength(1);
    expect(step.state.requesters).toEqual([{ k: 'ip.a', s: [T], f: 0, l: 0, u: 0, t: 0 }]);
  });

  it('without an attempt or a requester: no attempts, the anonymous requester', () => {
    const v = start(emptyState, 'a', T).decision._unsafeUnwrap().verification;
    expect(v).not.toHaveProperty('attempts');
    expect(v.by).toBe('');
    expect(start(emptyState, 'a', T).state.requesters).toBeUndefined();
  });

  it('supersedes only the same requester’s pending verification of the same purpose', () => {
    let s = started(emptyState, 'mine', T, { by: 'ip.a' });
    s = started(s, 'other-purpose', T + 1, { by: 'ip.a', purpose: 'reset' });
    s = started(s, 'theirs', T + 2, { by: 'ip.b' });
    const step = start(s, 'new', T + 3, { by: 'ip.a' });
    expect(byId(step.state, 'mine')).toMatchObject({ status: 'canceled', closedAt: T + 3 });
    expect(byId(step.state, 'other-purpose')?.status).toBe('pending');
    expect(byId(step.state, 'theirs')?.status).toBe('pending');
    expect(byId(step.state, 'new')?.status).toBe('pending');
    expect(step.events).toEqual([{ type: 'verification.canceled', id: 'mine', at: T + 3 }]);
  });

  it('never supersedes a verification that is no longer pending', () => {
    let s = started(emptyState, 'old', T);
    s = {
      ...s,
      verifications: s.verifications.map((v) => ({ ...v, status: 'approved', closedAt: T + 1 })),
    };
    const step = start(s, 'new', T + 2);
    expect(byId(step.state, 'old')).toMatchObject({ status: 'approved', closedAt: T + 1 });
    expect(step.events).toEqual([]);
  });

  it('a phone lock refuses until its end; at the end a start is allowed', () => {
    const s = phoneWith([], { lockedUntil: T + MIN, locks: 1, lastFailureAt: T });
    const refused = start(s, 'a', T + MIN - 1);
    expect(refused.decision._unsafeUnwrapErr()).toEqual({ code: 'locked', retryAt: T + MIN });
    expect(refused.changed).toBe(false);
    expect(refused.state).toBe(s);
    expect(start(s, 'a', T + MIN).decision.isOk()).toBe(true);
  });

  it('the requester’s own lock refuses it alone', () => {
    const s = phoneWith([], { requesters: [{ k: 'ip.a', s: [], f: 0, l: 1, u: T + MIN, t: T }] });
    expect(start(s, 'a', T, { by: 'ip.a' }).decision._unsafeUnwrapErr()).toEqual({
      code: 'locked',
      retryAt: T + MIN,
    });
    expect(start(s, 'a', T, { by: 'ip.b' }).decision.isOk()).toBe(true);
    expect(start(s, 'a', T + MIN, { by: 'ip.a' }).decision.isOk()).toBe(true);
  });

  it('a full send window refuses with the time it has room again', () => {
    const sends = [T - 50 * MIN, T - 40 * MIN, T - 30 * MIN, T - 20 * MIN, T - 10 * MIN];
    const s = phoneWith(sends);
    const refused = start(s, 'a', T);
    expect(refused.decision._unsafeUnwrapErr()).toEqual({
      code: 'send_limit_reached',
      retryAt: T - 50 * MIN + HOUR,
    });
    expect(refused.changed).toBe(false);
    expect(start(s, 'a', T + 10 * MIN).decision.isOk()).toBe(true);
  });

  it('the requester’s share refuses exactly its 4th send of a day', () => {
    let s = emptyState;
    for (let i = 0; i < 3; i += 1) s = started(s, `v${i}`, T + i * HOUR, { by: 'ip.a' });
    const refused = start(s, 'v3', T + 3 * HOUR, { by: 'ip.a' });
    expect(refused.decision._unsafeUnwrapErr()).toEqual({
      code: 'send_limit_reached',
      retryAt: T + DAY,
    });
    expect(start(s, 'v3', T + 3 * HOUR, { by: 'ip.b' }).decision.isOk()).toBe(true);
    expect(start(s, 'v3', T + DAY, { by: 'ip.a' }).decision.isOk()).toBe(true);
  });

  it('a refusal after settling reports the settled state as changed', () => {
    // A code that expired meanwhile is closed by the settling, then the lock refuses.
    const s0 = started(emptyState, 'x', T - MIN);
    const s = { ...s0, lockedUntil: T + HOUR, locks: 1, lastFailureAt: T };
    const step = start(s, 'a', T + 10 * MIN);
    expect(step.decision._unsafeUnwrapErr().code).toBe('locked');
    expect(step.changed).toBe(true);
    expect(step.state).not.toBe(s);
    expect(byId(step.state, 'x')?.status).toBe('expired');
    expect(step.events).toEqual([{ type: 'verification.expired', id: 'x', at: T + 9 * MIN }]);
  });

  it('superseding a verification with a wrong check can lock the phone: the start is refused', () => {
    const policy: Policy = {
      ...defaultPolicy,
      lockout: { ...defaultLockout, threshold: 1 },
    };
    const s0 = startTransition(emptyState, input('a'), T, policy).state;
    const s = { ...s0, verifications: s0.verifications.map((v) => ({ ...v, checks: 1 })) };
    const step = startTransition(s, input('b'), T + MIN, policy);
    expect(step.decision._unsafeUnwrapErr()).toEqual({
      code: 'locked',
      retryAt: T + MIN + 15 * MIN,
    });
    expect(step.changed).toBe(true);
    expect(byId(step.state, 'a')?.status).toBe('canceled');
    expect(byId(step.state, 'b')).toBeUndefined();
  });
  it('a refused start leaves the caller’s pending verification pending', () => {
    const s0 = started(emptyState, 'a', T, { by: 'ip.a' });
    const phone = { ...s0, lockedUntil: T + HOUR, locks: 1, lastFailureAt: T };
    const own: PhoneState = {
      ...s0,
      requesters: [{ k: 'ip.a', s: [T], f: 0, l: 1, u: T + HOUR, t: T }],
    };
    for (const s of [phone, own]) {
      const step = start(s, 'b', T + MIN, { by: 'ip.a' });
      expect(step.decision._unsafeUnwrapErr().code).toBe('locked');
      expect(byId(step.state, 'a')?.status).toBe('pending');
      expect(step.events).toEqual([]);
    }
  });
});

describe('notPending', () => {
  const v = (status: VerificationState['status']) =>
    ({
      ...start(emptyState, 'a', T).decision._unsafeUnwrap().verification,
      status,
    }) as VerificationState;

  it('names why a verification cannot be acted on', () => {
    expect(notPending(undefined)).toEqual({ code: 'not_found' });
    expect(notPending(v('pending'))).toBeUndefined();
    expect(notPending(v('expired'))).toEqual({ code: 'expired' });
    expect(notPending(v('failed'))).toEqual({ code: 'max_attempts_reached', attemptsLeft: 0 });
    expect(notPending(v('approved'))).toEqual({ code: 'not_found' });
    expect(notPending(v('canceled'))).toEqual({ code: 'not_found' });
  });
});

describe('resendTransition', () => {
  const resend = (
    s: PhoneState,
    now: number,
    extra: Partial<Parameters<typeof resendTransition>[1]> = {},
  ) => resendTransition(s, { id: 'a', digest: 'd2', ...extra }, now, defaultPolicy);

  it('a resend exactly at the cooldown’s end is allowed; 1 ms before it is refused', () => {
    const s = started(emptyState, 'a', T);
    const early = resend(s, T + 30 * SEC - 1);
    expect(early.decision._unsafeUnwrapErr()).toEqual({
      code: 'resend_too_soon',
      retryAt: T + 30 * SEC,
    });
    expect(early.changed).toBe(false);
    expect(early.state).toBe(s);
    const step = resend(s, T + 30 * SEC);
    expect(step.changed).toBe(true);
    expect(step.decision._unsafeUnwrap()).toMatchObject({
      sendsLeft: 3,
      // The second cooldown is twice the first.
      resendAvailableAt: T + 30 * SEC + 60 * SEC,
    });
  });

  it('replaces the code, restarts its lifetime and counts the send', () => {
    const attempt = pendingAttempt('voice', T + MIN, 'r2');
    const s = started(emptyState, 'a', T, { by: 'ip.a' });
    const step = resend(s, T + MIN, { channel: 'voice', attempt, by: 'ip.a' });
    const v = step.decision._unsafeUnwrap().verification;
    expect(v).toMatchObject({
      digest: 'd2',
      channel: 'voice',
      sends: 2,
      lastSendAt: T + MIN,
      expiresAt: T + MIN + 10 * MIN,
      createdAt: T,
      attempts: [attempt],
    });
    expect(byId(step.state, 'a')).toEqual(v);
    expect(step.state.sends).toEqual([T, T + MIN]);
    expect(step.state.requesters?.[0]?.s).toEqual([T, T + MIN]);
    // Without a channel the verification keeps its own; without an attempt, none is added.
    const plain = resend(step.state, T + 3 * MIN, { by: 'ip.a' }).decision._unsafeUnwrap();
    expect(plain.verification.channel).toBe('voice');
    expect(plain.verification.attempts).toEqual([attempt]);
  });

  it('adds the attempt to those recorded before', () => {
    const first = pendingAttempt('sms', T, 'r1');
    const second = pendingAttempt('sms', T + MIN, 'r2');
    const s = started(emptyState, 'a', T, { attempt: first });
    const v = resend(s, T + MIN, { attempt: second }).decision._unsafeUnwrap().verification;
    expect(v.attempts).toEqual([first, second]);
  });

  it('is not_found for an unknown id and for another requester’s verification', () => {
    const s = started(emptyState, 'a', T, { by: 'ip.a' });
    expect(resend(s, T + MIN, { id: 'zz' }).decision._unsafeUnwrapErr()).toEqual({
      code: 'not_found',
    });
    expect(resend(s, T + MIN, { by: 'ip.b' }).decision._unsafeUnwrapErr()).toEqual({
      code: 'not_found',
    });
    // The anonymous requester (the application's own code) may.
    expect(resend(s, T + MIN).decision.isOk()).toBe(true);
  });

  it('an automatic fallback acts for the verification’s own requester and skips the cooldown', () => {
    const s = started(emptyState, 'a', T, { by: 'ip.a' });
    const step = resend(s, T + 1, { fallback: true, by: 'ip.b', channel: 'voice' });
    expect(step.decision.isOk()).toBe(true);
    expect(step.state.requesters).toEqual([{ k: 'ip.a', s: [T, T + 1], f: 0, l: 0, u: 0, t: 0 }]);
    expect(resend(s, T + 1, { fallback: false }).decision._unsafeUnwrapErr().code).toBe(
      'resend_too_soon',
    );
  });

  it('a closed verification is refused with why', () => {
    const s = started(emptyState, 'a', T);
    const expired = resend(s, T + 10 * MIN);
    expect(expired.decision._unsafeUnwrapErr()).toEqual({ code: 'expired' });
    // The expiry was applied by the call: the record changed although the resend is refused.
    expect(expired.changed).toBe(true);
    expect(byId(expired.state, 'a')).toMatchObject({ status: 'expired', closedAt: T + 10 * MIN });
    expect(expired.events).toEqual([{ type: 'verification.expired', id: 'a', at: T + 10 * MIN }]);
    const canceled = started(s, 'b', T + MIN);
    expect(resend(canceled, T + 2 * MIN).decision._unsafeUnwrapErr()).toEqual({
      code: 'not_found',
    });
  });

  it('stops at maxSends', () => {
    let s = started(emptyState, 'a', T);
    let now = T;
    for (let i = 1; i < 5; i += 1) {
      now += 10 * MIN - 1;
      const step = resend(s, now);
      expect(step.decision._unsafeUnwrap().sendsLeft).toBe(5 - i - 1);
      s = step.state;
    }
    const policy: Policy = { ...defaultPolicy, sendWindows: [{ windowMs: DAY, max: 100 }] };
    const fifth = resendTransition(s, { id: 'a', digest: 'd', fallback: true }, now + 1, policy);
    expect(fifth.decision._unsafeUnwrapErr()).toEqual({ code: 'send_limit_reached' });
  });

  it('a lock refuses a resend, even a fallback', () => {
    const s0 = started(emptyState, 'a', T, { by: 'ip.a' });
    const s = { ...s0, lockedUntil: T + HOUR, locks: 1, lastFailureAt: T };
    expect(resend(s, T + MIN, { fallback: true }).decision._unsafeUnwrapErr()).toEqual({
      code: 'locked',
      retryAt: T + HOUR,
    });
    const own: PhoneState = {
      ...s0,
      requesters: [{ k: 'ip.a', s: [T], f: 0, l: 1, u: T + HOUR, t: T }],
    };
    expect(resend(own, T + MIN, { by: 'ip.a' }).decision._unsafeUnwrapErr()).toEqual({
      code: 'locked',
      retryAt: T + HOUR,
    });
  });

  it('a full phone window or requester share refuses a resend with its retry time', () => {
    const s0 = started(emptyState, 'a', T, { by: 'ip.a' });
    const full = { ...s0, sends: [T - 40 * MIN, T - 30 * MIN, T - 20 * MIN, T - 10 * MIN, T] };
    expect(resend(full, T + MIN, { by: 'ip.a' }).decision._unsafeUnwrapErr()).toEqual({
      code: 'send_limit_reached',
      retryAt: T - 40 * MIN + HOUR,
    });
    const share: PhoneState = {
      ...s0,
      requesters: [{ k: 'ip.a', s: [T - 2 * HOUR, T - HOUR, T], f: 0, l: 0, u: 0, t: 0 }],
    };
    expect(resend(share, T + MIN, { by: 'ip.a' }).decision._unsafeUnwrapErr()).toEqual({
      code: 'send_limit_reached',
      retryAt: T - 2 * HOUR + DAY,
    });
  });
});
