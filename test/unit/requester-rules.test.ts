/**
 * The per-requester rules of the pure core (src/core/requesters.ts), function by function:
 * who owns a verification, the requester's share of the send windows, its lock, what an
 * approval gives back, how time settles the entries and how long they keep the record.
 */
import { describe, expect, it } from 'vitest';
import { defaultPolicy, type Policy } from '../../src/core/policy';
import {
  approvedBy,
  editRequester,
  MAX_REQUESTERS,
  owns,
  recordRequesterSend,
  requesterLockedUntil,
  requesterOf,
  requestersUntil,
  requesterWindowRetryAt,
  settleRequesters,
  windowsRetryAt,
} from '../../src/core/requesters';
import {
  emptyState,
  type PhoneState,
  type RequesterState,
  type VerificationState,
} from '../../src/core/state';

const T = 1_700_000_000_000;
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const entry = (k: string, r: Partial<RequesterState> = {}): RequesterState => ({
  k,
  s: [],
  f: 0,
  l: 0,
  u: 0,
  t: 0,
  ...r,
});
const withRequesters = (requesters: RequesterState[], extra: Partial<PhoneState> = {}) =>
  ({ ...emptyState, requesters, ...extra }) as PhoneState;

const verification = (v: Partial<VerificationState> = {}): VerificationState => ({
  id: 'a',
  purpose: 'login',
  channel: 'sms',
  digest: 'd',
  to: '+1 *** *** **53',
  sealed: 's',
  createdAt: T,
  expiresAt: T + 10 * MIN,
  checks: 1,
  sends: 1,
  lastSendAt: T,
  status: 'approved',
  closedAt: T + MIN,
  by: 'ip.a',
  ...v,
});

describe('owns', () => {
  it('its own requester and the anonymous one may act; another may not', () => {
    const v = verification();
    expect(owns(v, 'ip.a')).toBe(true);
    expect(owns(v, '')).toBe(true);
    expect(owns(v, 'ip.b')).toBe(false);
    const { by: _, ...old } = v;
    expect(owns(old as VerificationState, 'ip.b')).toBe(true);
  });
});

describe('requesterOf and editRequester', () => {
  it('the anonymous requester has no entry; a key finds its own', () => {
    const s = withRequesters([entry(''), entry('ip.a', { f: 1 })]);
    expect(requesterOf(s, '')).toBeUndefined();
    expect(requesterOf(s, 'ip.a')).toEqual(entry('ip.a', { f: 1 }));
    expect(requesterOf(s, 'ip.b')).toBeUndefined();
    expect(requesterOf(emptyState, 'ip.a')).toBeUndefined();
  });

  it('creates a missing entry at the end and edits an existing one in place', () => {
    const s = withRequesters([entry('ip.a'), entry('ip.b')]);
    const added = editRequester(s, 'ip.c', (m) => {
      m.f = 2;
    });
    expect(added.requesters).toEqual([entry('ip.a'), entry('ip.b'), entry('ip.c', { f: 2 })]);
    const edited = editRequester(s, 'ip.a', (m) => {
      m.l = 1;
    });
    expect(edited.requesters).toEqual([entry('ip.a', { l: 1 }), entry('ip.b')]);
    expect(s.requesters).toEqual([entry('ip.a'), entry('ip.b')]);
    expect(editRequester(emptyState, 'ip.a', () => {}).requesters).toEqual([entry('ip.a')]);
  });

  it('beyond MAX_REQUESTERS drops idle entries first, oldest first', () => {
    const list = Array.from({ length: MAX_REQUESTERS }, (_, i) =>
      entry(`k${i}`, i % 2 === 0 ? { f: 1, t: T } : { s: [T] }),
    );
    const next = editRequester(withRequesters(list), 'new', () => {}).requesters ?? [];
    expect(next).toHaveLength(MAX_REQUESTERS);
    expect(next.map((r) => r.k)).not.toContain('k1');
    expect(next.map((r) => r.k)).toContain('k3');
    expect(next.at(-1)?.k).toBe('new');
  });

  it('an entry with a lock or failures is kept before an idle one', () => {
    for (const busy of [{ u: T + MIN }, { f: 1 }, { l: 1 }]) {
      const list = [entry('busy', busy), ...Array.from({ length: 31 }, (_, i) => entry(`i${i}`))];
      const next = editRequester(withRequesters(list), 'new', () => {}).requesters ?? [];
      expect(next[0]?.k).toBe('busy');
      expect(next.map((r) => r.k)).not.toContain('i0');
    }
  });

  it('when none is idle the oldest go', () => {
    const list = Array.from({ length: MAX_REQUESTERS }, (_, i) => entry(`k${i}`, { f: 1 }));
    const next = editRequester(withRequesters(list), 'new', (m) => {
      m.f = 1;
    }).requesters;
    expect(next?.map((r) => r.k)).toEqual([...list.slice(1).map((r) => r.k), 'new']);
  });
});

describe('a requester’s lock and share', () => {
  it('a lock holds until its end, exclusive', () => {
    const s = withRequesters([entry('ip.a', { u: T + MIN, l: 1 })]);
    expect(requesterLockedUntil(s, 'ip.a', T + MIN - 1)).toBe(T + MIN);
    expect(requesterLockedUntil(s, 'ip.a', T + MIN)).toBe(0);
    expect(requesterLockedUntil(s, 'ip.b', T)).toBe(0);
  });

  it('windowsRetryAt: the latest time a full window frees', () => {
    const windows = [
      { windowMs: HOUR, max: 2 },
      { windowMs: DAY, max: 3 },
    ];
    expect(windowsRetryAt([], windows, T)).toBeUndefined();
    expect(windowsRetryAt([T - HOUR, T - MIN], windows, T)).toBeUndefined();
    expect(windowsRetryAt([T - HOUR + 1, T - MIN], windows, T)).toBe(T + 1);
    expect(windowsRetryAt([T - 10 * HOUR, T - 30 * MIN, T - MIN], windows, T)).toBe(
      T - 10 * HOUR + DAY,
    );
    expect(windowsRetryAt([T - 3 * MIN, T - 2 * MIN, T - MIN], windows.slice(0, 1), T)).toBe(
      T - 2 * MIN + HOUR,
    );
  });

  it('the share of the default policy refuses the 4th send of a day', () => {
    let s = emptyState;
    for (let i = 0; i < 3; i += 1) {
      expect(requesterWindowRetryAt(s, 'ip.a', T + i, defaultPolicy)).toBeUndefined();
      s = recordRequesterSend(s, 'ip.a', T + i);
    }
    expect(requesterWindowRetryAt(s, 'ip.a', T + 3, defaultPolicy)).toBe(T + DAY);
    expect(requesterWindowRetryAt(s, 'ip.a', T + DAY, defaultPolicy)).toBeUndefined();
    expect(requesterWindowRetryAt(s, 'ip.b', T + 3, defaultPolicy)).toBeUndefined();
  });

  it('the anonymous requester has no share', () => {
    const s = withRequesters([entry('', { s: [T, T, T, T] })]);
    expect(requesterWindowRetryAt(s, '', T, defaultPolicy)).toBeUndefined();
    expect(recordRequesterSend(emptyState, '', T)).toBe(emptyState);
  });
});

describe('approvedBy', () => {
  it('approval at the first check after one send gives the send back to the phone', () => {
    const s = withRequesters([entry('ip.a', { s: [T - HOUR, T], f: 2, l: 1, u: 0, t: T - 1 })], {
      sends: [T - HOUR, T, T + 5],
    });
    const next = approvedBy(s, verification());
    expect(next.sends).toEqual([T - HOUR, T + 5]);
    expect(next.requesters).toEqual([entry('ip.a', { s: [T - HOUR] })]);
  });

  it('gives back the latest of equal send times only once', () => {
    const s = { ...emptyState, sends: [T, T] };
    expect(approvedBy(s, verification({ by: '' })).sends).toEqual([T]);
  });

  it('after a wrong check or a resend, the phone keeps the sends; the requester gets them back', () => {
    const s = withRequesters([entry('ip.a', { s: [T - HOUR, T, T + MIN] })], {
      sends: [T - HOUR, T, T + MIN],
    });
    const resent = approvedBy(s, verification({ sends: 2, checks: 1 }));
    expect(resent.sends).toEqual(s.sends);
    expect(resent.requesters).toEqual([entry('ip.a', { s: [T - HOUR] })]);
    const wrong = approvedBy(s, verification({ sends: 1, checks: 2 }));
    expect(wrong.sends).toEqual(s.sends);
    expect(wrong.requesters).toEqual([entry('ip.a', { s: [T - HOUR, T] })]);
  });

  it('gives back only the sends made since the verification started', () => {
    const s = withRequesters([entry('ip.a', { s: [T - HOUR, T] })]);
    const next = approvedBy(s, verification({ sends: 2, checks: 2 }));
    expect(next.requesters).toEqual([entry('ip.a', { s: [T - HOUR] })]);
  });

  it('a send not found in the phone list changes nothing there', () => {
    const s = { ...emptyState, sends: [T - HOUR] };
    expect(approvedBy(s, verification({ by: '' }))).toBe(s);
  });
});

describe('settleRequesters', () => {
  const p = defaultPolicy;

  it('no entries: the same state', () => {
    expect(settleRequesters(emptyState, T, p)).toBe(emptyState);
    const none = withRequesters([]);
    expect(settleRequesters(none, T, p)).toBe(none);
  });

  it('nothing due: the same state', () => {
    const s = withRequesters([entry('ip.a', { s: [T - MIN], f: 1, t: T - MIN })]);
    expect(settleRequesters(s, T, p)).toBe(s);
  });

  it('a lock ends at its end, not before; failures are kept until forgotten', () => {
    const s = withRequesters([entry('ip.a', { u: T, l: 1, t: T - 15 * MIN })]);
    expect(settleRequesters(s, T - 1, p)).toBe(s);
    expect(settleRequesters(s, T, p).requesters).toEqual([
      entry('ip.a', { l: 1, t: T - 15 * MIN }),
    ]);
  });

  it('failures are forgotten exactly forgetAfterMs after the last one, unless locked', () => {
    const s = withRequesters([entry('ip.a', { s: [T], f: 2, l: 1, t: T })]);
    expect(settleRequesters(s, T + DAY - 1, p)).toBe(s);
    expect(settleRequesters(s, T + DAY - 1, p).requesters?.[0]).toMatchObject({ f: 2, l: 1 });
    const locked = withRequesters([entry('ip.a', { f: 0, l: 1, u: T + 2 * DAY, t: T })]);
    expect(settleRequesters(locked, T + DAY, p)).toBe(locked);
    const onlyLocks = withRequesters([entry('ip.a', { s: [T + DAY], l: 1, t: T })]);
    expect(settleRequesters(onlyLocks, T + DAY, p).requesters).toEqual([
      entry('ip.a', { s: [T + DAY] }),
    ]);
    const onlyFailures = withRequesters([entry('ip.a', { s: [T + DAY], f: 1, t: T })]);
    expect(settleRequesters(onlyFailures, T + DAY, p).requesters).toEqual([
      entry('ip.a', { s: [T + DAY] }),
    ]);
  });

  it('with lockout off, failures are forgotten at once', () => {
    const off: Policy = { ...p, lockout: false };
    const s = withRequesters([entry('ip.a', { s: [T], f: 1, t: T })]);
    expect(settleRequesters(s, T, off).requesters).toEqual([entry('ip.a', { s: [T] })]);
  });

  it('sends leave the share when the longest window has passed; an idle entry goes', () => {
    const s = withRequesters([entry('ip.a', { s: [T, T + HOUR] }), entry('ip.b', { s: [T + 1] })]);
    expect(settleRequesters(s, T + DAY - 1, p)).toBe(s);
    const next = settleRequesters(s, T + DAY, p);
    expect(next.requesters).toEqual([
      entry('ip.a', { s: [T + HOUR] }),
      entry('ip.b', { s: [T + 1] }),
    ]);
    const later = settleRequesters(s, T + DAY + 1, p);
    expect(later.requesters).toEqual([entry('ip.a', { s: [T + HOUR] })]);
    expect(settleRequesters(s, T + 2 * DAY, p)).not.toHaveProperty('requesters');
  });

  it('an entry holding only a lock end is kept until the lock ends', () => {
    const s = withRequesters([entry('ip.a', { u: T + MIN })]);
    expect(settleRequesters(s, T, p)).toBe(s);
    expect(settleRequesters(s, T + MIN, p)).not.toHaveProperty('requesters');
  });

  it('an entry that is idle already is removed', () => {
    const s = withRequesters([entry('ip.a'), entry('ip.b', { f: 1, t: T })]);
    expect(settleRequesters(s, T, p).requesters).toEqual([entry('ip.b', { f: 1, t: T })]);
  });

  it('without requester windows, sends are dropped at once', () => {
    const none: Policy = { ...p, requesterSendWindows: [] };
    const s = withRequesters([entry('ip.a', { s: [T], f: 1, t: T })]);
    expect(settleRequesters(s, T, none).requesters).toEqual([entry('ip.a', { f: 1, t: T })]);
  });
});

describe('requestersUntil', () => {
  const p = defaultPolicy;

  it('no entries: 0', () => {
    expect(requestersUntil(emptyState, p)).toBe(0);
  });

  it('the latest of a lock end, forgetting the failures and the last send leaving', () => {
    expect(requestersUntil(withRequesters([entry('a', { u: T + 5 * DAY })]), p)).toBe(T + 5 * DAY);
    expect(requestersUntil(withRequesters([entry('a', { f: 1, t: T })]), p)).toBe(T + DAY);
    expect(requestersUntil(withRequesters([entry('a', { l: 1, t: T })]), p)).toBe(T + DAY);
    expect(requestersUntil(withRequesters([entry('a', { s: [T - HOUR, T] })]), p)).toBe(T + DAY);
    expect(
      requestersUntil(withRequesters([entry('a', { s: [T] }), entry('b', { f: 1, t: T + 5 })]), p),
    ).toBe(T + 5 + DAY);
    expect(requestersUntil(withRequesters([entry('a', { t: T })]), p)).toBe(0);
  });

  it('with lockout off, failures do not keep the record', () => {
    const off: Policy = { ...p, lockout: false };
    expect(requestersUntil(withRequesters([entry('a', { f: 1, l: 1, t: T })]), off)).toBe(0);
  });

  it('without requester windows, a send keeps the record only to its own time', () => {
    const none: Policy = { ...p, requesterSendWindows: [] };
    expect(requestersUntil(withRequesters([entry('a', { s: [T] })]), none)).toBe(T);
  });
});
