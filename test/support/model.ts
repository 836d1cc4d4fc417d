/**
 * A small reference model of the verifier's policy under the default settings, written
 * plainly and independently of `src/core`, for model-based tests. Requesters are plain
 * strings (`''`: a call without a context); the model binds each verification to the
 * requester that started it, keeps each requester's share of the send windows, failures
 * and lock, and locks the phone when `lockRequesters` distinct requesters failed.
 */
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const LIMITS = {
  ttl: 10 * MIN,
  maxChecks: 5,
  maxSends: 5,
  windows: [
    [HOUR, 5],
    [DAY, 10],
  ] as const,
  requesterWindows: [[DAY, 3]] as const,
  lockThreshold: 3,
  lockRequesters: 4,
  retention: 10 * MIN,
  forget: DAY,
  maxKept: 10,
};

export type Status = 'pending' | 'approved' | 'canceled' | 'expired' | 'failed';

export interface MVerification {
  id: string;
  /** The requester that started it (`''`: none). */
  by: string;
  createdAt: number;
  purpose: string;
  code: string;
  status: Status;
  checks: number;
  sends: number;
  lastSendAt: number;
  expiresAt: number;
  closedAt: number;
}

export interface MPhone {
  sends: number[];
  failures: number;
  locks: number;
  lockedUntil: number;
  lastFailureAt: number;
  list: MVerification[];
  /** Per requester (never `''`): sends, failures, locks, lock end, last failure. */
  reqs: Map<string, MRequester>;
  /** Distinct requesters that failed since the phone's last lock. */
  failers: string[];
}

export interface MRequester {
  sends: number[];
  failures: number;
  locks: number;
  lockedUntil: number;
  lastFailureAt: number;
}

/** What the model expects an operation to return. */
export type Expect =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; code: string; retryAfter?: number; attemptsLeft?: number };

const refuse = (
  code: string,
  extra: { retryAfter?: number; attemptsLeft?: number } = {},
): Expect => ({
  ok: false,
  code,
  ...extra,
});
const secs = (until: number, now: number) => Math.max(1, Math.ceil((until - now) / 1000));
export const cooldown = (sends: number) => Math.min(5 * MIN, 30 * SEC * 2 ** (sends - 1));
const lockLength = (n: number) => Math.min(DAY, 15 * MIN * 2 ** (n - 1));

export function newPhone(): MPhone {
  return {
    sends: [],
    failures: 0,
    locks: 0,
    lockedUntil: 0,
    lastFailureAt: 0,
    list: [],
    reqs: new Map(),
    failers: [],
  };
}

/** A call without a context may act on any verification; a requester on its own. */
export const owns = (v: MVerification, by: string) => by === '' || v.by === by;

function req(p: MPhone, by: string): MRequester {
  let r = p.reqs.get(by);
  if (!r) {
    r = { sends: [], failures: 0, locks: 0, lockedUntil: 0, lastFailureAt: 0 };
    p.reqs.set(by, r);
  }
  return r;
}

function lockPhone(p: MPhone, at: number): void {
  p.locks += 1;
  p.lockedUntil = Math.max(p.lockedUntil, at + lockLength(p.locks));
  p.failures = 0;
  p.lastFailureAt = at;
  p.failers = [];
}

function fail(p: MPhone, at: number, by: string): void {
  if (by === '') {
    p.failures += 1;
    p.lastFailureAt = at;
    if (p.failures >= LIMITS.lockThreshold) lockPhone(p, at);
    return;
  }
  const r = req(p, by);
  r.lastFailureAt = at;
  r.failures += 1;
  if (r.failures >= LIMITS.lockThreshold) {
    r.failures = 0;
    r.locks += 1;
    r.lockedUntil = Math.max(r.lockedUntil, at + lockLength(r.locks));
  }
  if (!p.failers.includes(by)) p.failers.push(by);
  if (p.failers.length >= LIMITS.lockRequesters) lockPhone(p, at);
  else p.lastFailureAt = at;
}

function close(p: MPhone, v: MVerification, status: Status, at: number): void {
  v.status = status;
  v.closedAt = at;
  if (v.checks > 0) fail(p, at, v.by);
}

/** The phone's lock end, else the requester's, if locked at `now`. */
function lockOf(p: MPhone, by: string, now: number): number | undefined {
  if (p.lockedUntil > now) return p.lockedUntil;
  const u = by === '' ? 0 : (p.reqs.get(by)?.lockedUntil ?? 0);
  return u > now ? u : undefined;
}

export function settle(p: MPhone, now: number): void {
  for (const v of p.list)
    if (v.status === 'pending' && v.expiresAt <= now) close(p, v, 'expired', v.expiresAt);
  if (p.lockedUntil !== 0 && p.lockedUntil <= now) p.lockedUntil = 0;
  if (
    p.lockedUntil === 0 &&
    (p.failures > 0 || p.locks > 0 || p.failers.length > 0) &&
    p.lastFailureAt + LIMITS.forget <= now
  ) {
    p.failures = 0;
    p.locks = 0;
    p.lastFailureAt = 0;
    p.failers = [];
  }
  p.sends = p.sends.filter((t) => t > now - DAY);
  for (const r of p.reqs.values()) {
    if (r.lockedUntil !== 0 && r.lockedUntil <= now) r.lockedUntil = 0;
    if (
      r.lockedUntil === 0 &&
      (r.failures > 0 || r.locks > 0) &&
      r.lastFailureAt + LIMITS.forget <= now
    ) {
      r.failures = 0;
      r.locks = 0;
      r.lastFailureAt = 0;
    }
    r.sends = r.sends.filter((t) => t > now - DAY);
  }
  p.list = p.list.filter((v) => v.status === 'pending' || v.closedAt + LIMITS.retention > now);
  let excess = p.list.length - LIMITS.maxKept;
  p.list = p.list.filter((v) => {
    if (excess > 0 && v.status !== 'pending') {
      excess -= 1;
      return false;
    }
    return true;
  });
}

function full(
  sends: readonly number[],
  windows: ReadonlyArray<readonly [number, number]>,
  now: number,
): number | undefined {
  let at: number | undefined;
  for (const [len, max] of windows) {
    const inside = sends.filter((t) => t > now - len);
    if (inside.length >= max) at = Math.max(at ?? 0, inside[inside.length - max]! + len);
  }
  return at;
}

/** The phone's windows, then the requester's share of them. */
function windowFull(p: MPhone, now: number, by: string): number | undefined {
  const phone = full(p.sends, LIMITS.windows, now);
  if (phone !== undefined || by === '') return phone;
  const r = p.reqs.get(by);
  return r ? full(r.sends, LIMITS.requesterWindows, now) : undefined;
}

function recordSend(p: MPhone, by: string, now: number): void {
  p.sends.push(now);
  if (by !== '') req(p, by).sends.push(now);
}

function closedRefusal(v: MVerification | undefined): Expect | undefined {
  if (!v) return refuse('not_found');
  if (v.status === 'expired') return refuse('expired');
  if (v.status === 'failed') return refuse('max_attempts_reached', { attemptsLeft: 0 });
  if (v.status !== 'pending') return refuse('not_found');
  return undefined;
}

export function start(
  p: MPhone,
  now: number,
  purpose: string,
  id: string,
  code: string,
  by = '',
): Expect {
  settle(p, now);
  const locked = lockOf(p, by, now);
  if (locked) return refuse('locked', { retryAfter: secs(locked, now) });
  const fullAt = windowFull(p, now, by);
  if (fullAt !== undefined) return refuse('send_limit_reached', { retryAfter: secs(fullAt, now) });
  for (const v of p.list)
    if (v.status === 'pending' && v.purpose === purpose && owns(v, by))
      close(p, v, 'canceled', now);
  const lockedNow = lockOf(p, by, now);
  if (lockedNow) return refuse('locked', { retryAfter: secs(lockedNow, now) });
  const v: MVerification = {
    id,
    by,
    createdAt: now,
    purpose,
    code,
    status: 'pending',
    checks: 0,
    sends: 1,
    lastSendAt: now,
    expiresAt: now + LIMITS.ttl,
    closedAt: 0,
  };
  p.list.push(v);
  recordSend(p, by, now);
  return {
    ok: true,
    value: { expiresAt: v.expiresAt, sendsLeft: 4, resendAvailableAt: now + cooldown(1) },
  };
}

export function resend(p: MPhone, now: number, id: string, code: string, by = ''): Expect {
  settle(p, now);
  const found = p.list.find((x) => x.id === id);
  const v = found && owns(found, by) ? found : undefined;
  const closed = closedRefusal(v);
  if (closed || !v) return closed!;
  const locked = lockOf(p, v.by, now);
  if (locked) return refuse('locked', { retryAfter: secs(locked, now) });
  if (v.sends >= LIMITS.maxSends) return refuse('send_limit_reached');
  const availableAt = v.lastSendAt + cooldown(v.sends);
  if (now < availableAt) return refuse('resend_too_soon', { retryAfter: secs(availableAt, now) });
  const fullAt = windowFull(p, now, v.by);
  if (fullAt !== undefined) return refuse('send_limit_reached', { retryAfter: secs(fullAt, now) });
  v.code = code;
  v.sends += 1;
  v.lastSendAt = now;
  v.expiresAt = now + LIMITS.ttl;
  recordSend(p, v.by, now);
  return {
    ok: true,
    value: {
      expiresAt: v.expiresAt,
      sendsLeft: LIMITS.maxSends - v.sends,
      resendAvailableAt: now + cooldown(v.sends),
    },
  };
}

/** Which verification a check by phone and purpose reaches. */
export function targetOf(p: MPhone, purpose: string, by = ''): MVerification | undefined {
  const same = p.list.filter((v) => v.purpose === purpose && owns(v, by));
  return same.find((v) => v.status === 'pending') ?? same[same.length - 1];
}

export function check(
  p: MPhone,
  now: number,
  target: MVerification | undefined,
  code: string,
): Expect {
  const closed = closedRefusal(target);
  if (closed || !target) return closed!;
  const locked = lockOf(p, target.by, now);
  if (locked) return refuse('locked', { retryAfter: secs(locked, now) });
  target.checks += 1;
  if (code === target.code) {
    target.status = 'approved';
    target.closedAt = now;
    p.failures = 0;
    p.locks = 0;
    p.lastFailureAt = 0;
    p.failers = [];
    // Approved by its first check after one send: its send is given back to the phone.
    if (target.sends === 1 && target.checks === 1) {
      const i = p.sends.lastIndexOf(target.createdAt);
      if (i >= 0) p.sends.splice(i, 1);
    }
    const r = p.reqs.get(target.by);
    if (r) {
      // The requester gets the verification's sends back and its failures forgotten.
      let refund = target.sends;
      for (let i = r.sends.length - 1; i >= 0 && refund > 0; i -= 1) {
        if (r.sends[i]! >= target.createdAt) {
          r.sends.splice(i, 1);
          refund -= 1;
        }
      }
      r.failures = 0;
      r.locks = 0;
      r.lockedUntil = 0;
      r.lastFailureAt = 0;
    }
    return { ok: true, value: { status: 'approved', purpose: target.purpose } };
  }
  const attemptsLeft = LIMITS.maxChecks - target.checks;
  if (attemptsLeft === 0) close(p, target, 'failed', now);
  return refuse('code_mismatch', { attemptsLeft });
}

export function cancel(p: MPhone, now: number, id: string, by = ''): Expect {
  settle(p, now);
  const v = p.list.find((x) => x.id === id && owns(x, by));
  if (!v) return refuse('not_found');
  if (v.status === 'pending') close(p, v, 'canceled', now);
  return { ok: true, value: { status: v.status } };
}

function statusLock(p: MPhone, by: string, now: number): number | null {
  const u = Math.max(p.lockedUntil, by === '' ? 0 : (p.reqs.get(by)?.lockedUntil ?? 0));
  return u > now ? u : null;
}

export function status(p: MPhone, now: number, id: string): Expect {
  settle(p, now);
  const v = p.list.find((x) => x.id === id);
  if (!v) return refuse('not_found');
  const pending = v.status === 'pending';
  return {
    ok: true,
    value: {
      status: v.status,
      attemptsLeft: pending ? LIMITS.maxChecks - v.checks : 0,
      sendsLeft: pending ? LIMITS.maxSends - v.sends : 0,
      expiresAt: v.expiresAt,
      failedVerifications: v.by === '' ? p.failures : (p.reqs.get(v.by)?.failures ?? 0),
      lockedUntil: statusLock(p, v.by, now),
    },
  };
}
